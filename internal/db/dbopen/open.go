package dbopen

import (
	"context"
	"fmt"
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
func Open[L Locator](ctx context.Context, rawURL string, where L) (db.Store, error) {
	t, err := Resolve(rawURL, defaultPathFunc(where))
	if err != nil {
		return nil, err
	}
	switch t.Driver {
	case Postgres:
		s, err := pgstore.Open(ctx, t.DSN)
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
		s, err := sqlitestore.Open(ctx, t.DSN)
		if err != nil {
			return nil, fmt.Errorf("open SQLite database %s: %w", t.DSN, err)
		}
		return s, nil
	}
}
