package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestTradeSIGINT: a session trades, the first SIGINT gives exit 0, a final
// checkpoint with trigger shutdown and status completed.
func TestTradeSIGINT(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p, s := e.StartTrading(nil, 2, e.TradeArgs("--duration", "0")...)
			p.Signal(syscall.SIGINT)
			if code := p.Wait(30 * time.Second); code != 0 {
				t.Fatalf("exit code %d after SIGINT", code)
			}
			s = e.Session()
			if s.Status != db.StatusCompleted || s.EndTime == nil || !s.PnL.Valid {
				t.Errorf("session after SIGINT: status %s, end %v, pnl %v", s.Status, s.EndTime, s.PnL)
			}
			metas := e.CheckCheckpoints(s.ID)
			if len(metas) == 0 || metas[0].Trigger != db.TriggerShutdown {
				t.Fatalf("newest checkpoint trigger: %s", Triggers(metas))
			}
			e.CheckNoDuplicateOrders()
			e.CheckPositionsMatch(s.ID)
			e.CheckFills(s.ID)
			if !strings.Contains(p.Stdout(), s.ID) {
				t.Errorf("stdout does not name the session: %q", p.Stdout())
			}
		})
	}
}

// TestKill9ThenResume: kill -9 mid-session, then `gambler resume` continues
// the same session: a resume checkpoint, positions equal to the exchange's,
// no order sent twice.
func TestKill9ThenResume(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p, s := e.StartTrading(nil, 2, e.TradeArgs("--duration", "10m")...)
			p.Kill9()

			out, code := e.Run(nil, "sessions", "list", "-o", "json")
			if code != 0 || !strings.Contains(out.Stdout(), `"running": false`) {
				t.Fatalf("sessions list after kill -9 (exit %d): %s", code, out.Stdout())
			}
			// Move prices so brackets fill while nobody watches.
			for _, sym := range []string{"AAPL", "MSFT", "NVDA"} {
				e.setPrice(sym, "6")
			}
			r, code := e.Run(nil, e.ResumeArgs("--duration", "3s")...)
			if code != 0 {
				t.Fatalf("resume exit %d", code)
			}
			if !strings.Contains(r.Stdout(), s.ID) {
				t.Errorf("resume did not continue session %s: %s", s.ID, r.Stdout())
			}
			got := e.Session()
			if got.ID != s.ID || got.Status != db.StatusCompleted {
				t.Errorf("after resume: session %s status %s", got.ID, got.Status)
			}
			metas := e.CheckCheckpoints(s.ID)
			if !strings.Contains(Triggers(metas), db.TriggerResume) {
				t.Errorf("no resume checkpoint: %s", Triggers(metas))
			}
			e.CheckNoDuplicateOrders()
			e.CheckPositionsMatch(s.ID)
			e.CheckFills(s.ID)
		})
	}
}

// TestCrashAtFailpoints kills the trader at each point of the order path
// and checks that resume resolves the order correctly.
func TestCrashAtFailpoints(t *testing.T) {
	t.Parallel()
	cases := []struct {
		point      string
		wantAtExch bool   // the crashed order reached the exchange
		wantStatus string // its journal status after resume
	}{
		{"after-intent", false, db.OrderAbandoned},
		{"after-send", true, "filled"},
		{"after-ack", true, "filled"},
	}
	for _, driver := range Drivers {
		for _, c := range cases {
			t.Run(driver+"/"+c.point, func(t *testing.T) {
				t.Parallel()
				e := NewEnv(t, driver, "60")
				p := e.Start([]string{"GAMBLER_FAILPOINT=" + c.point},
					e.TradeArgs("--duration", "10m")...)
				if code := p.Wait(90 * time.Second); code != -1 {
					t.Fatalf("trader should die by SIGKILL at %s; exit %d", c.point, code)
				}
				s := e.Session()
				cid := e.FirstEntry(s.ID)
				atExchange := false
				for _, o := range e.ExchangeOrders() {
					if o["client_order_id"] == cid {
						atExchange = true
					}
				}
				if atExchange != c.wantAtExch {
					t.Fatalf("order %s at exchange = %v, want %v", cid, atExchange, c.wantAtExch)
				}
				if _, code := e.Run(nil, e.ResumeArgs("--duration", "2s", "--max-positions", "1")...); code != 0 {
					t.Fatalf("resume exit %d", code)
				}
				o, err := e.Store.GetOrder(context.Background(), cid)
				if err != nil {
					t.Fatal(err)
				}
				if o.Status != c.wantStatus {
					t.Errorf("journal status of %s after resume: %s, want %s", cid, o.Status, c.wantStatus)
				}
				e.CheckNoDuplicateOrders()
				e.CheckPositionsMatch(s.ID)
				e.CheckFills(s.ID)
				e.CheckCheckpoints(s.ID)
			})
		}
	}
}

// TestSecondResumeRefused: while one process trades a session, a second
// resume exits 1 naming the holder.
func TestSecondResumeRefused(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p := e.Start(nil, e.TradeArgs("--duration", "0")...)
			e.WaitForSession()
			second, code := e.Run(nil, e.ResumeArgs()...)
			if code != 1 {
				t.Fatalf("second resume exit %d, want 1", code)
			}
			if want := fmt.Sprintf("pid %d", p.cmd.Process.Pid); !strings.Contains(second.Stderr(), want) {
				t.Errorf("refusal does not name the holder (%s): %s", want, second.Stderr())
			}
			p.Signal(syscall.SIGTERM)
			if code := p.Wait(30 * time.Second); code != 0 {
				t.Fatalf("exit %d after SIGTERM", code)
			}
		})
	}
}

