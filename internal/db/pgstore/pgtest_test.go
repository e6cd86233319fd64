package pgstore

import (
	"context"
	"testing"

	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// openStore opens a Store on a fresh database, closed before it is dropped.
func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), dbtest.CreatePostgresDB(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
