package sqlitestore

import (
	"context"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func harness() dbtest.Harness {
	return dbtest.Harness{
		Name: "sqlite",
		New:  func(t testing.TB) db.Store { return newStore(t) },
		// Exec goes through the writer, so raw writes see the same
		// constraint and trigger errors, mapped, as the store's own.
		Exec: func(t testing.TB, s db.Store, sql string) error {
			_, err := s.(*Store).w.ExecContext(context.Background(), sql)
			return mapErr(err)
		},
	}
}

func TestConformance(t *testing.T) { dbtest.Run(t, harness()) }

func BenchmarkTickReads(b *testing.B) { dbtest.BenchTickReads(b, harness(), 100_000) }
