// Package sqlitestore is the SQLite driver of the store, on an embedded
// file with the pure Go driver modernc.org/sqlite, so the binary stays
// cgo-free. The shared store (sqlstore) holds every statement; this
// package opens the file, runs statements and transactions, encodes times
// as text, maps SQLite's errors, and holds leases as lock files.
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
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/migrate"
	"github.com/gambler-trader/gambler/internal/db/sqlstore"
)

var _ db.Store = (*Store)(nil)

// readers bounds the read pool; the machines this runs on have few cores.
const readers = 4

// Store is the SQLite implementation of db.Store.
type Store struct {
	*sqlstore.Store
	path string
	// file is the database file as it was opened, to tell when the path
	// no longer leads to it.
	file os.FileInfo
	w    *sql.DB // one connection, IMMEDIATE transactions
	r    *sql.DB // query_only connections
}

type options struct {
	now         func() time.Time
	heartbeat   time.Duration
	busyTimeout time.Duration
}

func newOptions(opts []Option) options {
	o := options{now: time.Now, busyTimeout: DefaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Option changes a Store setting at Open.
type Option func(*options)

// WithClock sets the clock used for lease times and row timestamps the
// caller does not supply.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHeartbeat sets how often a held lease refreshes lease_heartbeat.
func WithHeartbeat(d time.Duration) Option { return func(o *options) { o.heartbeat = d } }

// WithBusyTimeout bounds how long a statement waits for another
// connection's lock (busy_timeout) before it fails with db.ErrBusy. The
// default is DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// DefaultBusyTimeout bounds how long a statement waits for another
// connection's write lock before it fails with db.ErrBusy: well under the
// trader's tick, as PostgreSQL's lock_timeout.
const DefaultBusyTimeout = 2 * time.Second

// WAL bounds: the writer checkpoints every walPages pages (1 MiB with 16
// KiB pages, where SQLite's default of 1000 pages let the WAL reach 16 MB
// and fill a small disk on its own) and a checkpoint truncates the WAL
// file back to walLimit bytes.
const (
	walPages = 64
	walLimit = 1 << 20
)

// common are the settings of every connection; journal_mode is the
// shorthand key that modernc applies after the _pragma list, so the page
// size is set first on a new file.
func common(o options) string {
	return fmt.Sprintf("_pragma=page_size(16384)&_pragma=busy_timeout(%d)&_pragma=foreign_keys(ON)"+
		"&_pragma=synchronous(FULL)", o.busyTimeout.Milliseconds())
}

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite %s: create directory: %w", abs, err)
	}
	o := newOptions(opts)
	w, err := sql.Open("sqlite", abs+"?"+common(o)+fmt.Sprintf("&_pragma=journal_size_limit(%d)"+
		"&_pragma=wal_autocheckpoint(%d)&_journal_mode=WAL&_txlock=immediate", walLimit, walPages))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// The writer connects first so the file exists and is in WAL mode before
	// any reader opens it.
	if _, err := migrate.Up(ctx, w, migrate.SQLite); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, corruptAdvice(err, abs))
	}
	// Readers never create the file: one connecting after the file was
	// removed fails rather than start an empty database at the path.
	r, err := sql.Open("sqlite", fileURI(abs)+"?mode=ro&"+common(o)+"&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return build(abs, w, r, false, o), nil
}

// OpenReadOnly opens the existing database file at path for reading only:
// it creates no file or directory and migrates nothing. A missing file, a
// database whose schema is not this gambler's (migrate.ErrSchemaBehind,
// migrate.ErrSchemaAhead) and a damaged file (db.ErrCorrupt) are errors.
// Writes through the store fail.
//
// Reading a WAL database needs its -shm and -wal files, which SQLite
// creates next to it as for any reader. Where it cannot (a read-only
// directory) and no -wal file holds unmerged commits, the file is read as
// immutable.
func OpenReadOnly(ctx context.Context, path string, opts ...Option) (*Store, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: %w", abs, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open sqlite %s: it is a directory, not a database file", abs)
	}
	o := newOptions(opts)
	uri := fileURI(abs) + "?mode=ro&" + common(o) + "&_pragma=query_only(1)"
	r, err := openChecked(ctx, uri, abs)
	if isCantOpen(err) {
		if _, werr := os.Stat(abs + "-wal"); errors.Is(werr, os.ErrNotExist) {
			r, err = openChecked(ctx, uri+"&immutable=1", abs)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s read-only: %w", abs, err)
	}
	return build(abs, r, r, true, o), nil
}

