package pgstore

import (
	"context"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func harness() dbtest.Harness {
	return dbtest.PostgresHarness(func(ctx context.Context, url string) (db.Store, error) {
		return Open(ctx, url)
	})
}

func TestConformance(t *testing.T) { dbtest.Run(t, harness()) }

func BenchmarkTickReads(b *testing.B) { dbtest.BenchTickReads(b, harness(), 100_000) }
