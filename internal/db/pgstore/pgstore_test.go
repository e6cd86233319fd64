package pgstore

import (
	"context"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func TestConformance(t *testing.T) {
	dbtest.Run(t, dbtest.Harness{
		Name: "postgres",
		New:  func(t testing.TB) db.Store { return openStore(t) },
		Exec: func(t testing.TB, s db.Store, sql string) error {
			_, err := s.(*Store).pool.Exec(context.Background(), sql)
			return err
		},
	})
}
