package chaos

import (
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestCrashLoop: kill -9 the trader at a moment drawn uniformly over each
// life, resume, again and again, while prices keep moving so that entries
// and exits go on across the loop. Then one clean SIGINT and every
// invariant.
func TestCrashLoop(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "crash loop"+fullSizeSuffix, driver)
		rng := newRand(t)
		e := e2e.NewEnv(t, driver, "60")
		mover := moverFor(t, e)
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		for i := 0; i < crashLoops; i++ {
			life := time.Duration(rng.Intn(maxLifeMillis)) * time.Millisecond
			select {
			case <-p.Done():
				t.Fatalf("life %d: trader exited by itself:\n%s", i, tail(p.Stderr(), 3000))
			case <-time.After(life):
			}
			p.Kill9()
			tl.Kills++
			tl.Trials++
			failed := t.Failed()
			e.CheckNoDuplicateOrders()
			if !failed && t.Failed() {
				tl.Violations++
			}
			p = e.Start(nil, e.ResumeArgs()...)
		}
		waitTrading(t, p)
		// The last life trades on until the loop has shown a round trip:
		// on a loaded machine ten short lives may spend most of their time
		// starting, which says nothing about what a kill lost.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && (e.OwnOrders(s.ID) < 2 || e.ClosedPositions(s.ID) < 1) {
			time.Sleep(500 * time.Millisecond)
		}
		time.Sleep(time.Second)
		tl.Faults = finish(t, e, p, mover)
		tl.FaultNote = "admin price moves of 5%"
		e.CheckAll()
		orders, closed := e.OwnOrders(s.ID), e.ClosedPositions(s.ID)
		t.Logf("%d kills, %d entry orders at the exchange, %d positions closed, %d price moves", tl.Kills, orders, closed, tl.Faults)
		if orders < 2 || closed < 1 {
			t.Errorf("the loop did not keep trading: %d entries, %d closed positions", orders, closed)
		}
	})
}
