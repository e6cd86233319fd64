package chaos

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestCrashThenReconcileOnly: the trader is killed with positions open,
// every price then jumps 10% so that their exit legs fill while nobody
// watches. `gambler reconcile-only` alone must bring the store level with
// the exchange (real exit prices, fills once), a second run must find
// nothing to do, and a resume afterwards must end the session cleanly.
func TestCrashThenReconcileOnly(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "crash, then reconcile-only", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		e.WaitForPositions(s.ID, 2)
		p.Kill9()
		tl.Kills++
		ps, err := e.Store.ActivePositions(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, pos := range ps {
			if err := e.Exchange.MovePrice(pos.Symbol, 10); err != nil {
				t.Fatal(err)
			}
			tl.Faults++
		}
		tl.FaultNote = "exit legs filled by 10% price jumps while the trader was dead"
		r, code := e.Run(nil, "reconcile-only")
		if code != 0 {
			t.Fatalf("reconcile-only exit %d:\n%s\n%s", code, r.Stdout(), tail(r.Stderr(), 3000))
		}
		e.CheckNoDuplicateOrders()
		e.CheckPositionsMatch(s.ID)
		e.CheckFills(s.ID)
		e.CheckCheckpoints(s.ID)
		if e.ClosedPositions(s.ID) < len(ps) {
			t.Errorf("reconcile-only closed %d of the %d positions whose exits filled", e.ClosedPositions(s.ID), len(ps))
		}
		again, code := e.Run(nil, "reconcile-only", "--dry-run", "-o", "json")
		if code != 0 || !strings.Contains(again.Stdout(), `"items": []`) {
			t.Errorf("a second reconcile found work (exit %d):\n%s", code, again.Stdout())
		}
		res := e.Start(nil, e.ResumeArgs("--duration", "0")...)
		waitTrading(t, res)
		time.Sleep(time.Second)
		finish(t, e, res, nil)
		e.CheckAll()
	})
}
