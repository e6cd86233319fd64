package trader

import (
	"context"
	"errors"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// storeResult tracks whether the store answers, so that entries stop when
// it has been down for longer than three checkpoint intervals. A conflict
// or a missing row is an answer: the store is up.
func (t *Trader) storeResult(err error) {
	if errors.Is(err, db.ErrConflict) || errors.Is(err, db.ErrNotFound) {
		err = nil
	}
	t.obs.StoreUp(err == nil)
	if err == nil {
		if !t.storeDownSince.IsZero() {
			t.log.Warn().Msg("store reachable again")
		}
		t.storeDownSince = time.Time{}
		return
	}
	if t.storeDownSince.IsZero() {
		t.storeDownSince = t.now()
	}
}

// leaseHeld checks the lease before this process writes or sends on the
// session's behalf. A store that cannot answer is not a takeover: the step
// goes on and fails on its own writes if the store is really gone.
func (t *Trader) leaseHeld(ctx context.Context) bool {
	if t.lost != nil {
		return false
	}
	err := t.sess.Alive(ctx)
	var held *db.LeaseHeldError
	switch {
	case err == nil:
		return true
	case errors.As(err, &held):
		t.lost = err
		t.log.Error().Err(err).Msg("ANOTHER PROCESS TOOK THIS SESSION: stopping without writing anything more")
		return false
	default:
		t.log.Warn().Err(err).Msg("cannot verify the session lease")
		return true
	}
}

func (t *Trader) storeDown() bool {
	return !t.storeDownSince.IsZero() && t.now().Sub(t.storeDownSince) > 3*t.cfg.CheckpointInterval
}
