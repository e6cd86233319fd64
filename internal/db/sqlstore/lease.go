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
// (it dies with its process), plus the lease_* columns of the session row,
// the holder's name card.
type lease struct {
	s         *Store
	sessionID string
	holder    db.Holder
	lock      Lock

	mu       sync.Mutex
	released bool
	beat     time.Time // when Alive last wrote lease_heartbeat
}

// AcquireLease implements db.Store. An empty host or pid is this
// process's; Since is kept to the microsecond, as both databases store it.
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
	err = s.execOne(ctx, s.d.Write, "record the lease holder of session "+sessionID,
		`UPDATE trading_sessions SET lease_host = $2, lease_pid = $3, lease_since = $4, lease_heartbeat = $5
		WHERE session_id = $1`, sessionID, h.Host, h.PID, s.time(h.Since), s.time(now))
	if err != nil {
		return nil, errors.Join(err, lk.Unlock(context.WithoutCancel(ctx)))
	}
	return &lease{s: s, sessionID: sessionID, holder: h, lock: lk, beat: now}, nil
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
		return s.leaseRow(ctx, sessionID)
	})
	if err != nil {
		return s.wrap(err, "%s of session %s: find the holder", what, sessionID)
	}
	return fmt.Errorf("%s: %w", what, &db.LeaseHeldError{SessionID: sessionID, Holder: holder})
}

// leaseRow reads the holder the session row names; empty when it names
// none or the session does not exist.
func (s *Store) leaseRow(ctx context.Context, sessionID string) (db.Holder, error) {
	var h db.Holder
	err := s.queryRow(ctx, s.d.Write, "read the lease row of session "+sessionID,
		`SELECT lease_host, lease_pid, lease_since FROM trading_sessions WHERE session_id = $1`,
		[]any{sessionID}, scanStr(&h.Host), scanInt(&h.PID), scanTime(&h.Since))
	if errors.Is(err, db.ErrNotFound) {
		return db.Holder{}, nil
	}
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
	h, err := s.leaseRow(ctx, sessionID)
	return h, err == nil, err
}

// Holder implements db.Lease.
func (l *lease) Holder() db.Holder { return l.holder }

// Alive implements db.Lease: the lock is still held (the driver takes a
// lost one again if it can), and the row still names this holder. It also
// refreshes the row's heartbeat every Driver.Heartbeat.
func (l *lease) Alive(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("lease of session %s was released", l.sessionID)
	}
	if err := l.lock.Check(ctx); err != nil {
		if errors.Is(err, ErrLockHeld) {
			return l.s.heldError(ctx, "lease", l.sessionID)
		}
		return l.s.wrap(err, "check the lease of session %s", l.sessionID)
	}
	row, err := l.s.leaseRow(ctx, l.sessionID)
	if err != nil {
		return err
	}
	if row.Host != l.holder.Host || row.PID != l.holder.PID || !row.Since.Equal(l.holder.Since) {
		return fmt.Errorf("lease: %w", &db.LeaseHeldError{SessionID: l.sessionID, Holder: row})
	}
	if now := l.s.now(); now.Sub(l.beat) >= l.s.d.Heartbeat {
		if _, err := l.s.exec(ctx, l.s.d.Write, "refresh the lease heartbeat of session "+l.sessionID,
			`UPDATE trading_sessions SET lease_heartbeat = $2 WHERE session_id = $1`,
			l.sessionID, l.s.time(now)); err != nil {
			return err
		}
		l.beat = now
	}
	return nil
}

// Release implements db.Lease. It clears the holder's name from the row
// while the lock is still held, only if the row still names this holder,
// then unlocks. It is safe to call more than once.
func (l *lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	_, err := l.s.exec(ctx, l.s.d.Write, "clear the lease row of session "+l.sessionID, `UPDATE trading_sessions
		SET lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat = NULL
		WHERE session_id = $1 AND lease_host = $2 AND lease_pid = $3 AND lease_since = $4`,
		l.sessionID, l.holder.Host, l.holder.PID, l.s.time(l.holder.Since))
	if uerr := l.lock.Unlock(ctx); uerr != nil {
		err = errors.Join(err, l.s.wrap(uerr, "unlock the lease of session %s", l.sessionID))
	}
	return err
}
