package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/gambler-trader/gambler/internal/db"
)

// The lease is an exclusive flock(2) on <db>.lease-<session>.lock, held for
// the lease's life, plus the lease_* columns of the session row that name
// the holder. The OS lock is the truth: it dies with the process, so a
// crashed holder never blocks a resume, and since flock belongs to an open
// file description two leases in one process conflict as well. The row is
// only the holder's name card, refreshed by a heartbeat.
//
// Lock files are never removed: a process that opened the old file could
// otherwise lock an unlinked inode while another locks a new one.

// probeRetries covers a LeaseHolder probe that holds the lock for an
// instant: an acquire that collides with it tries again shortly.
const (
	probeRetries = 5
	probeDelay   = 10 * time.Millisecond
)

func (s *Store) lockPath(sessionID string) (string, error) {
	if sessionID == "" || sessionID == "." || sessionID == ".." ||
		strings.ContainsAny(sessionID, `/\`+"\x00") {
		return "", fmt.Errorf("session id %q cannot name a lease file", sessionID)
	}
	return s.path + ".lease-" + sessionID + ".lock", nil
}

// AcquireLease implements db.Store.
func (s *Store) AcquireLease(ctx context.Context, sessionID string, h db.Holder) (db.Lease, error) {
	path, err := s.lockPath(sessionID)
	if err != nil {
		return nil, fmt.Errorf("acquire lease: %w", err)
	}
	fl := flock.New(path)
	ok, err := tryLock(ctx, fl)
	if err != nil {
		return nil, fmt.Errorf("acquire lease of %s: %w", sessionID, err)
	}
	if !ok {
		holder, err := s.liveHolder(ctx, sessionID)
		if err != nil {
			return nil, fmt.Errorf("acquire lease of %s: %w", sessionID, err)
		}
		return nil, fmt.Errorf("acquire lease: %w", &db.LeaseHeldError{SessionID: sessionID, Holder: holder})
	}
	h = s.fillHolder(h)
	err = s.execOne(ctx, "record lease of session", sessionID, `UPDATE trading_sessions
		SET lease_host = ?, lease_pid = ?, lease_since = ?, lease_heartbeat = ? WHERE session_id = ?`,
		h.Host, h.PID, ts(h.Since), ts(s.now()), sessionID)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("acquire lease: %w", err), fl.Unlock())
	}
	l := &lease{s: s, fl: fl, sessionID: sessionID, holder: h, stop: make(chan struct{}), done: make(chan struct{})}
	go l.beat()
	return l, nil
}

func tryLock(ctx context.Context, fl *flock.Flock) (bool, error) {
	for i := 0; ; i++ {
		ok, err := fl.TryLock()
		if err != nil || ok || i == probeRetries {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(probeDelay):
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
	if h.Since.IsZero() {
		h.Since = s.now()
	}
	h.Since = h.Since.UTC()
	return h
}

// LeaseHolder implements db.Store. A lock it can take itself is not held;
// it lets go at once.
func (s *Store) LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error) {
	path, err := s.lockPath(sessionID)
	if err != nil {
		return db.Holder{}, false, fmt.Errorf("lease holder: %w", err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return db.Holder{}, false, nil // never leased
	}
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return db.Holder{}, false, fmt.Errorf("lease holder of %s: %w", sessionID, err)
	}
	if ok {
		return db.Holder{}, false, fl.Unlock()
	}
	h, err := s.rowHolder(ctx, sessionID)
	if err != nil {
		return db.Holder{}, false, fmt.Errorf("lease holder of %s: %w", sessionID, err)
	}
	return h, true, nil
}

// liveHolder names the process that holds the lock. The winner of a race
// takes the lock first and writes its name into the row just after, so a
// row that names nobody, or a process of this host that no longer exists (a
// holder killed with -9 leaves its name behind), is awaited briefly.
func (s *Store) liveHolder(ctx context.Context, sessionID string) (db.Holder, error) {
	host, _ := os.Hostname()
	deadline := time.Now().Add(2 * time.Second)
	for {
		h, err := s.rowHolder(ctx, sessionID)
		if err != nil {
			return db.Holder{}, err
		}
		stale := h.PID == 0 || (h.Host == host && !processAlive(h.PID))
		if !stale || time.Now().After(deadline) {
			return h, nil
		}
		select {
		case <-ctx.Done():
			return h, nil
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// processAlive reports whether a process with pid exists on this host.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// rowHolder reads the holder named in the session row; empty when the row
// names none (the holder may not have written it yet).
func (s *Store) rowHolder(ctx context.Context, sessionID string) (db.Holder, error) {
	var host, since sql.NullString
	var pid sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT lease_host, lease_pid, lease_since FROM trading_sessions
		WHERE session_id = ?`, sessionID).Scan(&host, &pid, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return db.Holder{}, nil
	}
	if err != nil {
		return db.Holder{}, fmt.Errorf("read lease row: %w", mapErr(err))
	}
	at, err := timeOf(since)
	if err != nil {
		return db.Holder{}, fmt.Errorf("read lease row: %w", err)
	}
	return db.Holder{Host: host.String, PID: int(pid.Int64), Since: at}, nil
}

type lease struct {
	s         *Store
	fl        *flock.Flock
	sessionID string
	holder    db.Holder
	stop      chan struct{}
	done      chan struct{}

	mu       sync.Mutex
	released bool
}

func (l *lease) Holder() db.Holder { return l.holder }

// beat refreshes lease_heartbeat until Release. The context is its own: the
// lease outlives the call that acquired it.
func (l *lease) beat() {
	defer close(l.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-l.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(l.s.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_, err := l.s.w.ExecContext(ctx, `UPDATE trading_sessions SET lease_heartbeat = ?
				WHERE session_id = ?`, ts(l.s.now()), l.sessionID)
			if err != nil && ctx.Err() == nil {
				l.s.log.Warn().Err(err).Str("session", l.sessionID).Msg("lease heartbeat failed")
			}
		}
	}
}

// Release implements db.Lease. It clears the holder's name from the row
// while the lock is still held, then unlocks; the lock file stays.
func (l *lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	close(l.stop)
	<-l.done
	// The row is cleared even when ctx is already cancelled (shutdown), as
	// long as the database answers within the busy timeout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := l.s.w.ExecContext(ctx, `UPDATE trading_sessions
		SET lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat = NULL
		WHERE session_id = ? AND lease_host = ? AND lease_pid = ? AND lease_since = ?`,
		l.sessionID, l.holder.Host, l.holder.PID, ts(l.holder.Since))
	if err != nil {
		err = fmt.Errorf("clear lease row of %s: %w", l.sessionID, mapErr(err))
	}
	if uerr := l.fl.Unlock(); uerr != nil {
		err = errors.Join(err, fmt.Errorf("unlock lease of %s: %w", l.sessionID, uerr))
	}
	return err
}

// Alive implements db.Lease. The flock belongs to this process's open file
// and cannot be lost while the process lives, so only a released lease is
// dead.
func (l *lease) Alive(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("lease of session %s was released", l.sessionID)
	}
	return nil
}
