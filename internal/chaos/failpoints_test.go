package chaos

import (
	"context"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestCrashAtMoreFailpoints kills the trader inside the checkpoint path and
// between a fill reported by the broker and its record in the store (for an
// entry and for an exit leg), then resumes. The three order-path points are
// in internal/e2e.
func TestCrashAtMoreFailpoints(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		point string
		extra []string
		// arm runs after the trader started; it makes the failpoint due.
		arm func(t *testing.T, e *e2e.Env, sessionID string)
		// dead checks the store and exchange right after the kill.
		dead func(t *testing.T, e *e2e.Env, sessionID string)
	}{
		{name: "in-checkpoint", point: "in-checkpoint:2"},
		{name: "after-entry-fill-observed", point: "after-fill-observed", dead: unrecordedEntryFill},
		{name: "after-exit-fill-observed", point: "after-fill-observed:2", extra: []string{"--max-positions", "1"},
			arm: moveHeldPrice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forDrivers(t, func(t *testing.T, driver string) {
				tl := record(t, "failpoint "+c.name, driver)
				tl.Trials = 1
				e := e2e.NewEnv(t, driver, "60")
				p := e.Start([]string{"GAMBLER_FAILPOINT=" + c.point}, e.TradeArgs(append([]string{"--duration", "10m"}, c.extra...)...)...)
				s := e.WaitForSession()
				if c.arm != nil {
					c.arm(t, e, s.ID)
				}
				if code := p.Wait(90 * time.Second); code != -1 {
					t.Fatalf("trader should die by SIGKILL at %s; exit %d:\n%s", c.point, code, tail(p.Stderr(), 3000))
				}
				tl.Kills++
				if c.dead != nil {
					c.dead(t, e, s.ID)
				}
				closedBefore := e.ClosedPositions(s.ID)
				mover := moverFor(t, e)
				r := e.Start(nil, e.ResumeArgs("--duration", "0")...)
				waitTrading(t, r)
				time.Sleep(2 * time.Second)
				finish(t, e, r, mover)
				e.CheckAll()
				if c.name == "after-exit-fill-observed" && e.ClosedPositions(s.ID) <= closedBefore {
					t.Errorf("the exit fill seen before the crash did not close the position on resume")
				}
			})
		})
	}
}

// unrecordedEntryFill: the first scan's entries (one per symbol, sent
// together) filled at the exchange while the store has no position yet:
// exactly the window the failpoint opens.
func unrecordedEntryFill(t *testing.T, e *e2e.Env, sessionID string) {
	t.Helper()
	ps, err := e.Store.Positions(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("a position was recorded before the crash: %+v", ps)
	}
	if n := e.OwnOrders(sessionID); n < 1 || n > 3 {
		t.Errorf("want the first scan's filled entries at the exchange (1 to 3), have %d orders", n)
	}
}

// moveHeldPrice waits for the one position and moves its price 10% so one
// of its bracket legs fills; the trader dies when it sees that fill.
func moveHeldPrice(t *testing.T, e *e2e.Env, sessionID string) {
	t.Helper()
	e.WaitForPositions(sessionID, 1)
	ps, err := e.Store.ActivePositions(context.Background(), sessionID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("active positions: %v, %v", ps, err)
	}
	if err := e.Exchange.MovePrice(ps[0].Symbol, 10); err != nil {
		t.Fatal(err)
	}
}
