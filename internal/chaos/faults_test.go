package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestBrokerFaults: a whole session against an exchange that fails 20% of
// requests with 429, 500, delays, dropped connections and lost order
// responses. The session completes on its own and every invariant holds.
func TestBrokerFaults(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "broker faults 20%", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		if err := e.Exchange.SetFaults(0.2, 300*time.Millisecond, 7); err != nil {
			t.Fatal(err)
		}
		mover := moverFor(t, e)
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		waitTrading(t, p)
		time.Sleep(faultSession)
		mover.Stop()
		stop(t, p) // the shutdown runs under faults too
		if err := e.Exchange.SetFaults(0, 0, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.Exchange.CancelAllOrders("", ""); err != nil {
			t.Fatal(err)
		}
		s := e.CheckAll()
		tl.Faults = int64(surfacedErrors(p.Stderr()))
		tl.FaultNote = "broker errors that surfaced in the trader's log after retries"
		t.Logf("%d broker errors surfaced; %d entries, %d closed", tl.Faults, e.OwnOrders(s.ID), e.ClosedPositions(s.ID))
		if e.OwnOrders(s.ID) == 0 {
			t.Errorf("no entry at all under faults")
		}
	})
}

// surfacedErrors counts the trader's warnings and errors that carry an
// error: the faults its retries did not absorb.
func surfacedErrors(log string) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"error":`) && (strings.Contains(line, `"level":"warn"`) || strings.Contains(line, `"level":"error"`)) {
			n++
		}
	}
	return n
}
