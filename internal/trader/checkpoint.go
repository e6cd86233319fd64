package trader

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// checkpointAsync writes an interval checkpoint without holding the loop
// up: a checkpoint blocked by a lock or a slow disk costs no scan and no
// read-back. One is in flight at a time; an interval that finds the last
// one still being written skips its own. The failpoint and everything the
// loop alone may read are taken here, on the loop's goroutine.
func (t *Trader) checkpointAsync(ctx context.Context, trigger string) {
	if !t.cpBusy.CompareAndSwap(false, true) {
		t.log.Warn().Msg("the previous checkpoint is still being written; this interval's is skipped")
		return
	}
	in := t.prepareCheckpoint(trigger)
	t.cpWG.Add(1)
	t.spawn(func() {
		defer t.cpWG.Done()
		defer t.cpBusy.Store(false)
		_ = t.writeCheckpoint(ctx, in) // logged and counted; the next interval tries again
	})
}

// checkpoint writes a checkpoint and waits for it, after any interval
// checkpoint still in flight (resume, shutdown).
func (t *Trader) checkpoint(ctx context.Context, trigger string) error {
	t.cpWG.Wait()
	return t.writeCheckpoint(ctx, t.prepareCheckpoint(trigger))
}

// checkpointInput is what the loop hands to a checkpoint's writer.
type checkpointInput struct {
	trigger string
	began   time.Time
	acct    checkpoint.Account
}

func (t *Trader) prepareCheckpoint(trigger string) checkpointInput {
	t.fp.Hit(failpoint.InCheckpoint)
	began := t.now()
	acct := t.account()
	acct.Stale = true
	acct.StrategyParams = t.strategyParams()
	acct.MarketTime = t.market.at(began)
	acct.BarsThrough = t.bars.through
	if trigger == db.TriggerReopen {
		acct.PreviousRun = t.previousRun
	}
	return checkpointInput{trigger: trigger, began: began, acct: acct}
}

// writeCheckpoint writes a snapshot. The account comes from the broker;
// when the broker cannot answer, the last known values are used and marked
// stale. A failed write is logged and counted, and the next interval tries
// again: a checkpoint never stops trading, because the journal already
// holds every fact the snapshot summarises.
func (t *Trader) writeCheckpoint(ctx context.Context, in checkpointInput) error {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.leaseHeld(sctx) {
		return t.lostErr()
	}
	acct := in.acct
	if a, err := t.broker.Account(sctx); err == nil {
		t.rememberAccount(a)
		fresh := t.account()
		acct.PortfolioValue, acct.BuyingPower, acct.Cash, acct.Stale = fresh.PortfolioValue, fresh.BuyingPower, fresh.Cash, false
	} else {
		t.log.Warn().Err(err).Msg("account unavailable; checkpoint carries the last known values, marked stale")
	}
	acct.Timestamp = t.now().UTC()
	if f, ok := t.valueSession(sctx); ok {
		v := checkpoint.NewSessionValue(f)
		acct.Session = &v
		t.recordValue(sctx, db.ValueCheckpoint, acct.MarketTime, f)
	}
	m, err := checkpoint.Create(sctx, t.store, t.sessionID(), in.trigger, in.began, acct)
	t.checkpointResult(err)
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
	if err != nil {
		t.obs.CheckpointFailed()
		t.cpFailures++
		t.log.Error().Err(err).Str("store", storeReason(err)).Int("failures", t.cpFailures).
			Msg("checkpoint failed; retrying at the next interval")
		return err
	}
	t.lastCheckpoint = t.now()
	var size int64
	if m.SizeBytes != nil {
		size = *m.SizeBytes
	}
	t.obs.CheckpointCreated(t.lastCheckpoint, t.lastCheckpoint.Sub(in.began), size)
	t.obs.ActivePositions(m.ActivePositionsCount)
	ev := t.log.Debug()
	if in.trigger != db.TriggerInterval {
		ev = t.log.Info()
	}
	ev.Int64("checkpoint", m.ID).Str("trigger", in.trigger).Int("active", m.ActivePositionsCount).
		Int("closed", m.ClosedTradesCount).Msg("checkpoint written")
	return nil
}

// account is the last account the broker gave (a copy).
func (t *Trader) account() checkpoint.Account {
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
	return t.lastAccount
}

// checkpointAge is how long ago the last checkpoint was written; false
// before the first.
func (t *Trader) checkpointAge() (time.Duration, bool) {
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
	if t.lastCheckpoint.IsZero() {
		return 0, false
	}
	return t.now().Sub(t.lastCheckpoint), true
}

func (t *Trader) rememberAccount(a broker.Account) {
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
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

// sessionValue is what the trader remembers of its session's value: the
// last prices the broker gave for the symbols the session holds, and the
// figures of the last valuation.
type sessionValue struct {
	prices map[string]decimal.Decimal
	last   *pnl.Figures
}

// valueSession computes the session's own value from its positions and the
// broker's current prices of the symbols it holds (docs/design.md,
// Session value). When the broker cannot answer, the last known
// prices are used and marked stale; false when the store cannot answer.
func (t *Trader) valueSession(ctx context.Context) (pnl.Figures, bool) {
	positions, err := t.store.Positions(ctx, t.sessionID())
	t.storeRead(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("positions unavailable; checkpoint carries no session value")
		return pnl.Figures{}, false
	}
	prices := t.prices(ctx, positions)
	f := pnl.Compute(pnl.Capital(t.sess.Row()), positions, prices)
	t.acctMu.Lock()
	t.value.last = &f
	t.acctMu.Unlock()
	t.obs.SessionValue(f)
	return f, true
}

// prices are the broker's current prices of the symbols the session
// holds. The broker nets positions per symbol and a symbol is claimed by
// one session at a time, so the broker position's current price is this
// session's price whoever else trades the account. A held symbol the
// broker did not price keeps its last known price, marked stale.
func (t *Trader) prices(ctx context.Context, positions []db.Position) pnl.Prices {
	held := map[string]bool{}
	for _, p := range positions {
		if p.Status == db.PositionActive {
			held[p.Symbol] = true
		}
	}
	if len(held) == 0 {
		t.acctMu.Lock()
		t.value.prices = nil
		t.acctMu.Unlock()
		return pnl.Prices{}
	}
	fresh := map[string]decimal.Decimal{}
	bp, err := t.broker.Positions(ctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("prices unavailable; the session is valued at the last known prices, marked stale")
	}
	for _, p := range bp {
		if held[p.Symbol] && p.CurrentPrice.IsPositive() {
			fresh[p.Symbol] = p.CurrentPrice
		}
	}
	out := pnl.Prices{BySymbol: fresh, Stale: err != nil}
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
	for sym := range held {
		if _, ok := fresh[sym]; ok {
			continue
		}
		if px, ok := t.value.prices[sym]; ok {
			fresh[sym], out.Stale = px, true
		}
	}
	t.value.prices = fresh
	return out
}