// openChecked opens a read-only pool and checks the schema version.
func openChecked(ctx context.Context, uri, abs string) (*sql.DB, error) {
	r, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if _, err := migrate.Check(ctx, r, migrate.SQLite); err != nil {
		_ = r.Close()
		return nil, corruptAdvice(err, abs)
	}
	return r, nil
}

// fileURI is the file: URI of an absolute path, which SQLite reads
// options such as mode=ro from.
func fileURI(abs string) string { return "file:" + (&url.URL{Path: abs}).EscapedPath() }

func absPath(path string) (string, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return "", fmt.Errorf("open sqlite: invalid database path %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return abs, nil
}

func build(abs string, w, r *sql.DB, readOnly bool, o options) *Store {
	s := &Store{path: abs, w: w, r: r}
	s.file, _ = os.Stat(abs) // a nil file is never the same as the path's
	d := s.driver(o)
	if readOnly {
		d.Close = r.Close
		d.Locks = readOnlyLocker{locker{s: s}}
	}
	s.Store = sqlstore.New(d)
	return s
}

// CheckIntegrity runs SQLite's quick_check over the whole file: an error
// wrapping db.ErrCorrupt, with how to look closer, when any page is
// damaged. It reads every page, so it is for explicit checks (gambler
// migrate), not for every open.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, corruptAdvice(err, s.path))
	}
	defer func() { _ = rows.Close() }()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("check %s: %w", s.path, corruptAdvice(err, s.path))
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check %s: %w", s.path, corruptAdvice(err, s.path))
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("check %s: %s: %w", s.path, strings.Join(problems, "; "),
			corruptAdvice(db.ErrCorrupt, s.path))
	}
	return nil
}

func (s *Store) driver(o options) sqlstore.Driver {
	return sqlstore.Driver{
		Name:   "sqlite",
		Read:   querier{s.r},
		Write:  writer{querier{s.w}, s},
		InTx:   s.inTx,
		MapErr: s.mapErr,
		Time:   func(t time.Time) any { return t.UTC().Format(db.TimeFormat) },
		JSON:   func(b []byte) any { return string(b) },
		JSONField: func(col, key string) string {
			// -> gives the value's JSON text (a number's digits as
			// written) where ->> would give a REAL; json_valid keeps one
			// malformed snapshot, which a text column can hold, from
			// failing the whole query.
			return "CASE WHEN json_valid(" + col + ") THEN " + col + " -> '$." + key + "' END"
		},
		DeleteBatch: 1000,
		SchemaVersion: func(ctx context.Context) (int64, error) {
			return migrate.Applied(ctx, s.r, migrate.SQLite)
		},
		Close:     func() error { return errors.Join(s.r.Close(), s.w.Close()) },
		Locks:     locker{s: s},
		Now:       o.now,
		Heartbeat: o.heartbeat,
	}
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// inTx runs fn in one IMMEDIATE write transaction.
func (s *Store) inTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.relieved(ctx, fmt.Errorf("begin: %w", err))
	}
	if err := fn(querier{tx}); err != nil {
		_ = tx.Rollback()
		return s.relieved(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return s.relieved(ctx, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// relieved passes err on; when the disk is full it first checkpoints the
// WAL into the database and truncates it, which gives back the WAL's
// space, so that the next write, or the final checkpoint of a shutdown,
// can succeed. (It cannot when the database file must grow by more than
// the disk has left for the pages the WAL holds.)
func (s *Store) relieved(ctx context.Context, err error) error {
	if isDiskFull(err) {
		_, _ = s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return err
}

// writer runs single-statement writes, relieving a full disk.
type writer struct {
	querier
	s *Store
}

func (w writer) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	n, err := w.querier.Exec(ctx, query, args...)
	return n, w.s.relieved(ctx, err)
}

func (w writer) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := w.querier.Query(ctx, query, args...)
	return rows, w.s.relieved(ctx, err)
}

// querier runs statements on a pool or on one transaction.
type querier struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// sqlRows adapts *sql.Rows, whose Close reports an error that Err reports
// too.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }
