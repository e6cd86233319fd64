package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestSignalDeliveredTwiceStillShutsDownCleanly: `timeout -s INT` sends its
// signal to the child and to the process group, so one stop request can
// arrive twice within microseconds. It must still write the final
// checkpoint and complete the session.
func TestSignalDeliveredTwiceStillShutsDownCleanly(t *testing.T) {
	e := NewEnv(t, "sqlite", "60")
	p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0")...)
	p.Signal(syscall.SIGINT)
	p.Signal(syscall.SIGINT)
	if code := p.Wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d after a doubled SIGINT, want 0", code)
	}
	if got := e.Session(); got.Status != db.StatusCompleted {
		t.Errorf("session %s: %s after a doubled SIGINT, want completed", s.ID, got.Status)
	}
	if metas := e.CheckCheckpoints(s.ID); len(metas) == 0 || metas[0].Trigger != db.TriggerShutdown {
		t.Errorf("newest checkpoint: %s, want shutdown", Triggers(metas))
	}
}

// TestSecondSignalExitsAtOnce: a second signal a moment later means "now":
// the process exits with 130 without waiting for a slow shutdown, and the
// session stays active for the next resume.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	e := NewEnv(t, "sqlite", "60")
	p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0")...)
	// Every broker request now takes 20 s: the final read-back hangs.
	if err := e.Exchange.Admin("/sim/v1/faults", map[string]any{"rate": 1, "kinds": []string{"delay"},
		"delay_ms": 20000, "seed": 1}); err != nil {
		t.Fatal(err)
	}
	p.Signal(syscall.SIGINT)
	time.Sleep(1500 * time.Millisecond)
	p.Signal(syscall.SIGINT)
	if code := p.Wait(10 * time.Second); code != 130 {
		t.Fatalf("exit %d after a second SIGINT, want 130 at once", code)
	}
	if !strings.Contains(p.Stderr(), "second signal: exiting now, without the final checkpoint") {
		t.Errorf("the second signal did not say it skips the final checkpoint:\n%s", tail(p.Stderr(), 1000))
	}
	if got := e.Session(); got.Status != db.StatusActive {
		t.Errorf("session %s: %s after an immediate exit, want active (resumable)", s.ID, got.Status)
	}
}

// TestShutdownWhileTheExchangeHangs: the exchange process is frozen and
// the trader gets one SIGINT. The broker's shutdown budget bounds the
// wait; the final checkpoint is written and the session completed, exit 0.
func TestShutdownWhileTheExchangeHangs(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			const budget = 3 * time.Second
			p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--shutdown-timeout", budget.String())...)
			e.Exchange.Freeze()
			defer e.Exchange.Thaw()
			p.Signal(syscall.SIGINT)
			if code := p.Wait(budget + 5*time.Second); code != 0 {
				t.Fatalf("exit %d within the budget plus 5 s, want 0; stderr: %s", code, tail(p.Stderr(), 1500))
			}
			if got := e.Session(); got.Status != db.StatusCompleted {
				t.Errorf("session %s: %s, want completed", s.ID, got.Status)
			}
			if metas := e.CheckCheckpoints(s.ID); len(metas) == 0 || metas[0].Trigger != db.TriggerShutdown {
				t.Errorf("newest checkpoint: %s, want shutdown", Triggers(metas))
			}
			if n := strings.Count(p.Stderr(), "the broker did not answer within the shutdown budget"); n != 1 {
				t.Errorf("%d lines about the broker's silence, want 1", n)
			}
		})
	}
}
