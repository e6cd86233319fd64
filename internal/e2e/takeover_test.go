package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestTraderStopsWhenSessionTakenOver: on PostgreSQL the session lease lives
// on one connection. When that connection dies and another process takes
// the session before the trader notices, the trader must stop with exit 1
// and write nothing more, not trade beside the new holder. (SQLite's file
// lock belongs to the process and cannot be lost this way.)
func TestTraderStopsWhenSessionTakenOver(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, "postgres", "60")
	ctx := context.Background()
	p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--interval", "2s", "--checkpoint-interval", "2s")...)
	var lease db.Lease
	Eventually(t, 20*time.Second, "the test to take the session's lease", func() bool {
		if _, err := e.CutLease(s.ID, p); err != nil {
			t.Fatal(err)
		}
		l, err := e.Store.AcquireLease(ctx, s.ID, db.Holder{Host: "usurper", PID: 424242})
		var held *db.LeaseHeldError
		if err != nil && !errors.As(err, &held) {
			t.Fatal(err)
		}
		lease = l
		return err == nil
	})
	defer lease.Release(ctx)
	if code := p.Wait(30 * time.Second); code != 1 {
		t.Fatalf("trader exit %d after its session was taken over, want 1", code)
	}
	if !strings.Contains(p.Stderr(), "ANOTHER PROCESS TOOK THIS SESSION") || !strings.Contains(p.Stderr(), "pid 424242") {
		t.Errorf("trader did not say who took the session:\n%s", tail(p.Stderr(), 2000))
	}
	got, err := e.Store.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != db.StatusActive {
		t.Errorf("the stopped trader changed the session status to %s", got.Status)
	}
}
