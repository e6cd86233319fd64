package chaos

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// outage is a database the test can take away from the trader and give
// back.
type outage struct {
	env     []string // extra environment of the trader
	cut     func(t *testing.T)
	restore func(t *testing.T)
}

// pgOutage routes the trader through a TCP proxy to the shared server and
// cuts the proxy, never the server.
func pgOutage(t *testing.T, e *e2e.Env) outage {
	u, proxy := e2e.ViaProxy(t, e.DBURL)
	return outage{env: []string{"GAMBLER_DATABASE_URL=" + u},
		cut: func(*testing.T) { proxy.Cut() }, restore: func(*testing.T) { proxy.Restore() }}
}

// sqliteOutage holds an exclusive lock on the database file: writes wait
// out the store's busy timeout and fail.
func sqliteOutage(t *testing.T, e *e2e.Env) outage {
	var l *e2e.SQLiteLock
	return outage{
		cut: func(t *testing.T) {
			var err error
			if l, err = e2e.LockSQLite(e.DBURL); err != nil {
				t.Fatal(err)
			}
		},
		restore: func(t *testing.T) {
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// TestDatabaseOutage: the database goes away for three checkpoint
// intervals. The trader keeps running, places no entry while it cannot
// journal one, checkpoints again once the database is back, keeps its
// lease, and loses nothing.
func TestDatabaseOutage(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "database outage (3 checkpoint intervals)", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		// SQLite writers wait 5 s for a lock, so its intervals are longer
		// to make the outage outlast the wait.
		cp, o := time.Second, pgOutage(t, e)
		if driver == "sqlite" {
			cp, o = 2*time.Second, sqliteOutage(t, e)
		}
		mover := moverFor(t, e)
		p := e.Start(o.env, e.TradeArgs("--duration", "0", "--checkpoint-interval", cp.String())...)
		keepLog(t, "trader", p)
		keepRows(t, e)
		s := e.WaitForSession()
		e.WaitForPositions(s.ID, 1)
		ctx := context.Background()
		before, err := e.Store.ListCheckpoints(ctx, s.ID, 100000)
		if err != nil {
			t.Fatal(err)
		}

		o.cut(t)
		tl.Faults = 1
		const settle = 500 * time.Millisecond // an entry in flight at the cut may land
		tl.FaultNote = fmt.Sprintf("database unavailable for %s", settle+3*cp)
		time.Sleep(settle)
		ordersAtCut := e.OwnOrders(s.ID)
		time.Sleep(3 * cp)
		ordersBeforeRestore := e.OwnOrders(s.ID)
		if p.Exited() {
			t.Fatalf("the trader died with the database:\n%s", tail(p.Stderr(), 3000))
		}
		o.restore(t)
		if ordersBeforeRestore != ordersAtCut {
			t.Errorf("%d entries were placed while the database was down", ordersBeforeRestore-ordersAtCut)
		}
		e2e.Eventually(t, 60*time.Second, "checkpoints after the outage", func() bool {
			after, err := e.Store.ListCheckpoints(ctx, s.ID, 100000)
			return err == nil && len(after) >= len(before)+2
		})
		e2e.Eventually(t, 60*time.Second, "an entry after the outage", func() bool {
			return e.OwnOrders(s.ID) > ordersBeforeRestore
		})
		probeLease(t, e, o.env)
		finish(t, e, p, mover)
		e.CheckAll()
	})
}

// probeLease: the outage must not have cost the lease, so a second resume
// is still refused. A second resume that trades is killed at once: two
// writers on one session is the failure this probe exists to find.
func probeLease(t *testing.T, e *e2e.Env, env []string) {
	t.Helper()
	r := e.Start(env, e.ResumeArgs()...)
	select {
	case <-r.Done():
		if code := r.Wait(time.Second); code != 1 {
			t.Errorf("a second resume after the outage exited %d, want 1:\n%s", code, tail(r.Stderr(), 2000))
		}
	case <-time.After(30 * time.Second):
		r.Kill9()
		t.Errorf("a second resume took the session while its trader was still running: the outage cost the lease\n%s",
			tail(r.Stderr(), 2000))
	}
}
