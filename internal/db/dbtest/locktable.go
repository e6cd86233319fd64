package dbtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// LockTable holds an ACCESS EXCLUSIVE lock on table of the PostgreSQL
// database at u, as an operator's LOCK TABLE in an open transaction would,
// until release is called or the test ends.
func LockTable(t testing.TB, u, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, `LOCK TABLE `+pgx.Identifier{table}.Sanitize()+` IN ACCESS EXCLUSIVE MODE`)
	}
	if err != nil {
		_ = conn.Close(ctx)
		t.Fatalf("lock %s: %v", table, err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		}
	}
	t.Cleanup(release)
	return release
}
