package pgstore

import (
	"context"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func TestConformance(t *testing.T) {
	dbtest.Run(t, dbtest.PostgresHarness(func(ctx context.Context, url string) (db.Store, error) {
		return Open(ctx, url)
	}))
}
