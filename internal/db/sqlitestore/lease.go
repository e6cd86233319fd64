package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/sqlstore"
)

// A lease's lock is an exclusive flock(2) on <db>.lease-<session>.lock,
// held for the lease's life. The OS lock is the truth: it dies with the
// process, so a crashed holder never blocks a resume, and since flock
// belongs to an open file description two leases in one process conflict
// as well.
//
// Lock files are never removed: a process that opened the old file could
// otherwise lock an unlinked inode while another locks a new one.

// probeRetries covers a LeaseHolder probe that holds the lock for an
// instant: an acquire that collides with it tries again shortly.
const (
	probeRetries = 5
	probeDelay   = 10 * time.Millisecond
)

type locker struct{ s *Store }

type lock struct {
	s  *Store
	fl *flock.Flock
}

func (k locker) lockPath(sessionID string) (string, error) {
	if sessionID == "" || sessionID == "." || sessionID == ".." ||
		strings.ContainsAny(sessionID, `/\`+"\x00") {
		return "", fmt.Errorf("session id %q cannot name a lease file", sessionID)
	}
	return LeaseFile(k.s.path, sessionID), nil
}

// LeaseFile is the lock file of a session's lease beside the SQLite
// database at dbPath.
func LeaseFile(dbPath, sessionID string) string {
	return dbPath + ".lease-" + sessionID + ".lock"
}

// TryLock implements sqlstore.Locker.
func (k locker) TryLock(ctx context.Context, sessionID string, _ db.Holder) (sqlstore.Lock, bool, error) {
	path, err := k.lockPath(sessionID)
	if err != nil {
		return nil, false, err
	}
	fl := flock.New(path)
	for i := 0; ; i++ {
		ok, err := fl.TryLock()
		if err != nil {
			return nil, false, err
		}
		if ok {
			return &lock{s: k.s, fl: fl}, false, nil
		}
		if i == probeRetries {
			return nil, true, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(probeDelay):
		}
	}
}

// Probe implements sqlstore.Locker. A lock it can take itself is not held;
// it lets go at once.
func (k locker) Probe(_ context.Context, sessionID string) (bool, error) {
	path, err := k.lockPath(sessionID)
	if err != nil {
		return false, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil // never leased
	}
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return false, err
	}
	if ok {
		return false, fl.Unlock()
	}
	return true, nil
}

// LiveHolder implements sqlstore.Locker. The winner of a race takes the
// lock first and writes its name into the row just after, so a row that
// names nobody, or a process of this host that no longer exists (a holder
// killed with -9 leaves its name behind), is awaited briefly.
func (k locker) LiveHolder(ctx context.Context, _ string,
	row func(context.Context) (db.Holder, error)) (db.Holder, error) {
	host, _ := os.Hostname()
	deadline := time.Now().Add(2 * time.Second)
	for {
		h, err := row(ctx)
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

// Check implements sqlstore.Lock. The flock belongs to this process's
// open file and cannot be lost while the process lives, but the file can
// stop being the one the path names: the database file removed (rm g.db
// g.db-wal g.db-shm) or replaced leaves this process writing to an
// unlinked inode nobody will read, and a removed lock file lets a second
// process lock a new one at the same path.
func (l *lock) Check(context.Context) error {
	if err := sameFile(l.s.path, l.s.file); err != nil {
		return fmt.Errorf("the database file %w", err)
	}
	held, err := l.fl.Stat()
	if err != nil {
		return fmt.Errorf("stat the lease lock file %s: %w", l.fl.Path(), err)
	}
	if err := sameFile(l.fl.Path(), held); err != nil {
		return fmt.Errorf("the lease lock file %w", err)
	}
	return nil
}

// sameFile checks that path still names the file opened as fi.
func sameFile(path string, fi os.FileInfo) error {
	now, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s was removed while in use: %w", path, db.ErrStoreReplaced)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case fi == nil || !os.SameFile(fi, now):
		return fmt.Errorf("%s was replaced while in use: %w", path, db.ErrStoreReplaced)
	}
	return nil
}

// Unlock implements sqlstore.Lock; the lock file stays. A second call
// does nothing.
func (l *lock) Unlock(context.Context) error { return l.fl.Unlock() }

// readOnlyLocker refuses leases: a store opened read-only never writes,
// and taking a lock would create the lock file.
type readOnlyLocker struct{ locker }

func (readOnlyLocker) TryLock(context.Context, string, db.Holder) (sqlstore.Lock, bool, error) {
	return nil, false, errors.New("the store is open read-only: it cannot take a lease")
}
