package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// leaseKey derives the advisory lock key from the session id. It hashes in
// Go rather than with hashtext so the key never changes with the server
// version.
func leaseKey(sessionID string) int64 {
	sum := sha256.Sum256([]byte("gambler-lease:" + sessionID))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// lease holds a session-level advisory lock on a connection taken out of the
// pool for the lease's whole life: the lock lives exactly as long as that
// connection, so a crashed process loses its lease when its socket closes.
type lease struct {
	s         *Store
	sessionID string
	key       int64
	holder    db.Holder

	mu       sync.Mutex
	conn     *pgx.Conn // nil once released, or while lost to an outage
	released bool
}

// AcquireLease implements db.Store.
func (s *Store) AcquireLease(ctx context.Context, sessionID string, h db.Holder) (db.Lease, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, wrapErr(err, "acquire lease of session %s", sessionID)
	}
	if h.Since.IsZero() {
		h.Since = s.now()
	}
	h.Since = h.Since.UTC()
	conn, err := s.lockOn(ctx, pc.Hijack(), sessionID, h)
	if err != nil {
		return nil, err
	}
	return &lease{s: s, sessionID: sessionID, key: leaseKey(sessionID), holder: h, conn: conn}, nil
}

// lockOn takes the session's advisory lock on conn and records the holder.
// The connection's application_name names the holder too, so a process that
// is refused reads the holder from the lock itself rather than from a row
// the winner may not have written yet.
func (s *Store) lockOn(ctx context.Context, conn *pgx.Conn, sessionID string, h db.Holder) (*pgx.Conn, error) {
	key := leaseKey(sessionID)
	var got bool
	err := conn.QueryRow(ctx, `SELECT set_config('application_name', $2, false) IS NOT NULL AND pg_try_advisory_lock($1)`,
		key, fmt.Sprintf("gambler-lease pid=%d host=%.30s", h.PID, h.Host)).Scan(&got)
	if err != nil {
		closeQuietly(conn)
		return nil, wrapErr(err, "acquire lease of session %s", sessionID)
	}
	if !got {
		closeQuietly(conn)
		holder, err := s.liveHolder(ctx, sessionID)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("acquire lease: %w", &db.LeaseHeldError{SessionID: sessionID, Holder: holder})
	}
	err = execOne(ctx, conn, "record lease holder of session "+sessionID,
		`UPDATE trading_sessions SET lease_host = $2, lease_pid = $3, lease_since = $4, lease_heartbeat = $5
		WHERE session_id = $1`, sessionID, h.Host, h.PID, h.Since, s.now())
	if err != nil {
		// Closing the session releases its advisory lock.
		closeQuietly(conn)
		return nil, err
	}
	return conn, nil
}

// liveHolder names the process that holds the session's advisory lock. The
// lock's connection says which pid holds it; the row adds the host and the
// start time once the holder has written it (it may be between taking the
// lock and recording itself, so the row is awaited briefly).
func (s *Store) liveHolder(ctx context.Context, sessionID string) (db.Holder, error) {
	key := leaseKey(sessionID)
	var app string
	err := s.pool.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
		int64(uint32(uint64(key)>>32)), int64(uint32(uint64(key)))).Scan(&app)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.readHolder(ctx, sessionID) // released meanwhile
	}
	if err != nil {
		return db.Holder{}, wrapErr(err, "find lease holder of session %s", sessionID)
	}
	var live db.Holder
	_, _ = fmt.Sscanf(app, "gambler-lease pid=%d host=%s", &live.PID, &live.Host)
	deadline := time.Now().Add(2 * time.Second)
	for {
		row, err := s.readHolder(ctx, sessionID)
		if err != nil {
			return db.Holder{}, err
		}
		if live.PID == 0 || row.PID == live.PID || time.Now().After(deadline) {
			if row.PID == live.PID || live.PID == 0 {
				return row, nil
			}
			return live, nil
		}
		select {
		case <-ctx.Done():
			return live, nil
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (s *Store) readHolder(ctx context.Context, sessionID string) (db.Holder, error) {
	var (
		host  *string
		pid   *int32
		since *time.Time
	)
	err := s.pool.QueryRow(ctx,
		`SELECT lease_host, lease_pid, lease_since FROM trading_sessions WHERE session_id = $1`,
		sessionID).Scan(&host, &pid, &since)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return db.Holder{}, wrapErr(err, "read lease holder of session %s", sessionID)
	}
	h := db.Holder{Host: derefString(host), PID: derefInt(pid)}
	if since != nil {
		h.Since = since.UTC()
	}
	return h, nil
}

// LeaseHolder implements db.Store: the advisory lock, not the row, says
// whether the lease is live; the row only names the holder.
func (s *Store) LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return db.Holder{}, false, wrapErr(err, "check lease of session %s", sessionID)
	}
	key := leaseKey(sessionID)
	var free bool
	if err := pc.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&free); err != nil {
		// The lock may or may not have been taken: never return this
		// connection to the pool.
		closeQuietly(pc.Hijack())
		return db.Holder{}, false, wrapErr(err, "check lease of session %s", sessionID)
	}
	if free {
		if _, err := pc.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			closeQuietly(pc.Hijack())
			return db.Holder{}, false, wrapErr(err, "check lease of session %s", sessionID)
		}
		pc.Release()
		return db.Holder{}, false, nil
	}
	pc.Release()
	h, err := s.readHolder(ctx, sessionID)
	if err != nil {
		return db.Holder{}, false, err
	}
	return h, true, nil
}

// Alive implements db.Lease. The advisory lock dies with its connection, so
// an outage that broke the connection cost the lease: it is taken again on a
// new connection, unless another process took the session meanwhile.
func (l *lease) Alive(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("lease of session %s was released", l.sessionID)
	}
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err == nil {
			return nil
		}
		closeQuietly(l.conn)
		l.conn = nil
	}
	// A terminated backend lets go of its locks only once it has exited,
	// so for a moment the lock may still be held in our own name.
	deadline := time.Now().Add(5 * time.Second)
	for {
		pc, err := l.s.pool.Acquire(ctx)
		if err != nil {
			return wrapErr(err, "retake lease of session %s", l.sessionID)
		}
		conn, err := l.s.lockOn(ctx, pc.Hijack(), l.sessionID, l.holder)
		if err == nil {
			l.conn = conn
			return nil
		}
		var held *db.LeaseHeldError
		ours := errors.As(err, &held) && held.Holder.PID == l.holder.PID && held.Holder.Host == l.holder.Host
		if !ours || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("retake lease of session %s: %w", l.sessionID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Holder implements db.Lease.
func (l *lease) Holder() db.Holder { return l.holder }

// Release implements db.Lease. It clears the holder columns while the lock
// is still held (so it never erases a successor's), unlocks, and closes the
// dedicated connection; closing alone would release the lock too, which is
// why a failed unlock is not an error worth keeping the connection for.
func (l *lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	if l.conn == nil {
		return nil
	}
	conn := l.conn
	l.conn = nil
	_, clearErr := conn.Exec(ctx, `UPDATE trading_sessions
		SET lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat = NULL
		WHERE session_id = $1`, l.sessionID)
	_, unlockErr := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	closeErr := conn.Close(context.WithoutCancel(ctx))
	if closeErr != nil {
		return fmt.Errorf("release lease of session %s: %w", l.sessionID,
			errors.Join(clearErr, unlockErr, closeErr))
	}
	return nil
}

func closeQuietly(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
