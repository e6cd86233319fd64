package trader

import (
	"context"
	"errors"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// storeState is what the store's last answer said about it.
type storeState struct {
	since  time.Time // when it stopped answering; zero while it answers
	reason string    // why, in a few words, for the tick line
}

// storeResult tracks whether the store answers, so that entries stop when
// it has been down for longer than three checkpoint intervals, and stops
// the trader at once when a write was refused because another process
// took the session (a stale lease epoch) or the database file was
// replaced. A conflict or a missing row is an answer: the store is up. A
// store that is up but blocked (a lock held too long), that refuses this
// role, or whose disk is full is down for entries, each said once with its
// reason, not as "unreachable".
func (t *Trader) storeResult(err error, wrote bool) {
	switch {
	case errors.Is(err, db.ErrFenced), errors.Is(err, db.ErrStoreReplaced):
		t.lose(err)
		return
	case err == nil, errors.Is(err, db.ErrConflict), errors.Is(err, db.ErrNotFound):
		err = nil
	}
	t.health.Lock()
	defer t.health.Unlock()
	if err == nil && !wrote && t.store0.reason == "disk full" {
		// Reads answer on a full disk: only a write that lands says the
		// disk has room again, so the state does not flap.
		return
	}
	t.obs.StoreUp(err == nil)
	if err == nil {
		if !t.store0.since.IsZero() {
			t.log.Warn().Str("was", t.store0.reason).Msg("store answering again")
		}
		t.store0 = storeState{}
		return
	}
	reason := storeReason(err)
	if t.store0.since.IsZero() || t.store0.reason != reason {
		ev := t.log.Error().Err(err)
		if reason == "disk full" {
			ev = t.log.Error().Str("error", err.Error())
		}
		ev.Str("store", reason).Msg("store write or read failed: " + reason)
	}
	if t.store0.since.IsZero() {
		t.store0.since = t.now()
	}
	t.store0.reason = reason
}

// storeRead tracks the store's answer to a read.
func (t *Trader) storeRead(err error) { t.storeResult(err, false) }

// storeWrite tracks the store's answer to a write.
func (t *Trader) storeWrite(err error) { t.storeResult(err, true) }

// storeReason names a store failure for a person.
func storeReason(err error) string {
	switch {
	case errors.Is(err, db.ErrBusy):
		return "blocked by a lock held elsewhere"
	case errors.Is(err, db.ErrPermission):
		return "permission denied"
	case errors.Is(err, db.ErrDiskFull):
		return "disk full"
	}
	return "unreachable"
}

// leaseHeld checks the lease before this process writes or sends on the
// session's behalf. A store that cannot answer is not a takeover: the step
// goes on and fails on its own writes if the store is really gone.
func (t *Trader) leaseHeld(ctx context.Context) bool {
	if t.lostErr() != nil {
		return false
	}
	// The lease's own connection serves one question at a time.
	t.leaseMu.Lock()
	err := t.sess.Alive(ctx)
	t.leaseMu.Unlock()
	var held *db.LeaseHeldError
	switch {
	case err == nil:
		return true
	case errors.As(err, &held), errors.Is(err, db.ErrStoreReplaced):
		t.lose(err)
		return false
	default:
		t.log.Warn().Err(err).Msg("cannot verify the session lease")
		return true
	}
}

func (t *Trader) storeDown() bool {
	t.health.Lock()
	defer t.health.Unlock()
	return !t.store0.since.IsZero() && t.now().Sub(t.store0.since) > 3*t.cfg.CheckpointInterval
}

// downSince is when the store stopped answering, zero while it answers.
func (t *Trader) downSince() time.Time {
	t.health.Lock()
	defer t.health.Unlock()
	return t.store0.since
}

// storeStatus is the store's state for the tick line: "ok", or what is
// wrong and since when.
func (t *Trader) storeStatus() string {
	t.health.Lock()
	defer t.health.Unlock()
	if t.store0.since.IsZero() {
		return "ok"
	}
	return t.store0.reason + " for " + t.now().Sub(t.store0.since).Round(time.Second).String()
}

// lose records why this process may no longer trade the session, and says
// it loudly, once. Nothing is written or sent after it.
func (t *Trader) lose(err error) {
	t.health.Lock()
	defer t.health.Unlock()
	if t.lost != nil {
		return
	}
	t.lost = err
	msg := "ANOTHER PROCESS TOOK THIS SESSION: stopping without writing or sending anything more"
	if errors.Is(err, db.ErrStoreReplaced) {
		msg = "THE DATABASE OR ITS LEASE FILE WAS REMOVED OR REPLACED WHILE TRADING: stopping without writing or sending anything more; open positions stay protected by their exit orders at the broker, and the journal of this run is in the file that was replaced"
	}
	t.log.Error().Err(err).Msg(msg)
}

// lostErr is why this process may no longer trade the session, or nil.
func (t *Trader) lostErr() error {
	t.health.Lock()
	defer t.health.Unlock()
	return t.lost
}
