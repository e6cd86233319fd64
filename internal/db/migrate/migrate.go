// Package migrate applies the embedded schema with goose. Both drivers call
// it on open; `gambler migrate` calls it explicitly.
package migrate

import (
	"context"
	"database/sql"
	"errors"
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

// ErrSchemaBehind says that the database has not been migrated to the
// schema this gambler needs (or not at all).
var ErrSchemaBehind = errors.New("the schema needs migrating; run: gambler migrate")

// ErrSchemaAhead says that a newer gambler migrated the database.
var ErrSchemaAhead = errors.New("a newer gambler migrated the database; upgrade gambler")

// Latest is the newest migration version embedded for the dialect.
func Latest(dialect string) (int64, error) {
	files, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		return 0, fmt.Errorf("read embedded %s migrations: %w", dialect, err)
	}
	var latest int64
	for _, f := range files {
		v, err := goose.NumericComponent(f.Name())
		if err != nil {
			return 0, fmt.Errorf("embedded %s migration %s: %w", dialect, f.Name(), err)
		}
		latest = max(latest, v)
	}
	if latest == 0 {
		return 0, fmt.Errorf("no %s migrations embedded", dialect)
	}
	return latest, nil
}

// versionTableExists is the query that tells a database never migrated
// from one that was.
func versionTableExists(dialect string) string {
	if dialect == Postgres {
		return `SELECT EXISTS (SELECT 1 FROM pg_tables
			WHERE schemaname = current_schema() AND tablename = 'goose_db_version')`
	}
	return `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version')`
}

// Applied reads the newest applied migration version without creating,
// locking or changing anything, as a read-only open must; 0 when the
// database was never migrated.
func Applied(ctx context.Context, sqlDB *sql.DB, dialect string) (int64, error) {
	var exists bool
	if err := sqlDB.QueryRowContext(ctx, versionTableExists(dialect)).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	var applied int64
	if exists {
		if err := sqlDB.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).
			Scan(&applied); err != nil {
			return 0, fmt.Errorf("read schema version: %w", err)
		}
	}
	return applied, nil
}

// Check compares the applied schema version (read as Applied does) with
// this binary's: behind, or never migrated, is an error wrapping
// ErrSchemaBehind, ahead one wrapping ErrSchemaAhead.
func Check(ctx context.Context, sqlDB *sql.DB, dialect string) (int64, error) {
	latest, err := Latest(dialect)
	if err != nil {
		return 0, err
	}
	applied, err := Applied(ctx, sqlDB, dialect)
	if err != nil {
		return 0, err
	}
	switch {
	case applied == 0:
		return 0, fmt.Errorf("the database has no gambler schema yet: %w", ErrSchemaBehind)
	case applied < latest:
		return applied, fmt.Errorf("schema version %d, this gambler needs %d: %w", applied, latest, ErrSchemaBehind)
	case applied > latest:
		return applied, fmt.Errorf("schema version %d, this gambler knows up to %d: %w", applied, latest, ErrSchemaAhead)
	}
	return applied, nil
}

// UpTo applies the dialect's migrations up to and including version, for
// tests that need a database of an older schema.
func UpTo(ctx context.Context, sqlDB *sql.DB, dialect string, version int64) error {
	p, err := provider(sqlDB, dialect)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("apply %s migrations up to %d: %w", dialect, version, err)
	}
	return nil
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
