package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestAutoResume is the systemd Restart=always cycle: --auto-resume starts
// a session, continues it after kill -9, and starts a new one once it has
// completed. Another instance never picks up this instance's session.
func TestAutoResume(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			ctx := context.Background()
			auto := func(extra ...string) []string { return e.TradeArgs(append([]string{"--auto-resume"}, extra...)...) }

			p, first := e.StartTrading(nil, 1, auto("--duration", "0")...)
			p.Kill9()

			// After the crash: the same session, not a new one.
			r, code := e.Run(nil, auto("--duration", "2s")...)
			if code != 0 {
				t.Fatalf("auto-resume after kill -9: exit %d", code)
			}
			if !strings.Contains(r.Stdout(), first.ID) || !strings.Contains(r.Stderr(), "auto-resume: resuming") {
				t.Fatalf("auto-resume did not continue session %s:\n%s", first.ID, tail(r.Stderr(), 2000))
			}
			got := e.Session()
			if got.ID != first.ID || got.Status != db.StatusCompleted {
				t.Fatalf("after auto-resume: session %s status %s", got.ID, got.Status)
			}
			if metas := e.CheckCheckpoints(first.ID); !strings.Contains(Triggers(metas), db.TriggerResume) {
				t.Errorf("no resume checkpoint: %s", Triggers(metas))
			}

			// A completed session is not resumed: a new one starts, and
			// one of another instance starts its own.
			if _, code := e.Run(nil, auto("--duration", "1s")...); code != 0 {
				t.Fatalf("auto-resume with nothing to resume: exit %d", code)
			}
			if _, code := e.Run(nil, auto("--duration", "1s", "--instance-id", "2")...); code != 0 {
				t.Fatalf("auto-resume of instance 2: exit %d", code)
			}
			list, err := e.Store.ListSessions(ctx, db.SessionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			perInstance := map[int]int{}
			for _, s := range list {
				perInstance[s.InstanceID]++
				if s.Status != db.StatusCompleted {
					t.Errorf("session %s left %s", s.ID, s.Status)
				}
			}
			if len(list) != 3 || perInstance[1] != 2 || perInstance[2] != 1 {
				t.Fatalf("sessions per instance = %v (%d sessions), want 2 of instance 1 and 1 of instance 2", perInstance, len(list))
			}
			e.CheckNoDuplicateOrders()
		})
	}
}
