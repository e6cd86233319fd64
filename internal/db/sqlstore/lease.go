package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// ErrLockHeld is what a Lock's Check wraps when another process holds
// the lock it lost.
var ErrLockHeld = errors.New("the lease lock is held by another process")

// releaseTimeout bounds a Release whose context is already cancelled
// (shutdown): the row is cleared as long as the database answers.
const releaseTimeout = 10 * time.Second

// The lease is the driver's lock, which is the truth about who may write
// (it dies with its process), plus the lease_* columns of the session row:
// the holder's name card and the lease epoch that fences its writes.
type lease struct {
	s         *Store
	sessionID string
	holder    db.Holder
	epoch     int64
	lock      Lock

	mu       sync.Mutex
	released bool
	lost     error     // why the lease is gone for good, once Alive found out
	beat     time.Time // when Alive last wrote lease_heartbeat
}

// AcquireLease implements db.Store. Taking the lock increments the
// session's lease epoch, in the same statement that records the holder,
// so every fence built from an earlier lease goes stale. An empty host or
// pid is this process's; Since is kept to the microsecond, as both
// databases store it.
func (s *Store) AcquireLease(ctx context.Context, sessionID string, h db.Holder) (db.Lease, error) {
	h = s.fillHolder(h)
	lk, held, err := s.d.Locks.TryLock(ctx, sessionID, h)
	if err != nil {
		return nil, s.wrap(err, "acquire lease of session %s", sessionID)
	}
	if held {
		return nil, s.heldError(ctx, "acquire lease", sessionID)
	}
	now := s.now()
	epoch, err := s.bumpEpoch(ctx, sessionID, h, now)
	if err != nil {
		return nil, errors.Join(err, lk.Unlock(context.WithoutCancel(ctx)))
	}
	return &lease{s: s, sessionID: sessionID, holder: h, epoch: epoch, lock: lk, beat: now}, nil
}

// takeoverWait bounds how long a takeover waits for the session row. A
// fenced write of the previous holder locks the row until it commits; if
// that process froze mid-transaction the row stays locked until the
// database ends the transaction (PostgreSQL's
// idle_in_transaction_session_timeout), which is well inside this bound.
const takeoverWait = 30 * time.Second

