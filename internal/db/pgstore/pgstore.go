// Package pgstore is the PostgreSQL driver of the store: a pgx connection
// pool, the dialect the shared store (sqlstore) needs, and leases held as
// advisory locks. It is the production store that several trader
// processes on several machines share, so every write is a short
// transaction and every listing reads indexes rather than payloads.
package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/migrate"
	"github.com/gambler-trader/gambler/internal/db/sqlstore"
)

var _ db.Store = (*Store)(nil)

// Store is a db.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

// Default timeouts: well under the trader's tick, so that a blocked
// statement gives up and the tick goes on.
const (
	DefaultLockTimeout      = 2 * time.Second
	DefaultStatementTimeout = 5 * time.Second
)

// idleInTransactionTimeout ends a transaction whose client stopped
// talking mid-way (a frozen or paused process): the server closes that
// connection and lets go of its locks, so that a takeover's epoch bump,
// which waits for the session row, is not blocked by a process that may
// never run again. The trader's own transactions never idle: each runs
// its statements back to back.
const idleInTransactionTimeout = 5 * time.Second

type options struct {
	lockTimeout, statementTimeout time.Duration
}

// Option changes a Store setting at Open.
type Option func(*options)

// WithLockTimeout bounds how long a statement waits for a lock another
// transaction holds (lock_timeout); it then fails with db.ErrBusy. Zero
// waits forever. The default is DefaultLockTimeout.
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// WithStatementTimeout bounds how long any statement runs
// (statement_timeout); it then fails with db.ErrBusy. Zero lets it run.
// The default is DefaultStatementTimeout.
func WithStatementTimeout(d time.Duration) Option { return func(o *options) { o.statementTimeout = d } }

// Open connects to the PostgreSQL database at url and applies pending
// migrations (without the statement timeouts, on a connection of their
// own). Errors never contain the URL's password.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	return open(ctx, url, false, opts)
}

// OpenReadOnly connects to the PostgreSQL database at url for reading
// only: every transaction is read-only and nothing is migrated. A
// database whose schema is not this gambler's is an error wrapping
// migrate.ErrSchemaBehind or migrate.ErrSchemaAhead.
func OpenReadOnly(ctx context.Context, url string, opts ...Option) (*Store, error) {
	return open(ctx, url, true, opts)
}

func open(ctx context.Context, url string, readOnly bool, opts []Option) (*Store, error) {
	o := options{lockTimeout: DefaultLockTimeout, statementTimeout: DefaultStatementTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL URL %s: %w", redactURL(url), redactErr(mapErr(err), url))
	}
	if !readOnly {
		// Before the pool, whose timeouts a long migration must not hit.
		if err := migrateAt(ctx, cfg.ConnConfig.Copy()); err != nil {
			return nil, redactErr(mapErr(err), url)
		}
	}
	cfg.AfterConnect = afterConnect
	params := cfg.ConnConfig.RuntimeParams
	params["lock_timeout"] = strconv.FormatInt(o.lockTimeout.Milliseconds(), 10)
	params["statement_timeout"] = strconv.FormatInt(o.statementTimeout.Milliseconds(), 10)
	params["idle_in_transaction_session_timeout"] = strconv.FormatInt(idleInTransactionTimeout.Milliseconds(), 10)
	if readOnly {
		params["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL %s: %w", redactURL(url), redactErr(mapErr(err), url))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL %s (is the server running and the URL right?): %w",
			redactURL(url), redactErr(mapErr(err), url))
	}
	s := &Store{pool: pool}
	if readOnly {
		if _, err := s.withSQLDB(ctx, migrate.Check); err != nil {
			pool.Close()
			return nil, redactErr(mapErr(err), url)
		}
	}
	s.Store = sqlstore.New(s.driver())
	return s, nil
}

// migrateAt applies pending migrations on a connection of its own.
func migrateAt(ctx context.Context, cfg *pgx.ConnConfig) error {
	sqlDB := stdlib.OpenDB(*cfg)
	defer func() { _ = sqlDB.Close() }()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to PostgreSQL %s (is the server running and the URL right?): %w",
			redactURL(cfg.ConnString()), err)
	}
	_, err := migrate.Up(ctx, sqlDB, migrate.Postgres)
	return err
}

func (s *Store) driver() sqlstore.Driver {
	q := querier{s.pool}
	return sqlstore.Driver{
		Name:   "postgres",
		Read:   q,
		Write:  q,
		InTx:   s.inTx,
		MapErr: mapErr,
		Time:   func(t time.Time) any { return t },
		JSON:   func(b []byte) any { return b },
		JSONField: func(col, key string) string {
			// -> gives the value's JSON text as stored; ->> would unquote
			// strings.
			return "(" + col + " -> '" + key + "')::text"
		},
		LockShared:    " FOR SHARE",
		LockForUpdate: " FOR NO KEY UPDATE",
		RowVersion:    "xmin",
		DeleteBatch:   250,
		SchemaVersion: func(ctx context.Context) (int64, error) {
			return s.withSQLDB(ctx, migrate.Applied)
		},
		Close: func() error { s.pool.Close(); return nil },
		Locks: locker{pool: s.pool},
		Now:   time.Now,
	}
}

func afterConnect(ctx context.Context, c *pgx.Conn) error {
	// Times come back in UTC whatever the server's or host's zone.
	c.TypeMap().RegisterType(&pgtype.Type{
		Name: "timestamptz", OID: pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
	})
	// lz4 compresses checkpoint payloads several times faster than the
	// default pglz. Servers before 14 or built without lz4 refuse the
	// setting; they keep pglz, which is only slower.
	_, _ = c.Exec(ctx, `SET default_toast_compression = 'lz4'`)
	return nil
}

// withSQLDB lends the pool to goose as a *sql.DB for one call. Closing that
// *sql.DB only returns its connections to the pool.
func (s *Store) withSQLDB(ctx context.Context,
	f func(context.Context, *sql.DB, string) (int64, error)) (int64, error) {
	sqlDB := stdlib.OpenDBFromPool(s.pool)
	defer func() { _ = sqlDB.Close() }()
	return f(ctx, sqlDB, migrate.Postgres)
}

// querier runs statements on the pool or on one transaction.
type querier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// inTx runs fn in one read-committed transaction.
func (s *Store) inTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(querier{tx}); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
