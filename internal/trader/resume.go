package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// ResumeOptions tune Resume.
type ResumeOptions struct {
	// Force continues although reconcile found a side mismatch.
	Force bool
	// Reopened is how the previous run of a completed session ended, when
	// this run reopens it: the resume checkpoint is then a reopen
	// checkpoint that keeps it.
	Reopened *db.SessionEnd
}

// ErrSideMismatch is returned by a resume that reconcile stopped: the store
// and the broker hold opposite sides of a position.
var ErrSideMismatch = errors.New("reconcile found a side mismatch; resolve it by hand or resume with --force")

// Resume is ResumeWith without options.
func (t *Trader) Resume(ctx context.Context) error {
	return t.ResumeWith(ctx, ResumeOptions{})
}

// ResumeWith runs the resume steps after the lease is taken: restore the
// latest good checkpoint, reconcile the journal and positions with the
// broker (which resolves every unacknowledged intent by client_order_id and
// records fills exactly once), and write a resume checkpoint. A failed
// broker read stops the resume before anything is changed on its account.
func (t *Trader) ResumeWith(ctx context.Context, opts ResumeOptions) error {
	sid := t.sessionID()
	r, err := checkpoint.Restore(ctx, t.store, sid, t.log)
	switch {
	case err == nil:
		t.obs.CheckpointRestored()
		t.log.Info().Int64("checkpoint", r.CheckpointID).Time("checkpoint_time", r.CheckpointTime).
			Int("positions", len(r.Positions)).Int("closed", r.ClosedCount).Msg("restored checkpoint")
		if v := r.PortfolioValue(); v.Valid {
			t.acctMu.Lock()
			t.lastAccount.PortfolioValue, t.haveAccount = v.Decimal, true
			t.acctMu.Unlock()
		}
		if through, ok := r.BarsThrough(); ok {
			t.resumeThrough = through
		}
		if err := t.checkMarketTime(ctx, r, opts.Force); err != nil {
			return err
		}
	case errors.Is(err, checkpoint.ErrNoCheckpoint):
		t.log.Info().Msg("no checkpoint to restore; starting from the journal")
	default:
		return err
	}
	if err := t.reconcile(ctx, opts); err != nil {
		return err
	}
	t.releaseIdleClaims(ctx)
	if opts.Reopened != nil {
		t.previousRun = opts.Reopened
		_ = t.checkpoint(ctx, db.TriggerReopen) // logged; the next interval writes one
		return nil
	}
	_ = t.checkpoint(ctx, db.TriggerResume) // logged; the next interval writes one
	return nil
}

// ErrMarketTimeBackwards is returned by a resume whose broker clock is more
// than a day behind the market time of the session's checkpoint: another
// exchange, another state file, or a clock set back. Trading on would mix
// two markets; resume with --force to accept it.
var ErrMarketTimeBackwards = errors.New("market time went backwards")

// checkMarketTime refuses a resume whose broker is more than a day behind
// the market time the session's checkpoint recorded.
func (t *Trader) checkMarketTime(ctx context.Context, r checkpoint.Restored, force bool) error {
	was, ok := r.MarketTime()
	if !ok {
		return nil
	}
	c, err := t.broker.Clock(ctx)
	if err != nil {
		return fmt.Errorf("read the broker clock before resuming: %w", err)
	}
	behind := was.Sub(c.Timestamp)
	if behind <= 24*time.Hour {
		return nil
	}
	if force {
		t.log.Warn().Time("checkpoint_market_time", was).Time("broker_market_time", c.Timestamp).
			Msg("market time went backwards since the checkpoint; resuming anyway (--force)")
		return nil
	}
	return fmt.Errorf("%w: the session's checkpoint %d was taken at market time %s, the broker's clock says %s (%s earlier); is this the same exchange and state file? Nothing was changed; resume with --force to trade on anyway",
		ErrMarketTimeBackwards, r.CheckpointID, was.Format(time.RFC3339), c.Timestamp.Format(time.RFC3339), behind.Round(time.Hour))
}

// reconcile runs the same reconcile as `gambler reconcile-only`.
func (t *Trader) reconcile(ctx context.Context, opts ResumeOptions) error {
	rec := &reconcile.Reconciler{Store: t.store, Broker: t.broker, SessionID: t.sessionID(),
		StopLossPct: t.cfg.StopLossPct, TakeProfitPct: t.cfg.TakeProfitPct, Now: t.now, Log: t.log}
	plan, err := rec.Run(ctx, reconcile.Options{RefuseSideMismatch: !opts.Force})
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	plan.Log(t.log)
	if plan.HasClass(reconcile.ClassSideMismatch) {
		if !opts.Force {
			return ErrSideMismatch
		}
		t.log.Warn().Msg("side mismatch left as it is (--force): trading continues beside it")
	}
	if plan.Empty() {
		t.log.Info().Msg("reconcile: store and broker agree")
	}
	return nil
}
