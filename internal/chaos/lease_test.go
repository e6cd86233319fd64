package chaos

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// lostLease are the loud lines of a trader that lost its session: another
// holder (a stale epoch, a lock taken) or its SQLite files replaced.
var lostLease = []string{"ANOTHER PROCESS TOOK THIS SESSION", "THE DATABASE OR ITS LEASE FILE WAS REMOVED OR REPLACED"}

// takeoverWithin bounds how long `resume-session` may take to trade a
// session whose previous holder is frozen: a frozen process must not hold
// anything the new holder waits for.
const takeoverWithin = 30 * time.Second

// TestLeaseLostMidTick replays issue 16's first trial against the binary:
// trader A is frozen (SIGSTOP at after-lease-check) in a scan that has
// just checked its lease, before any POST; its lease is taken away (the
// lease connection terminated on PostgreSQL, the lock file removed on
// SQLite); `resume-session` (B) takes over and trades; A is let go. A
// sends nothing more and exits 1 saying why; the store equals the
// exchange once B ends.
func TestLeaseLostMidTick(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "lease lost mid-tick (SIGSTOP at after-lease-check, resume-session)", driver)
		tl.FaultNote = "lease cut while the holder was frozen"
		for round := 1; round <= leaseRounds; round++ {
			t.Run(fmt.Sprint(round), func(t *testing.T) {
				tl.Trials++
				defer func() {
					if t.Failed() {
						tl.Violations++
					}
				}()
				lostMidTick(t, tl, driver, round)
			})
		}
	})
}

func lostMidTick(t *testing.T, tl *tally, driver string, round int) {
	e := e2e.NewEnv(t, driver, "60")
	mover := moverFor(t, e)
	// Frozen in the scan of the first, second or third bar after warm-up.
	point := fmt.Sprintf("GAMBLER_FAILPOINT=after-lease-check:%d", 2+round%3)
	a := e.Start([]string{point}, e.TradeArgs("--duration", "0")...)
	keepLog(t, "A", a)
	keepRows(t, e)
	s := e.WaitForSession()
	e2e.Eventually(t, 60*time.Second, "A to stop at after-lease-check", func() bool {
		if a.Exited() {
			t.Fatalf("A exited before its pause point:\n%s", tail(a.Stderr(), 3000))
		}
		return a.Stopped()
	})
	tl.Kills++ // a pause, not a kill: the column counts both
	if n, err := e.CutLease(s.ID, a); err != nil || n != 1 {
		t.Fatalf("cut A's lease: %d lease connections ended, %v", n, err)
	}
	tl.Faults++
	b := e.Start(nil, e.ResumeSessionArgs(s.ID, "--duration", "0")...)
	keepLog(t, "B", b)
	waitTakeover(t, e, b)
	time.Sleep(2 * time.Second) // B trades while A is still frozen
	a.Signal(syscall.SIGCONT)
	if code := a.Wait(60 * time.Second); code != 1 {
		t.Errorf("A exited %d after it was let go, want 1:\n%s", code, tail(a.Stderr(), 3000))
	}
	if !saysLost(a.Stderr()) {
		t.Errorf("A did not say it lost the session:\n%s", tail(a.Stderr(), 3000))
	}
	time.Sleep(time.Second)
	finish(t, e, b, mover)
	e.CheckAll()
	e.CheckEveryOrderJournaled(s.ID) // an order A sent after the takeover has no journal row
}

// waitTakeover waits, bounded, for B to take the session and trade.
func waitTakeover(t *testing.T, e *e2e.Env, b *e2e.Proc) {
	t.Helper()
	deadline := time.Now().Add(takeoverWithin)
	for !strings.Contains(b.Stderr(), `"message":"bar cache filled"`) {
		if b.Exited() {
			t.Fatalf("B exited before trading:\n%s", tail(b.Stderr(), 3000))
		}
		if time.Now().After(deadline) {
			t.Fatalf("B did not take the session over within %s while A was frozen:\n%s", takeoverWithin, tail(b.Stderr(), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func saysLost(log string) bool {
	for _, l := range lostLease {
		if strings.Contains(log, l) {
			return true
		}
	}
	return false
}

// TestLeaseFileRemoved: the SQLite lease's lock file is removed while
// the trader trades, then `resume-session` takes the session. The first
// trader stops with exit 1; the two never both trade (no order outside
// the journal, none twice, store equal to the exchange).
func TestLeaseFileRemoved(t *testing.T) {
	longRunOnly(t, "internal/trader TestDeletedDatabaseStopsTheTrader")
	t.Parallel()
	tl := record(t, "lease lock file removed, then resume-session", "sqlite")
	tl.Trials = 1
	e := e2e.NewEnv(t, "sqlite", "60")
	mover := moverFor(t, e)
	a := e.Start(nil, e.TradeArgs("--duration", "0")...)
	keepLog(t, "A", a)
	s := e.WaitForSession()
	e.WaitForPositions(s.ID, 1)
	if _, err := e.CutLease(s.ID, a); err != nil {
		t.Fatal(err)
	}
	tl.Faults = 1
	tl.FaultNote = "rm " + e2e.LeaseFileName
	b := e.Start(nil, e.ResumeSessionArgs(s.ID, "--duration", "0")...)
	keepLog(t, "B", b)
	if code := a.Wait(60 * time.Second); code != 1 || !saysLost(a.Stderr()) {
		t.Errorf("A exited %d, want 1 saying it lost the session:\n%s", code, tail(a.Stderr(), 3000))
	}
	waitTakeover(t, e, b)
	time.Sleep(2 * time.Second)
	finish(t, e, b, mover)
	e.CheckAll()
	e.CheckEveryOrderJournaled(s.ID)
}
