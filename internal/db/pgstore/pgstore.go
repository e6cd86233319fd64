// Package pgstore is the PostgreSQL implementation of db.Store, on a pgx
// connection pool. It is the production store that several trader processes
// on several machines share, so every write is a single short transaction and
// every listing reads indexes rather than checkpoint payloads.
package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/migrate"
)

var _ db.Store = (*Store)(nil)

// Store is a db.Store on PostgreSQL.
type Store struct {
	pool  *pgxpool.Pool
	now   func() time.Time
	snaps *snapshotCache
}

// querier is what both the pool and a transaction offer, so that a write can
// run on its own or as one step of a larger transaction (ApplyFill).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Open connects to the PostgreSQL database at url and applies pending
// migrations. Errors never contain the URL's password.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL URL %s: %w", redactURL(url), redactErr(err, url))
	}
	cfg.AfterConnect = afterConnect
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL %s: %w", redactURL(url), redactErr(err, url))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL %s (is the server running and the URL right?): %w",
			redactURL(url), redactErr(err, url))
	}
	s := &Store{pool: pool, now: func() time.Time { return time.Now().UTC() }, snaps: newSnapshotCache()}
	if _, err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, redactErr(err, url)
	}
	return s, nil
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

func (s *Store) migrate(ctx context.Context) (int64, error) {
	return s.withSQLDB(ctx, migrate.Up)
}

// withSQLDB lends the pool to goose as a *sql.DB for one call. Closing that
// *sql.DB only returns its connections to the pool.
func (s *Store) withSQLDB(ctx context.Context,
	f func(context.Context, *sql.DB, string) (int64, error)) (int64, error) {
	sqlDB := stdlib.OpenDBFromPool(s.pool)
	defer func() { _ = sqlDB.Close() }()
	return f(ctx, sqlDB, migrate.Postgres)
}

// Driver implements db.Store.
func (s *Store) Driver() string { return "postgres" }

// SchemaVersion implements db.Store.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	return s.withSQLDB(ctx, migrate.Version)
}

// Close closes the pool. Leases hold their own connections and must be
// released by their owners.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
