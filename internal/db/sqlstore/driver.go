// Package sqlstore implements db.Store once, in SQL that PostgreSQL and
// SQLite both accept. A driver (pgstore, sqlitestore) supplies only what
// differs between the two databases: how to run a statement and a
// transaction, how a time or a JSON value is passed, a few statement
// fragments, how driver errors map onto the contract's sentinels, and the
// operating-system side of the lease. Every transaction's logic, every
// default and every ordering is decided here, so the drivers cannot drift
// apart.
//
// Statements use $1, $2, ... placeholders, which both databases bind by
// position.
package sqlstore

import (
	"context"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// Rows is a result set being read.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements: on a connection pool (each statement its own
// transaction) or inside one transaction.
type Querier interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
}

// Driver is what one database supplies to the shared store.
type Driver struct {
	// Name is what Store.Driver returns: "postgres" or "sqlite".
	Name string
	// Read runs reads that need no transaction.
	Read Querier
	// Write runs single-statement writes, each its own transaction.
	Write Querier
	// InTx runs fn in one write transaction, committed when fn returns
	// nil and rolled back otherwise.
	InTx func(ctx context.Context, fn func(Querier) error) error
	// MapErr translates a driver error into one wrapping the contract's
	// sentinels (db.ErrConflict for a unique violation, db.ErrNotFound for
	// a missing referenced session, db.ErrImmutable, db.ErrBusy,
	// db.ErrPermission, db.ErrDiskFull), keeping the driver's message.
	MapErr func(error) error
	// Time encodes a time argument (UTC) for the database's time columns.
	Time func(time.Time) any
	// JSON encodes the text of a JSON value for a JSON column.
	JSON func([]byte) any
	// JSONField is the SQL that extracts the JSON text of key from the
	// JSON object in column col, null when it is absent or the column does
	// not hold JSON.
	JSONField func(col, key string) string
	// LockShared is appended to the fence's SELECT of the session row so
	// that the row stays locked against a takeover's epoch increment until
	// the fenced transaction ends (PostgreSQL: " FOR SHARE"); "" where a
	// write transaction already excludes every other writer (SQLite).
	LockShared string
	// LockForUpdate is LockShared for a fenced write that then updates the
	// session row itself, so that two such writers never both hold a
	// shared lock they must upgrade (PostgreSQL: " FOR NO KEY UPDATE").
	LockForUpdate string
	// DeleteBatch is the default number of checkpoint rows per DELETE.
	DeleteBatch int
	// SchemaVersion reads the newest applied migration.
	SchemaVersion func(ctx context.Context) (int64, error)
	// Close closes the pools.
	Close func() error
	// Heartbeat is how often Lease.Alive refreshes lease_heartbeat, the
	// time a person reading the row sees the holder last checked its lease
	// (default 5 s).
	Heartbeat time.Duration
	// Locks takes and checks the operating-system side of leases.
	Locks Locker
	// Now is the clock for times the caller does not supply.
	Now func() time.Time
}

// Locker is a driver's lock that keeps a second process off a session:
// a PostgreSQL advisory lock, or an flock(2) on a file. The shared store
// keeps the lease row (holder, epoch, heartbeat) itself.
type Locker interface {
	// TryLock takes sessionID's lock without waiting. held reports that
	// another process (or another lease of this one) has it.
	TryLock(ctx context.Context, sessionID string, h db.Holder) (l Lock, held bool, err error)
	// Probe reports whether some process holds sessionID's lock.
	Probe(ctx context.Context, sessionID string) (bool, error)
	// LiveHolder names the process holding sessionID's lock; row reads
	// the holder the lease row names, which may lag behind the lock.
	LiveHolder(ctx context.Context, sessionID string, row func(context.Context) (db.Holder, error)) (db.Holder, error)
}

// Lock is one held lock.
type Lock interface {
	// Check returns nil while the lock is held. A lock the database lost
	// (a dropped connection) is taken again if it is free; when another
	// process has it, Check returns an error wrapping ErrLockHeld. An
	// error wrapping db.ErrStoreReplaced says the lock, or the database,
	// is no longer the one this process opened.
	Check(ctx context.Context) error
	// Unlock releases the lock; a second call does nothing.
	Unlock(ctx context.Context) error
}
