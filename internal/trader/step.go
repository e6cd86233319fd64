package trader

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// step is one tick: clock, read-back of orders, bars, strategy, entries.
// A broker or store error skips the rest of the step; the next tick retries.
// Nothing here ever closes a position because a query failed.
func (t *Trader) step(ctx context.Context) {
	stopping := ctx.Err() != nil
	sctx, cancel := detached(ctx)
	defer cancel()

	if !t.leaseHeld(sctx) {
		return
	}
	clock, err := t.broker.Clock(sctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("broker clock unavailable; skipping this tick")
		return
	}
	t.market.observe(clock.Timestamp, t.now())
	if err := t.sync(sctx); err != nil {
		t.log.Warn().Err(err).Msg("order read-back failed; retrying next tick")
	}
	t.releaseIdleClaims(sctx)
	switch {
	case stopping:
	case !clock.IsOpen:
		t.log.Info().Time("opens", clock.NextOpen).Msg("market closed; no entries until it opens")
	case t.storeDown():
		t.log.Error().Time("since", t.storeDownSince).Msg("STORE UNREACHABLE for more than 3 checkpoint intervals: no new entries until it is back; open positions stay protected by their exit orders at the broker")
	default:
		t.scan(sctx, clock.Timestamp)
	}
	t.statusLine(sctx)
}

// scan asks for bars in one multi-symbol request and enters on signals.
func (t *Trader) scan(ctx context.Context, marketNow time.Time) {
	tf := t.strategy.Timeframe()
	span := timeframeDuration(tf) * time.Duration(t.strategy.Lookback()+1)
	bars, err := t.broker.Bars(ctx, t.cfg.Symbols, tf, marketNow.Add(-3*span), marketNow, 0)
	if err != nil {
		t.log.Warn().Err(err).Msg("bars request failed; skipping entries this tick")
		return
	}
	var signals []strategy.Signal
	for _, sym := range t.cfg.Symbols {
		bs := bars[sym]
		if n := t.strategy.Lookback(); len(bs) > n {
			bs = bs[len(bs)-n:]
		}
		if sig, ok := t.strategy.Evaluate(sym, toStrategyBars(bs)); ok {
			signals = append(signals, sig)
		}
	}
	if len(signals) > 0 {
		t.enter(ctx, signals)
	}
}

func toStrategyBars(bs []broker.Bar) []strategy.Bar {
	out := make([]strategy.Bar, len(bs))
	for i, b := range bs {
		out[i] = strategy.Bar{Time: b.Timestamp, Open: b.Open, High: b.High, Low: b.Low, Close: b.Close,
			Volume: decimal.NewFromInt(b.Volume)}
	}
	return out
}

// timeframeDuration maps an Alpaca timeframe to its bar length.
func timeframeDuration(tf string) time.Duration {
	switch tf {
	case "1Min":
		return time.Minute
	case "5Min":
		return 5 * time.Minute
	case "15Min":
		return 15 * time.Minute
	case "30Min":
		return 30 * time.Minute
	case "1Hour":
		return time.Hour
	case "1Day":
		return 24 * time.Hour
	}
	return 5 * time.Minute
}

func (t *Trader) statusLine(ctx context.Context) {
	ev := t.log.Info().Str("session", t.sessionID())
	if t.haveAccount {
		ev = ev.Str("equity", t.lastAccount.PortfolioValue.StringFixed(2))
	}
	if active, err := t.store.ActivePositions(ctx, t.sessionID()); err == nil {
		ev = ev.Int("positions", len(active))
		t.obs.ActivePositions(len(active))
	}
	if open, err := t.store.SessionOrders(ctx, t.sessionID(), true); err == nil {
		ev = ev.Int("pending_orders", len(open))
	}
	if !t.lastCheckpoint.IsZero() {
		ev = ev.Str("last_checkpoint_age", t.now().Sub(t.lastCheckpoint).Round(time.Second).String())
	}
	ev.Msg("tick")
}
