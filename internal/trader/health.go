package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// storeState is what the store's last answers said about it.
type storeState struct {
	since    time.Time // when it stopped answering; zero while it answers
	reason   string    // why, in a few words, for the tick line
	lastFail time.Time // the latest failure, for the disk-full hysteresis
}

// diskFullQuiet is how long writes must land without a disk-full error
// before the disk counts as having room again. SQLite frees its WAL on a
// full disk, which lets a few writes land before the next one fails: one
// landed write says little while the disk is still full.
func (t *Trader) diskFullQuiet() time.Duration {
	return max(3*t.cfg.CheckpointInterval, 10*time.Second)
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
	if t.fatalStoreErr(err) {
		return
	}
	t.health.Lock()
	defer t.health.Unlock()
	changed := t.track(&t.store0, err, wrote)
	t.obs.StoreUp(t.store0.since.IsZero())
	if !changed {
		return
	}
	switch {
	case answered(err):
		t.log.Warn().Str("was", t.store0.reason).Msg("store answering again")
	default:
		ev := t.log.Error().Err(err)
		if t.store0.reason == "disk full" {
			ev = t.log.Error().Str("error", err.Error())
		}
		ev.Str("store", t.store0.reason).Msg("store write or read failed: " + t.store0.reason)
	}
}

// checkpointResult tracks the checkpoint writes apart from the rest: a
// checkpoint blocked behind a lock does not stop entries (its writer logs
// each failure), but the tick line says so until one lands, whatever the
// other statements answer meanwhile.
func (t *Trader) checkpointResult(err error) {
	if t.fatalStoreErr(err) {
		return
	}
	t.health.Lock()
	defer t.health.Unlock()
	if t.track(&t.cp0, err, true) && answered(err) {
		t.log.Info().Str("was", t.cp0.reason).Msg("checkpoints written again")
	}
}

// answered says whether err is an answer from a working store: none, a
// conflict or a missing row.
func answered(err error) bool {
	return err == nil || errors.Is(err, db.ErrConflict) || errors.Is(err, db.ErrNotFound)
}

// fatalStoreErr stops the trader on a write refused for a stale lease or
// a replaced database, and says whether err was one.
func (t *Trader) fatalStoreErr(err error) bool {
	if errors.Is(err, db.ErrFenced) || errors.Is(err, db.ErrStoreReplaced) {
		t.lose(err)
		return true
	}
	return false
}

// track folds one answer into st and says whether st changed in a way
// worth a log line: it went down, its reason changed, or it came back.
// The caller holds t.health.
func (t *Trader) track(st *storeState, err error, wrote bool) bool {
	if answered(err) {
		if st.since.IsZero() {
			return false
		}
		if st.reason == "disk full" && (!wrote || t.now().Sub(st.lastFail) < t.diskFullQuiet()) {
			// Reads answer on a full disk, and a write can land between
			// two failures: only writes landing for a while say the disk
			// has room again, so the state does not flap.
			return false
		}
		was := st.reason
		*st = storeState{reason: was}
		return true
	}
	reason := storeReason(err)
	changed := st.since.IsZero() || st.reason != reason
	if st.since.IsZero() {
		st.since = t.now()
	}
	st.reason, st.lastFail = reason, t.now()
	return changed
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
// wrong and since when; checkpoints that fail while the rest answers are
// named as such.
func (t *Trader) storeStatus() string {
	t.health.Lock()
	defer t.health.Unlock()
	for _, s := range []struct {
		st   storeState
		what string
	}{{t.store0, ""}, {t.cp0, " (checkpoints)"}} {
		if !s.st.since.IsZero() {
			return s.st.reason + " for " + t.now().Sub(s.st.since).Round(time.Second).String() + s.what
		}
	}
	return "ok"
}

// lose records why this process may no longer trade the session, and says
// it loudly, once. Nothing is written or sent after it.
func (t *Trader) lose(err error) {
	if t.lostErr() != nil {
		return
	}
	by := t.takenBy(err)
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
	ev := t.log.Error().Err(err)
	if by != "" {
		ev = ev.Str("taken_by", by)
	}
	ev.Msg(msg)
}

// takenBy names the process that holds the session now when a refused
// write, not the lease check, found the takeover: the lease check's error
// names the holder, a stale epoch does not, and the operator needs to know
// which process to look at. Empty when the store cannot say.
func (t *Trader) takenBy(err error) string {
	var held *db.LeaseHeldError
	if !errors.Is(err, db.ErrFenced) || errors.As(err, &held) {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), takenByTimeout)
	defer cancel()
	h, running, lerr := t.store.LeaseHolder(ctx, t.sessionID())
	if lerr != nil || !running {
		return ""
	}
	return fmt.Sprintf("pid %d on host %s", h.PID, h.Host)
}

// takenByTimeout bounds the question of who took the session: the answer
// only improves a log line, and the trader is stopping.
const takenByTimeout = 2 * time.Second

// lostErr is why this process may no longer trade the session, or nil.
func (t *Trader) lostErr() error {
	t.health.Lock()
	defer t.health.Unlock()
	return t.lost
}