// bumpEpoch records h as the holder and increments the lease epoch, in
// one statement, retrying while the row is busy.
func (s *Store) bumpEpoch(ctx context.Context, sessionID string, h db.Holder, now time.Time) (int64, error) {
	deadline := time.Now().Add(takeoverWait)
	for {
		var epoch int64
		err := s.queryRow(ctx, s.d.Write, "record the lease holder of session "+sessionID,
			`UPDATE trading_sessions SET lease_host = $2, lease_pid = $3, lease_since = $4, lease_heartbeat = $5,
				lease_epoch = lease_epoch + 1
			WHERE session_id = $1 RETURNING lease_epoch`,
			[]any{sessionID, h.Host, h.PID, s.time(h.Since), s.time(now)}, scanInt(&epoch))
		if !errors.Is(err, db.ErrBusy) || time.Now().After(deadline) {
			return epoch, err
		}
		select {
		case <-ctx.Done():
			return 0, errors.Join(err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Store) fillHolder(h db.Holder) db.Holder {
	if h.Host == "" {
		h.Host, _ = os.Hostname()
	}
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	h.Since = s.orNow(h.Since).Truncate(time.Microsecond)
	return h
}

// heldError names the live holder of sessionID's lock.
func (s *Store) heldError(ctx context.Context, what, sessionID string) error {
	holder, err := s.d.Locks.LiveHolder(ctx, sessionID, func(ctx context.Context) (db.Holder, error) {
		return s.rowHolder(ctx, sessionID)
	})
	if err != nil {
		return s.wrap(err, "%s of session %s: find the holder", what, sessionID)
	}
	return fmt.Errorf("%s: %w", what, &db.LeaseHeldError{SessionID: sessionID, Holder: holder})
}

// leaseRow reads the holder the session row names, and the epoch; empty
// when it names none or the session does not exist.
func (s *Store) leaseRow(ctx context.Context, sessionID string) (db.Holder, int64, error) {
	var (
		h     db.Holder
		epoch int64
	)
	err := s.queryRow(ctx, s.d.Write, "read the lease row of session "+sessionID,
		`SELECT lease_host, lease_pid, lease_since, lease_epoch FROM trading_sessions WHERE session_id = $1`,
		[]any{sessionID}, scanStr(&h.Host), scanInt(&h.PID), scanTime(&h.Since), scanInt(&epoch))
	if errors.Is(err, db.ErrNotFound) {
		return db.Holder{}, 0, nil
	}
	return h, epoch, err
}

// rowHolder is leaseRow's holder.
func (s *Store) rowHolder(ctx context.Context, sessionID string) (db.Holder, error) {
	h, _, err := s.leaseRow(ctx, sessionID)
	return h, err
}

// LeaseHolder implements db.Store: the lock, not the row, says whether
// the lease is live; the row only names the holder.
func (s *Store) LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error) {
	held, err := s.d.Locks.Probe(ctx, sessionID)
	if err != nil {
		return db.Holder{}, false, s.wrap(err, "check the lease of session %s", sessionID)
	}
	if !held {
		return db.Holder{}, false, nil
	}
	h, err := s.rowHolder(ctx, sessionID)
	return h, err == nil, err
}

// Holder implements db.Lease.
func (l *lease) Holder() db.Holder { return l.holder }

// Epoch implements db.Lease.
func (l *lease) Epoch() int64 { return l.epoch }

// Alive implements db.Lease: the lock is still held (the driver takes a
// lost one again if it can) and is still the lock of the file this store
// opened, and the row still names this holder and epoch. It also
// refreshes the row's heartbeat every Driver.Heartbeat. A lease found
// taken over or its files replaced is lost for good: its lock is let go
// and every later Alive returns the same error.
func (l *lease) Alive(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.released:
		return fmt.Errorf("lease of session %s was released", l.sessionID)
	case l.lost != nil:
		return l.lost
	}
	err := l.check(ctx)
	var held *db.LeaseHeldError
	if errors.As(err, &held) || errors.Is(err, db.ErrStoreReplaced) {
		l.lost = err
		_ = l.lock.Unlock(context.WithoutCancel(ctx))
	}
	return err
}

func (l *lease) check(ctx context.Context) error {
	if err := l.lock.Check(ctx); err != nil {
		if errors.Is(err, ErrLockHeld) {
			return l.s.heldError(ctx, "lease", l.sessionID)
		}
		err = l.s.wrap(err, "check the lease of session %s", l.sessionID)
		if errors.Is(err, db.ErrStoreReplaced) {
			// A removed lock file usually means another process took the
			// session: say that too, when the row shows it.
			if taken := l.rowTaken(ctx); taken != nil {
				return errors.Join(taken, err)
			}
		}
		return err
	}
	if err := l.rowTaken(ctx); err != nil {
		return err
	}
	// The heartbeat is for a person reading the row: one that cannot be
	// written now (the row busy under this process's own fenced write) is
	// written at a later Alive, and says nothing about the lease.
	if now := l.s.now(); now.Sub(l.beat) >= l.s.d.Heartbeat {
		if _, err := l.s.exec(ctx, l.s.d.Write, "refresh the lease heartbeat of session "+l.sessionID,
			`UPDATE trading_sessions SET lease_heartbeat = $2 WHERE session_id = $1 AND lease_epoch = $3`,
			l.sessionID, l.s.time(now), l.epoch); err == nil {
			l.beat = now
		}
	}
	return nil
}

// rowTaken checks that the row still names this holder and epoch; an
// error wrapping *db.LeaseHeldError naming who it names instead, or the
// error reading it.
func (l *lease) rowTaken(ctx context.Context) error {
	row, epoch, err := l.s.leaseRow(ctx, l.sessionID)
	if err != nil {
		return err
	}
	if epoch != l.epoch || row.Host != l.holder.Host || row.PID != l.holder.PID || !row.Since.Equal(l.holder.Since) {
		return fmt.Errorf("lease epoch %d of session %s is gone (now %d): %w", l.epoch, l.sessionID, epoch,
			&db.LeaseHeldError{SessionID: l.sessionID, Holder: row})
	}
	return nil
}

// Release implements db.Lease. It clears the holder's name from the row
// while the lock is still held, only if the row still carries this
// lease's epoch, then unlocks. The epoch stays: the next AcquireLease
// moves it on. It is safe to call more than once.
func (l *lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	var err error
	if l.lost == nil {
		_, err = l.s.exec(ctx, l.s.d.Write, "clear the lease row of session "+l.sessionID, `UPDATE trading_sessions
			SET lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat = NULL
			WHERE session_id = $1 AND lease_epoch = $2`, l.sessionID, l.epoch)
	}
	if uerr := l.lock.Unlock(ctx); uerr != nil {
		err = errors.Join(err, l.s.wrap(uerr, "unlock the lease of session %s", l.sessionID))
	}
	return err
}
