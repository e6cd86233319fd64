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
	fresh := func(t testing.TB) string { return filepath.Join(t.TempDir(), "gambler.db") }
	return targetHarness("sqlite", fresh, open, execSQLite)
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
