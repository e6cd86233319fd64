package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver for Exec

	"github.com/gambler-trader/gambler/internal/db"
)

// SQLiteHarness builds the suite's harness for a SQLite driver from its
// constructor; every New gets its own database file in t.TempDir.
func SQLiteHarness(open func(ctx context.Context, path string) (db.Store, error)) Harness {
	paths := &storeURLs{m: map[db.Store]string{}}
	return Harness{
		Name: "sqlite",
		New: func(t testing.TB) db.Store {
			t.Helper()
			path := filepath.Join(t.TempDir(), "gambler.db")
			s, err := open(t.Context(), path)
			if err != nil {
				t.Fatalf("open sqlite store: %v", err)
			}
			paths.put(t, s, path)
			return s
		},
		Exec: func(t testing.TB, s db.Store, stmt string) error {
			t.Helper()
			return execSQLite(t.Context(), paths.get(t, s), stmt)
		},
	}
}

// execSQLite runs stmt on a second connection to the file, as another tool
// would, waiting for the store's locks instead of failing on them.
func execSQLite(ctx context.Context, path, stmt string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}
