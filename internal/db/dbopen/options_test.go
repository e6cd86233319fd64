package dbopen_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// WithTimeouts reaches both drivers: a write behind another writer's lock
// gives up with db.ErrBusy.
func TestWithTimeoutsBoundsLockWaits(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.driver, func(t *testing.T) {
			ctx := context.Background()
			s, err := dbopen.Open(ctx, tg.url, noDefault, dbopen.WithTimeouts(50*time.Millisecond, time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { must(t, s.Close()) }()
			sess := dbtest.SeedSession(t, s)
			raw, err := sql.Open(tg.sqlDriver, tg.dsn)
			must(t, err)
			defer func() { _ = raw.Close() }()
			tx, err := raw.BeginTx(ctx, nil)
			must(t, err)
			defer func() { _ = tx.Rollback() }()
			// Takes the write lock (SQLite) or the row's lock (PostgreSQL).
			_, err = tx.ExecContext(ctx, `UPDATE trading_sessions SET status = 'crashed' WHERE session_id = '`+sess.ID+`'`)
			must(t, err)
			err = s.SetSessionStatus(ctx, sess.ID, db.StatusCompleted, dbtest.BaseTime())
			if !errors.Is(err, db.ErrBusy) {
				t.Fatalf("write behind another transaction's lock: %v, want db.ErrBusy", err)
			}
		})
	}
}
