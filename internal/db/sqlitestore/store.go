// Package sqlitestore implements db.Store on an embedded SQLite file with the
// pure Go driver modernc.org/sqlite, so the binary stays cgo-free.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so every
// commit is fsynced before it returns. Trading state (journal, fills,
// positions) is RPO 0; NORMAL would be faster but may lose the last commits
// on power loss, which docs/design.md (Rules 1) forbids.
//
// Pages are 16 KiB (set before the file's first write, so journal_mode is
// the shorthand key that modernc applies after the _pragma list): a
// checkpoint row of ten positions is about 2.3 KB, and 4 KiB pages held one
// such row each.
//
// Concurrency: SQLite has one writer at a time. The store keeps two pools: a
// single-connection writer whose transactions begin IMMEDIATE (so a
// transaction never has to upgrade a read lock to a write lock, the classic
// SQLITE_BUSY deadlock), and a small read-only pool that WAL lets run
// alongside the writer. Writers of other processes are waited for by
// busy_timeout.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/migrate"
)

var _ db.Store = (*Store)(nil)

// readers bounds the read pool; the machines this runs on have few cores.
const readers = 4

// Store is the SQLite implementation of db.Store.
type Store struct {
	path      string
	w         *sql.DB // one connection, IMMEDIATE transactions
	r         *sql.DB // query_only connections
	now       func() time.Time
	heartbeat time.Duration
	log       zerolog.Logger
}

// Option changes a Store setting at Open.
type Option func(*Store)

// WithClock sets the clock used for lease times and row timestamps the
// caller does not supply.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithHeartbeat sets how often a held lease refreshes lease_heartbeat.
func WithHeartbeat(d time.Duration) Option { return func(s *Store) { s.heartbeat = d } }

// WithLogger sets where background failures (lease heartbeats) are logged.
func WithLogger(l zerolog.Logger) Option { return func(s *Store) { s.log = l } }

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite: invalid database path %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite %s: create directory: %w", abs, err)
	}
	s := &Store{path: abs, now: time.Now, heartbeat: 5 * time.Second, log: zerolog.Nop()}
	for _, o := range opts {
		o(s)
	}
	const common = "_pragma=page_size(16384)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", abs+"?"+common+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	s.w = w
	// The writer connects first so the file exists and is in WAL mode before
	// any reader opens it.
	if _, err := migrate.Up(ctx, w, migrate.SQLite); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	r, err := sql.Open("sqlite", abs+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s.r = r
	return s, nil
}

// Driver implements db.Store.
func (s *Store) Driver() string { return "sqlite" }

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// SchemaVersion implements db.Store.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	return migrate.Version(ctx, s.w, migrate.SQLite)
}

// Close closes both pools. Leases must be released before.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// inTx runs fn in one IMMEDIATE write transaction and commits it when fn
// returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

// execOne runs a single-row write and reports ErrNotFound when it touched
// no row.
func (s *Store) execOne(ctx context.Context, what, key string, q string, args ...any) error {
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, key, mapErr(err))
	}
	return affectedOne(res, what, key)
}

func affectedOne(res sql.Result, what, key string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, key, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", what, key, db.ErrNotFound)
	}
	return nil
}

// queryer is what row readers need from *sql.DB and *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// collect scans every row of q with scan.
func collect[T any](ctx context.Context, qr queryer, what string, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, mapErr(err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, mapErr(err))
	}
	return out, nil
}

// first returns the first row of q or ErrNotFound.
func first[T any](ctx context.Context, qr queryer, what string, scan func(*sql.Rows) (T, error), q string, args ...any) (T, error) {
	var zero T
	all, err := collect(ctx, qr, what, scan, q, args...)
	if err != nil {
		return zero, err
	}
	if len(all) == 0 {
		return zero, fmt.Errorf("%s: %w", what, db.ErrNotFound)
	}
	return all[0], nil
}
