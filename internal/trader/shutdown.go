package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// finish closes the session: final read-back and optional flattening
// within the broker's shutdown budget, then, whatever the broker did, the
// final checkpoint, the completed status and the lease released, each on a
// fresh context.
func (t *Trader) finish(ctx context.Context) error {
	t.broker.start(t.cfg.ShutdownTimeout)
	defer t.broker.release()
	sctx, cancel := detached(ctx)
	defer cancel()
	var unanswered []string
	if err := t.sync(sctx); err != nil {
		unanswered = append(unanswered, "final order read-back")
		t.log.Debug().Err(err).Msg("final order read-back failed")
	}
	if t.cfg.CloseOnExit {
		t.flatten(sctx)
	}
	if t.broker.exhausted() {
		if t.cfg.CloseOnExit {
			unanswered = append(unanswered, "closing positions (--close-on-exit)")
		}
		t.log.Warn().Str("budget", t.cfg.ShutdownTimeout.String()).Strs("unanswered", unanswered).
			Msg("the broker did not answer within the shutdown budget; the final checkpoint is written without it, and resume or reconcile-only picks up what it did not say")
	} else if len(unanswered) > 0 {
		t.log.Warn().Strs("unanswered", unanswered).Msg("the broker failed at shutdown; resume or reconcile-only picks up what it did not say")
	}
	t.releaseIdleClaims(sctx)
	t.cpWG.Wait()
	t.acctMu.Lock()
	t.value.last = nil
	t.acctMu.Unlock()
	t.finalCheckpoint(sctx)
	if t.lastValue() == nil {
		t.valueSession(sctx) // the checkpoint was skipped or could not value it
	}
	end := db.SessionEnd{Status: db.StatusCompleted, EndTime: t.now().UTC()}
	// The session's own value, as the shutdown checkpoint computed it; the
	// account's value includes every other session on the account.
	if v := t.lastValue(); v != nil {
		end.FinalPortfolioValue, end.PnL, end.PnLPct = v.Equity, decimal.NewNullDecimal(v.PnL), v.PnLPct
		end.TotalTrades = v.Closed
		if !v.Priced() || v.PriceStale {
			t.log.Warn().Strs("unpriced", v.Unpriced).Bool("stale", v.PriceStale).
				Msg("final session value: some open positions lack a current price")
		}
	}
	if v := t.lastValue(); v != nil {
		// The run's end stays in the value series when later runs (a
		// reopen) overwrite the session row's end.
		t.recordValue(sctx, db.ValueEnd, t.market.at(t.now()), *v)
	}
	if err := t.sess.End(sctx, end); err != nil {
		return fmt.Errorf("complete session: %w", err)
	}
	t.log.Info().Str("session", t.sessionID()).Str("pnl", end.PnL.Decimal.StringFixed(2)).
		Int("trades", end.TotalTrades).Msg("session completed")
	return nil
}

// flatten closes every active position at the broker (--close-on-exit).
// The exit legs hold the shares, so they are canceled first, as Alpaca
// requires. Fills are recorded by the read-back that follows.
func (t *Trader) flatten(ctx context.Context) {
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	if err != nil {
		t.log.Error().Err(err).Msg("cannot read positions to close them")
		return
	}
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	if err != nil {
		t.log.Error().Err(err).Msg("cannot read exit orders to close positions")
		return
	}
	for _, p := range active {
		for _, o := range open {
			if o.ParentClientOrderID == p.EntryClientOrderID && o.BrokerOrderID != "" {
				if err := t.broker.CancelOrder(ctx, o.BrokerOrderID); err != nil {
					t.log.Warn().Err(err).Str("order", o.BrokerOrderID).Msg("cancel exit order failed")
				}
			}
		}
		o, err := t.broker.ClosePosition(ctx, p.Symbol, broker.CloseOptions{})
		if err != nil {
			t.log.Error().Err(err).Str("symbol", p.Symbol).Msg("close position failed; it stays protected by its exit orders")
			continue
		}
		// The closing order is journaled as an exit of the entry, so its
		// fill closes the position like a bracket leg's would.
		root := broker.Order{ClientOrderID: p.EntryClientOrderID, OrderClass: broker.Simple, Legs: []broker.Order{o}}
		if _, err := t.applyRoot(ctx, map[string]db.Order{}, []db.Position{p}, root); err != nil {
			t.log.Error().Err(err).Str("symbol", p.Symbol).Msg("journal closing order failed")
		}
	}
	if err := t.sync(ctx); err != nil {
		t.log.Warn().Err(err).Msg("read-back after closing positions failed")
	}
}

// lastValue is the session's last valuation, nil when none was made.
func (t *Trader) lastValue() *pnl.Figures {
	t.acctMu.Lock()
	defer t.acctMu.Unlock()
	return t.value.last
}

// finalAttempts bounds the final checkpoint's tries when the store is
// blocked or its disk full: the store frees what it can between them (a
// truncated write-ahead log), and the session's end is written either way.
const finalAttempts = 3

func (t *Trader) finalCheckpoint(ctx context.Context) {
	for attempt := 1; ; attempt++ {
		err := t.checkpoint(ctx, db.TriggerShutdown)
		retry := errors.Is(err, db.ErrDiskFull) || errors.Is(err, db.ErrBusy)
		if err == nil || attempt == finalAttempts || !retry {
			return
		}
		t.log.Warn().Int("attempt", attempt).Str("store", storeReason(err)).Msg("final checkpoint failed; trying again")
		if t.clock.Sleep(ctx, time.Second) != nil {
			return
		}
	}
}
