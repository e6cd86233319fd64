// Package migrate applies the embedded schema with goose. Both drivers call
// it on open; `gambler migrate` calls it explicitly.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/gambler-trader/gambler/migrations"
)

// Dialects this package knows.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// lockID keys the PostgreSQL advisory lock that serialises migrations of
// processes that start at the same moment. Arbitrary but fixed.
const lockID int64 = 0x67616d626c6572 // "gambler"

// Up applies every pending migration of the dialect and returns the schema
// version afterwards.
func Up(ctx context.Context, sqlDB *sql.DB, dialect string) (int64, error) {
	p, err := provider(sqlDB, dialect)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("apply %s migrations: %w", dialect, err)
	}
	return Version(ctx, sqlDB, dialect)
}

// Version returns the newest applied migration version.
func Version(ctx context.Context, sqlDB *sql.DB, dialect string) (int64, error) {
	p, err := provider(sqlDB, dialect)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func provider(sqlDB *sql.DB, dialect string) (*goose.Provider, error) {
	var (
		gd   goose.Dialect
		opts []goose.ProviderOption
	)
	switch dialect {
	case Postgres:
		gd = database.DialectPostgres
		opts = append(opts, goose.WithSessionLocker(advisoryLocker{}))
	case SQLite:
		gd = database.DialectSQLite3
	default:
		return nil, fmt.Errorf("unknown migration dialect %q", dialect)
	}
	sub, err := fs.Sub(migrations.FS, dialect)
	if err != nil {
		return nil, fmt.Errorf("open embedded %s migrations: %w", dialect, err)
	}
	p, err := goose.NewProvider(gd, sqlDB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("prepare %s migrations: %w", dialect, err)
	}
	return p, nil
}

// advisoryLocker blocks on pg_advisory_lock instead of goose's default
// polling locker, which retries every 5 s: two processes starting together
// should wait milliseconds, not seconds. The context bounds the wait.
type advisoryLocker struct{}

func (advisoryLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	return nil
}

func (advisoryLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lockID); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
