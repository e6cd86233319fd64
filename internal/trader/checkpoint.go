package trader

import (
	"context"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
)

// checkpoint writes a snapshot. The account comes from the broker; when the
// broker cannot answer, the last known values are used and marked stale. A
// failed write is logged and counted, and the next interval tries again: a
// checkpoint never stops trading, because the journal already holds every
// fact the snapshot summarises.
func (t *Trader) checkpoint(ctx context.Context, trigger string) {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.leaseHeld(sctx) {
		return
	}
	acct := t.lastAccount
	acct.Stale = true
	if a, err := t.broker.Account(sctx); err == nil {
		t.rememberAccount(a)
		acct = t.lastAccount
	} else {
		t.log.Warn().Err(err).Msg("account unavailable; checkpoint carries the last known values, marked stale")
	}
	acct.Timestamp = t.now().UTC()
	acct.StrategyParams = t.strategyParams()
	t.fp.Hit(failpoint.InCheckpoint)
	began := t.now()
	acct.MarketTime = t.market.at(began)
	if trigger == db.TriggerReopen {
		acct.PreviousRun = t.previousRun
	}
	acct.BarsThrough = t.bars.through
	m, err := checkpoint.Create(sctx, t.store, t.sessionID(), trigger, began, acct)
	t.storeResult(err)
	if err != nil {
		t.obs.CheckpointFailed()
		t.cpFailures++
		t.log.Error().Err(err).Int("failures", t.cpFailures).Msg("checkpoint failed; retrying at the next interval")
		return
	}
	t.lastCheckpoint = t.now()
	var size int64
	if m.SizeBytes != nil {
		size = *m.SizeBytes
	}
	t.obs.CheckpointCreated(t.lastCheckpoint, t.lastCheckpoint.Sub(began), size)
	t.obs.ActivePositions(m.ActivePositionsCount)
	ev := t.log.Debug()
	if trigger != "interval" {
		ev = t.log.Info()
	}
	ev.Int64("checkpoint", m.ID).Str("trigger", trigger).Int("active", m.ActivePositionsCount).
		Int("closed", m.ClosedTradesCount).Msg("checkpoint written")
}

func (t *Trader) rememberAccount(a broker.Account) {
	t.lastAccount = checkpoint.Account{PortfolioValue: a.PortfolioValue, BuyingPower: a.BuyingPower, Cash: a.Cash,
		Timestamp: t.now().UTC()}
	t.haveAccount = true
	t.obs.Account(a.PortfolioValue, a.Cash)
}

func (t *Trader) strategyParams() map[string]any {
	p := map[string]any{}
	for k, v := range t.strategy.Params() {
		p[k] = v
	}
	p["position_size"] = t.cfg.PositionSize.String()
	p["stop_loss_pct"] = t.cfg.StopLossPct.String()
	p["take_profit_pct"] = t.cfg.TakeProfitPct.String()
	p["max_positions"] = t.cfg.MaxPositions
	p["settle_delay"] = t.cfg.SettleDelay.String()
	p["signal_max_age"] = t.maxAge().String()
	return p
}
