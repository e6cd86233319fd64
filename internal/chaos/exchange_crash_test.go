package chaos

import (
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestExchangeCrash: the exchange is killed with SIGKILL mid-session and
// restarted from its state file; the trader rides through on retries and
// keeps trading: new exits are recorded after the restart.
func TestExchangeCrash(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "exchange kill -9 + restart", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		e.WaitForPositions(s.ID, 1)
		e.Exchange.Kill9()
		tl.Kills++
		time.Sleep(3 * time.Second) // ten ticks against a dead exchange
		if p.Exited() {
			t.Fatalf("the trader died with the exchange:\n%s", tail(p.Stderr(), 3000))
		}
		e.Exchange.Restart()
		closed := e.ClosedPositions(s.ID)
		mover := moverFor(t, e)
		e2e.Eventually(t, 60*time.Second, "an exit recorded after the restart", func() bool {
			return e.ClosedPositions(s.ID) > closed
		})
		tl.Faults = finish(t, e, p, mover)
		tl.FaultNote = "exchange down 3 s; admin price moves after"
		e.CheckAll()
	})
}
