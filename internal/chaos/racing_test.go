package chaos

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestRacingResumes: two `gambler resume` of a crashed session start at the
// same instant. Exactly one trades; the other exits 1 naming the holder's
// pid. The winner is then killed so the next round races again.
func TestRacingResumes(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "racing resumes", driver)
		e := e2e.NewEnv(t, driver, "60")
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		waitTrading(t, p)
		p.Kill9()
		for i := 0; i < racingResumes; i++ {
			a, b := e.Start(nil, e.ResumeArgs()...), e.Start(nil, e.ResumeArgs()...)
			var loser, winner *e2e.Proc
			select {
			case <-a.Done():
				loser, winner = a, b
			case <-b.Done():
				loser, winner = b, a
			case <-time.After(90 * time.Second):
				t.Fatalf("round %d: neither resume gave way", i)
			}
			tl.Trials++
			failed := t.Failed()
			if code := loser.Wait(time.Second); code != 1 {
				t.Errorf("round %d: the losing resume exited %d, want 1:\n%s", i, code, tail(loser.Stderr(), 2000))
			}
			// The killed holder of the round before must never be named.
			if want := fmt.Sprintf("pid %d ", winner.Pid()); !strings.Contains(loser.Stderr(), want) {
				t.Errorf("round %d: the refusal does not name the holder (%s):\n%s", i, want, tail(loser.Stderr(), 2000))
			}
			waitTrading(t, winner)
			if !failed && t.Failed() {
				tl.Violations++
			}
			if i == racingResumes-1 {
				stop(t, winner)
				break
			}
			winner.Kill9()
			tl.Kills++
		}
		e.CheckAll()
	})
}
