package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/sqlstore"
)

// leaseKey derives the advisory lock key from the session id. It hashes in
// Go rather than with hashtext so the key never changes with the server
// version.
func leaseKey(sessionID string) int64 {
	sum := sha256.Sum256([]byte("gambler-lease:" + sessionID))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// locker holds each lease as a session-level advisory lock on a connection
// taken out of the pool for the lease's whole life: the lock lives exactly
// as long as that connection, so a crashed process loses its lease when
// its socket closes.
type locker struct{ pool *pgxpool.Pool }

// lock is one held advisory lock.
type lock struct {
	pool   *pgxpool.Pool
	key    int64
	holder db.Holder
	conn   *pgx.Conn // nil while lost to an outage
}

// TryLock implements sqlstore.Locker. The connection's application_name
// names the holder, so a process that is refused reads the holder from
// the lock itself rather than from a row the winner may not have written
// yet.
func (k locker) TryLock(ctx context.Context, sessionID string, h db.Holder) (sqlstore.Lock, bool, error) {
	conn, got, err := tryLock(ctx, k.pool, leaseKey(sessionID), h)
	if err != nil || !got {
		return nil, !got && err == nil, err
	}
	return &lock{pool: k.pool, key: leaseKey(sessionID), holder: h, conn: conn}, false, nil
}

// tryLock takes the key's lock on a connection of its own; the connection
// is closed unless the lock was taken.
func tryLock(ctx context.Context, pool *pgxpool.Pool, key int64, h db.Holder) (*pgx.Conn, bool, error) {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	conn := pc.Hijack()
	var got bool
	err = conn.QueryRow(ctx, `SELECT set_config('application_name', $2, false) IS NOT NULL AND pg_try_advisory_lock($1)`,
		key, appName(h)).Scan(&got)
	if err != nil || !got {
		closeQuietly(conn)
		return nil, false, err
	}
	return conn, true, nil
}

func appName(h db.Holder) string {
	return fmt.Sprintf("gambler-lease pid=%d host=%.30s", h.PID, h.Host)
}

// Probe implements sqlstore.Locker: a lock it can take itself is free; it
// lets go at once.
func (k locker) Probe(ctx context.Context, sessionID string) (bool, error) {
	pc, err := k.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	key := leaseKey(sessionID)
	var free bool
	if err := pc.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&free); err != nil {
		// The lock may or may not have been taken: never return this
		// connection to the pool.
		closeQuietly(pc.Hijack())
		return false, err
	}
	if free {
		if _, err := pc.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			closeQuietly(pc.Hijack())
			return false, err
		}
	}
	pc.Release()
	return !free, nil
}

// lockOwner reads the application_name of the connection holding key's
// lock, and parses the holder it names; found is false when nobody holds
// it.
func lockOwner(ctx context.Context, pool *pgxpool.Pool, key int64) (db.Holder, bool, error) {
	var app string
	err := pool.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
		int64(uint32(uint64(key)>>32)), int64(uint32(uint64(key)))).Scan(&app)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Holder{}, false, nil
	}
	if err != nil {
		return db.Holder{}, false, err
	}
	var h db.Holder
	_, _ = fmt.Sscanf(app, "gambler-lease pid=%d host=%s", &h.PID, &h.Host)
	return h, true, nil
}

// LiveHolder implements sqlstore.Locker. The lock's connection says which
// pid holds it; the row adds the host and the start time once the holder
// has written it (it may be between taking the lock and recording itself,
// so the row is awaited briefly).
func (k locker) LiveHolder(ctx context.Context, sessionID string,
	row func(context.Context) (db.Holder, error)) (db.Holder, error) {
	live, found, err := lockOwner(ctx, k.pool, leaseKey(sessionID))
	if err != nil {
		return db.Holder{}, err
	}
	if !found {
		return row(ctx) // released meanwhile
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		r, err := row(ctx)
		if err != nil {
			return db.Holder{}, err
		}
		if live.PID == 0 || r.PID == live.PID {
			return r, nil
		}
		if time.Now().After(deadline) {
			return live, nil
		}
		select {
		case <-ctx.Done():
			return live, nil
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// Check implements sqlstore.Lock. The advisory lock dies with its
// connection, so an outage that broke the connection cost the lock: it is
// taken again on a new connection unless another process has it. A
// terminated backend lets go of its locks only once it has exited, so for
// a moment the lock may still be held in this holder's own name.
func (l *lock) Check(ctx context.Context) error {
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err == nil {
			return nil
		}
		closeQuietly(l.conn)
		l.conn = nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, got, err := tryLock(ctx, l.pool, l.key, l.holder)
		if err != nil {
			return fmt.Errorf("take the lease lock again: %w", err)
		}
		if got {
			l.conn = conn
			return nil
		}
		owner, found, err := lockOwner(ctx, l.pool, l.key)
		if err != nil {
			return fmt.Errorf("take the lease lock again: %w", err)
		}
		ours := found && owner.PID == l.holder.PID && owner.Host == fmt.Sprintf("%.30s", l.holder.Host)
		if found && !ours || time.Now().After(deadline) {
			return sqlstore.ErrLockHeld
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("take the lease lock again: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Unlock implements sqlstore.Lock. Closing the connection alone would
// release the lock too, which is why a failed unlock is not an error worth
// keeping the connection for.
func (l *lock) Unlock(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	conn := l.conn
	l.conn = nil
	_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	return conn.Close(ctx)
}

func closeQuietly(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
