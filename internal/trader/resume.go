package trader

import (
	"context"
	"errors"
	"fmt"

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
			t.lastAccount.PortfolioValue, t.haveAccount = v.Decimal, true
		}
		if through, ok := r.BarsThrough(); ok {
			t.resumeThrough = through
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
		t.checkpoint(ctx, db.TriggerReopen)
		return nil
	}
	t.checkpoint(ctx, db.TriggerResume)
	return nil
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
