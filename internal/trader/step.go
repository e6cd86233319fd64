package trader

import (
	"context"
	"time"
)

// step is the read-back that runs every Interval: the clock, the orders
// and fills, idle claims, the daily check that the symbols still trade,
// and the status line. A broker or store error skips the rest of the step;
// the next one retries. Nothing here ever closes a position because a
// query failed.
func (t *Trader) step(ctx context.Context) {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.leaseHeld(sctx) {
		return
	}
	c, err := t.readClock(sctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("broker clock unavailable; skipping this read-back")
		return
	}
	if err := t.sync(sctx); err != nil {
		t.log.Warn().Err(err).Msg("order read-back failed; retrying next interval")
	}
	t.releaseIdleClaims(sctx)
	if c.IsOpen && ctx.Err() == nil {
		t.recheckAssetsDaily(sctx, c.Timestamp)
	}
	if t.storeDown() {
		t.log.Error().Time("since", t.downSince()).Str("store", t.storeStatus()).Msg("STORE DOWN for more than 3 checkpoint intervals: no new entries until it answers; open positions stay protected by their exit orders at the broker")
	}
	t.statusLine(sctx, c.Timestamp)
}

// statusLine is one line per step: the market time, the account's equity
// read after this step's fills, positions, pending orders and the age of
// the last checkpoint.
func (t *Trader) statusLine(ctx context.Context, marketNow time.Time) {
	ev := t.log.Info().Str("session", t.sessionID()).Time("market_time", marketNow).Str("store", t.storeStatus())
	if acct, err := t.broker.Account(ctx); err == nil {
		t.rememberAccount(acct)
		ev = ev.Str("equity", acct.PortfolioValue.StringFixed(2))
	}
	if active, err := t.store.ActivePositions(ctx, t.sessionID()); err == nil {
		ev = ev.Int("positions", len(active))
		t.obs.ActivePositions(len(active))
	}
	if open, err := t.store.SessionOrders(ctx, t.sessionID(), true); err == nil {
		ev = ev.Int("pending_orders", len(open))
	}
	if age, ok := t.checkpointAge(); ok {
		ev = ev.Str("last_checkpoint_age", age.Round(time.Second).String())
	}
	ev.Msg("tick")
}