// TestDurationEndsSession: --duration ends the session by itself.
func TestDurationEndsSession(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			if _, code := e.Run(nil, e.TradeArgs("--duration", "3s")...); code != 0 {
				t.Fatalf("exit %d", code)
			}
			s := e.Session()
			if s.Status != db.StatusCompleted {
				t.Errorf("status %s", s.Status)
			}
			if metas := e.CheckCheckpoints(s.ID); len(metas) == 0 || metas[0].Trigger != db.TriggerShutdown {
				t.Errorf("final checkpoint missing: %s", Triggers(metas))
			}
			// Nothing left to resume.
			r, code := e.Run(nil, "resume")
			if code != 1 || !strings.Contains(r.Stderr(), "gambler trade") {
				t.Errorf("resume with nothing to resume: exit %d, %s", code, r.Stderr())
			}
		})
	}
}

// TestCloseOnExit: --close-on-exit cancels the exit legs, flattens every
// position at the broker and closes them in the store with real prices.
func TestCloseOnExit(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--close-on-exit")...)
			p.Signal(syscall.SIGINT)
			if code := p.Wait(30 * time.Second); code != 0 {
				t.Fatalf("exit %d", code)
			}
			held, err := e.Broker.Positions(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(held) != 0 {
				t.Errorf("exchange still holds %d positions", len(held))
			}
			e.CheckPositionsMatch(s.ID)
			e.CheckFills(s.ID)
			e.CheckNoDuplicateOrders()
		})
	}
}

// TestExchangeKill9KeepsState: an exchange killed with SIGKILL restarts
// from its state file with every acknowledged order and position.
func TestExchangeKill9KeepsState(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, "sqlite", "1")
	p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0")...)
	p.Signal(syscall.SIGINT)
	if code := p.Wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	before := len(e.ExchangeOrders())
	e.Exchange.Kill9()
	e.Exchange.Restart()
	if after := len(e.ExchangeOrders()); after != before {
		t.Fatalf("exchange had %d orders before kill -9, %d after restart", before, after)
	}
	e.CheckPositionsMatch(s.ID)
}

// TestAbandonedSessionMarkedCrashed: a session left active by kill -9 is
// recorded as crashed when a new session of the same instance starts, and
// resume-session reopens it.
func TestAbandonedSessionMarkedCrashed(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p := e.Start(nil, e.TradeArgs("--duration", "0")...)
			first := e.WaitForSession()
			p.Kill9()
			if _, code := e.Run(nil, e.TradeArgs("--duration", "1s")...); code != 0 {
				t.Fatalf("second trade exit %d", code)
			}
			got, err := e.Store.GetSession(context.Background(), first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != db.StatusCrashed {
				t.Fatalf("abandoned session status %s, want crashed", got.Status)
			}
			if _, code := e.Run(nil, append([]string{"resume-session", first.ID}, e.runArgs("--duration", "1s")...)...); code != 0 {
				t.Fatalf("resume-session exit %d", code)
			}
			got, _ = e.Store.GetSession(context.Background(), first.ID)
			if got.Status != db.StatusCompleted {
				t.Errorf("after resume-session: status %s", got.Status)
			}
			e.CheckNoDuplicateOrders()
		})
	}
}

// TestCompletedSessionIsNotResumed: resume-session of a completed session
// exits 2 with a hint and changes nothing; with --reopen it trades again and
// its history keeps the first run's end.
func TestCompletedSessionIsNotResumed(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			if _, code := e.Run(nil, e.TradeArgs("--duration", "2s")...); code != 0 {
				t.Fatalf("trade exit %d", code)
			}
			s := e.Session()
			p, code := e.Run(nil, append([]string{"resume-session", s.ID}, e.runArgs("--duration", "2s")...)...)
			if code != 2 || !strings.Contains(p.Stderr(), "--reopen") {
				t.Fatalf("resume-session of a completed session: exit %d, stderr %s; want 2 with a hint", code, tail(p.Stderr(), 600))
			}
			if again := e.Session(); !again.EndTime.Equal(*s.EndTime) || again.Status != db.StatusCompleted {
				t.Fatalf("the refused resume changed the session: %+v", again)
			}
			if _, code := e.Run(nil, append([]string{"resume-session", s.ID, "--reopen"}, e.runArgs("--duration", "2s")...)...); code != 0 {
				t.Fatalf("resume-session --reopen exit %d", code)
			}
			metas := e.CheckCheckpoints(s.ID)
			if !strings.Contains(Triggers(metas), db.TriggerReopen) {
				t.Errorf("checkpoints %s: no reopen checkpoint", Triggers(metas))
			}
			if again := e.Session(); again.Status != db.StatusCompleted || !again.EndTime.After(*s.EndTime) {
				t.Errorf("after the reopened run: %s, ended %v", again.Status, again.EndTime)
			}
			show, code := e.Run(nil, "sessions", "show", s.ID, "-o", "json")
			var doc struct {
				Runs []struct {
					How          string `json:"how"`
					EndedCleanly bool   `json:"ended_cleanly"`
				} `json:"runs"`
			}
			if code != 0 || json.Unmarshal([]byte(show.Stdout()), &doc) != nil {
				t.Fatalf("sessions show: exit %d: %s", code, tail(show.Stdout(), 400))
			}
			if len(doc.Runs) != 2 || doc.Runs[0].How != "start" || !doc.Runs[0].EndedCleanly || doc.Runs[1].How != "reopen" || !doc.Runs[1].EndedCleanly {
				t.Errorf("sessions show runs %+v, want a start and a reopen, both ended cleanly", doc.Runs)
			}
		})
	}
}
