package e2e

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// TestRepairedExitClosesPositionWhileTrading: a position whose stop leg was
// canceled is repaired by reconcile-only with a fresh OCO; when that OCO's
// stop fills during the resumed session, the trader closes the position
// with the real price.
func TestRepairedExitClosesPositionWhileTrading(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			ctx := context.Background()
			p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--max-positions", "1")...)
			p.Signal(syscall.SIGINT)
			if code := p.Wait(30 * time.Second); code != 0 {
				t.Fatalf("exit %d", code)
			}
			active, err := e.Store.ActivePositions(ctx, s.ID)
			if err != nil || len(active) != 1 {
				t.Fatalf("active positions: %v %v", active, err)
			}
			pos := active[0]
			open, err := e.Broker.Orders(ctx, broker.ListOrders{Status: "open", Symbols: []string{pos.Symbol}})
			if err != nil {
				t.Fatal(err)
			}
			canceled := false
			for _, o := range open {
				if o.Type == broker.Stop {
					if err := e.Broker.CancelOrder(ctx, o.ID); err != nil {
						t.Fatal(err)
					}
					canceled = true
				}
			}
			if !canceled {
				t.Fatalf("no stop leg to cancel among %d open orders", len(open))
			}
			r, code := e.Run(nil, "reconcile-only", "--exchange-url", e.Exchange.URL, "-o", "json")
			if code != 0 || !strings.Contains(r.Stdout(), "missing_exits") {
				t.Fatalf("reconcile-only exit %d: %s", code, r.Stdout())
			}
			trader := e.Start(nil, append([]string{"resume-session", s.ID, "--reopen"}, e.runArgs("--duration", "0", "--max-positions", "1")...)...)
			Eventually(t, 30*time.Second, "the resumed session", func() bool {
				return strings.Contains(trader.Stdout(), s.ID)
			})
			stop := pos.EntryPrice.Mul(decimalFrom("0.5"))
			if pos.Side == string(broker.Sell) {
				stop = pos.EntryPrice.Mul(decimalFrom("1.5"))
			}
			e.setPrice(pos.Symbol, stop.StringFixed(2))
			Eventually(t, 30*time.Second, "the repaired stop to close the position", func() bool {
				all, err := e.Store.Positions(ctx, s.ID)
				if err != nil {
					return false
				}
				for _, q := range all {
					if q.ID == pos.ID {
						return q.Status == "closed"
					}
				}
				return false
			})
			trader.Signal(syscall.SIGINT)
			if code := trader.Wait(30 * time.Second); code != 0 {
				t.Fatalf("resumed trader exit %d", code)
			}
			all, _ := e.Store.Positions(ctx, s.ID)
			for _, q := range all {
				if q.ID == pos.ID && (q.ExitReason != "stop_loss" || !q.ExitPrice.Valid || !q.PnL.Valid) {
					t.Errorf("repaired position closed with reason %q price %v pnl %v", q.ExitReason, q.ExitPrice, q.PnL)
				}
			}
			e.CheckNoDuplicateOrders()
			e.CheckPositionsMatch(s.ID)
			e.CheckFills(s.ID)
		})
	}
}
