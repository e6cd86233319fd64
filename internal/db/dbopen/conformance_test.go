package dbopen_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// The stores the application opens pass the conformance suite, with raw SQL
// arriving on a separate connection as it would from another tool.
func TestConformanceThroughOpen(t *testing.T) {
	open := func(ctx context.Context, target string) (db.Store, error) {
		return dbopen.Open(ctx, target, func() (string, error) { return "", errors.New("default must not be used") })
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dbtest.Run(t, dbtest.SQLiteHarness(func(ctx context.Context, path string) (db.Store, error) {
			return open(ctx, "sqlite://"+path)
		}))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dbtest.Run(t, dbtest.PostgresHarness(open))
	})
}
