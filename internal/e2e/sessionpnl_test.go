package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestSessionPnLIsTheSessionsOwn: two instances trade one account; only
// instance 1 trades. Instance 2's session P&L is exactly zero however the
// account moved, and instance 1's realized P&L is, to the cent, what the
// exchange's own fills give.
func TestSessionPnLIsTheSessionsOwn(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			traded := []string{"AAPL", "MSFT", "NVDA"}
			trader := e.Start(nil, append([]string{"trade", "--symbols", strings.Join(traded, ","), "--instance-id", "1",
				"--capital", "5000", "--duration", "0"}, e.runArgs()...)...)
			// Thresholds no bar can meet: instance 2 never signals.
			idle := e.Start(nil, append([]string{"trade", "--symbols", "AMD", "--instance-id", "2", "--capital", "7000",
				"--duration", "0"}, e.runArgs("--min-price-change-pct", "99", "--min-volume-ratio", "1000")...)...)
			var sessions map[int]db.Session
			Eventually(t, 60*time.Second, "both sessions", func() bool {
				list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
				if err != nil || len(list) < 2 {
					return false
				}
				sessions = e.instanceSessions()
				return true
			})
			e.WaitForPositions(sessions[1].ID, 1)
			// Prices swing so brackets fill and positions close.
			mover := e.Exchange.StartPriceMover(traded, 5, 200*time.Millisecond, 3)
			Eventually(t, 90*time.Second, "two closed positions", func() bool {
				ps, err := e.Store.Positions(context.Background(), sessions[1].ID)
				closed := 0
				for _, p := range ps {
					if p.Status == db.PositionClosed {
						closed++
					}
				}
				return err == nil && closed >= 2
			})
			mover.Stop()
			for name, p := range map[string]*Proc{"trading instance": trader, "idle instance": idle} {
				p.Signal(syscall.SIGINT)
				if code := p.Wait(60 * time.Second); code != 0 {
					t.Fatalf("%s: exit %d after SIGINT\n%s", name, code, p.Stderr())
				}
			}
			sessions = e.instanceSessions()

			idleShow := e.showSummary(sessions[2].ID)
			if idleShow["pnl"] != "0" || idleShow["realized_pnl"] != "0" || idleShow["final_value"] != "7000" {
				t.Errorf("the idle session's own figures: pnl %v, realized %v, final value %v; want 0, 0, 7000",
					idleShow["pnl"], idleShow["realized_pnl"], idleShow["final_value"])
			}
			if s := sessions[2]; !s.PnL.Valid || !s.PnL.Decimal.IsZero() || !s.FinalPortfolioValue.Valid ||
				!s.FinalPortfolioValue.Decimal.Equal(decimal.NewFromInt(7000)) {
				t.Errorf("the idle session ended with pnl %v and final value %v; want 0.00 and 7000", s.PnL, s.FinalPortfolioValue)
			}

			fromFills := e.realizedFromFills(sessions[1].ID)
			show := e.showSummary(sessions[1].ID)
			realized, err := decimal.NewFromString(show["realized_pnl"].(string))
			if err != nil {
				t.Fatalf("realized_pnl %v: %v", show["realized_pnl"], err)
			}
			if realized.StringFixed(2) != fromFills.StringFixed(2) {
				t.Errorf("the trading session's realized P&L is %s; the exchange's fills give %s", realized, fromFills)
			}
			// Its recorded end value is its own: capital plus its P&L.
			s := sessions[1]
			if !s.PnL.Valid || !s.FinalPortfolioValue.Valid ||
				!s.FinalPortfolioValue.Decimal.Equal(decimal.NewFromInt(5000).Add(s.PnL.Decimal)) {
				t.Errorf("the trading session ended with pnl %v and final value %v; want final = 5000 + pnl", s.PnL, s.FinalPortfolioValue)
			}
			t.Logf("realized %s (fills %s), session pnl %s", realized, fromFills, s.PnL.Decimal)
		})
	}
}

// showSummary is the summary object of `sessions show ID -o json`.
func (e *Env) showSummary(id string) map[string]any {
	e.T.Helper()
	out, code := e.Run(nil, "sessions", "show", id, "-o", "json")
	var v struct {
		Summary map[string]any `json:"summary"`
	}
	if code != 0 {
		e.T.Fatalf("sessions show %s: exit %d\n%s", id, code, out.Stderr())
	}
	if err := json.Unmarshal([]byte(out.Stdout()), &v); err != nil {
		e.T.Fatalf("sessions show %s: %v\n%s", id, err, out.Stdout())
	}
	return v.Summary
}

// realizedFromFills replays the exchange's fills per symbol, in fill
// order: each time the net quantity returns to zero, a round trip is
// complete and its cash is realized. Every filled order must be in the
// session's journal (the other session never traded).
func (e *Env) realizedFromFills(sessionID string) decimal.Decimal {
	e.T.Helper()
	journal, err := e.Store.SessionOrders(context.Background(), sessionID, false)
	if err != nil {
		e.T.Fatal(err)
	}
	ours := map[string]bool{}
	for _, o := range journal {
		ours[o.BrokerOrderID] = true
	}
	realized := decimal.Zero
	net, cash := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, f := range e.ExchangeFills() {
		if !ours[f.OrderID] {
			e.T.Errorf("exchange order %s filled but is not in the trading session's journal", f.OrderID)
		}
		net[f.Symbol] = net[f.Symbol].Add(f.Signed())
		cash[f.Symbol] = cash[f.Symbol].Sub(f.Signed().Mul(f.Price))
		if net[f.Symbol].IsZero() {
			realized = realized.Add(cash[f.Symbol])
			cash[f.Symbol] = decimal.Zero
		}
	}
	return realized
}
