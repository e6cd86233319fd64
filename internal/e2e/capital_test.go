package e2e

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestCapitalCapsSizeAndExposure: with --capital below --position-size,
// positions are sized to the capital instead of being skipped, and the money
// in open positions never exceeds it.
func TestCapitalCapsSizeAndExposure(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			capital := decimal.NewFromInt(1500)
			p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--capital", capital.String(),
				"--position-size", "10000")...)
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				ps, err := e.Store.ActivePositions(context.Background(), s.ID)
				if err != nil {
					t.Fatal(err)
				}
				committed := decimal.Zero
				for _, pos := range ps {
					committed = committed.Add(pos.EntryPrice.Mul(pos.Qty))
				}
				if committed.GreaterThan(capital) {
					t.Fatalf("%d positions commit %s, more than --capital %s", len(ps), committed, capital)
				}
				time.Sleep(50 * time.Millisecond)
			}
			p.Signal(syscall.SIGINT)
			if code := p.Wait(30 * time.Second); code != 0 {
				t.Fatalf("exit %d after SIGINT", code)
			}
		})
	}
}
