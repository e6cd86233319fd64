package dbopen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/pgstore"
	"github.com/gambler-trader/gambler/internal/db/sqlitestore"
)

// Open opens, and migrates, the store rawURL names (see Resolve). With an
// empty URL it opens the embedded default, which where locates (see
// Locator), creating its directory with mode 0700. Errors never contain
// a password.
func Open[L Locator](ctx context.Context, rawURL string, where L, opts ...Option) (db.Store, error) {
	t, err := Resolve(rawURL, defaultPathFunc(where))
	if err != nil {
		return nil, err
	}
	switch t.Driver {
	case Postgres:
		s, err := pgstore.Open(ctx, t.DSN, collect(opts).postgres()...)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database: %w", scrub(err, t.DSN))
		}
		return s, nil
	default:
		if t.Default {
			if err := os.MkdirAll(filepath.Dir(t.DSN), 0o700); err != nil {
				return nil, fmt.Errorf("create the data directory for the embedded database: %w", err)
			}
		}
		s, err := sqlitestore.Open(ctx, t.DSN, collect(opts).sqlite()...)
		if err != nil {
			return nil, fmt.Errorf("open SQLite database %s: %w", t.DSN, err)
		}
		return s, nil
	}
}

// OpenReadOnly opens the store rawURL names (see Resolve) for reading only,
// for commands that only look: it never creates a file or a directory and
// never migrates. A missing database is an error naming its path; a
// database never migrated, or migrated by an older gambler, is an error
// that says to run gambler migrate (wrapping migrate.ErrSchemaBehind); a
// damaged SQLite file is an error wrapping db.ErrCorrupt that says how to
// check it. Writes through the store fail. Errors never contain a
// password.
func OpenReadOnly[L Locator](ctx context.Context, rawURL string, where L, opts ...Option) (db.Store, error) {
	t, err := Resolve(rawURL, defaultPathFunc(where))
	if err != nil {
		return nil, err
	}
	switch t.Driver {
	case Postgres:
		s, err := pgstore.OpenReadOnly(ctx, t.DSN, collect(opts).postgres()...)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database: %w", scrub(err, t.DSN))
		}
		return s, nil
	default:
		s, err := sqlitestore.OpenReadOnly(ctx, t.DSN, collect(opts).sqlite()...)
		switch {
		case errors.Is(err, fs.ErrNotExist) && t.Default:
			return nil, fmt.Errorf("no database yet at %s, the embedded default: it is created by the first "+
				"gambler trade (or gambler migrate)", t.DSN)
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w; nothing was created (gambler migrate creates a database)", err)
		case err != nil:
			return nil, err // it names the file
		}
		return s, nil
	}
}

// integrityChecker is a store that can check its whole file (SQLite).
type integrityChecker interface {
	CheckIntegrity(ctx context.Context) error
}

// Migrate opens the store as Open does, applying pending migrations, and
// then checks the whole SQLite file, so that a damaged file is never
// reported migrated: the error wraps db.ErrCorrupt and says how to look
// closer.
func Migrate[L Locator](ctx context.Context, rawURL string, where L, opts ...Option) (db.Store, error) {
	s, err := Open(ctx, rawURL, where, opts...)
	if err != nil {
		return nil, err
	}
	if c, ok := s.(integrityChecker); ok {
		if err := c.CheckIntegrity(ctx); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("check the database after migrating: %w", err)
		}
	}
	return s, nil
}
