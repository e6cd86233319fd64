package trader_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// accountSnapshot is the newest checkpoint's account_snapshot.
func accountSnapshot(t *testing.T, w *tradertest.World, sid string) map[string]any {
	t.Helper()
	cp, err := w.Store.NewestCheckpoint(context.Background(), sid, 0)
	if err != nil {
		t.Fatal(err)
	}
	var acct map[string]any
	dec := json.NewDecoder(bytes.NewReader(cp.AccountSnapshot))
	dec.UseNumber()
	if err := dec.Decode(&acct); err != nil {
		t.Fatal(err)
	}
	return acct
}

func decimalAt(t *testing.T, acct map[string]any, key string) decimal.Decimal {
	t.Helper()
	s, ok := acct[key].(string)
	if !ok {
		t.Fatalf("account snapshot %s = %v, want a decimal string", key, acct[key])
	}
	return decimal.RequireFromString(s)
}

// TestCheckpointsCarryTheSessionsValue: each checkpoint stores the
// session's own value beside the account's figures: its open position at
// the broker's price, and when the broker cannot give prices the last
// known one, marked stale. The session ends with that value as its final
// value and P&L.
func TestCheckpointsCarryTheSessionsValue(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: oneSymbol("AAPL")})
			r := w.Start(tradertest.StartOptions{})
			sid := r.Session.ID
			capital := r.Session.Row().InitialPortfolioValue.Decimal
			if !r.Until(10*time.Minute, func() bool { return len(activePositions(t, w, sid)) == 1 }) {
				t.Fatal("no position opened")
			}
			// The next checkpoint values the position at the broker's price
			// of that moment; the fake clock stands still until the test
			// advances it, so the exchange's price now is that price.
			checkpoints := func() int {
				metas, err := w.Store.ListCheckpoints(context.Background(), sid, 1000)
				if err != nil {
					t.Fatal(err)
				}
				return len(metas)
			}
			n := checkpoints()
			if !r.Until(10*time.Minute, func() bool { return checkpoints() > n }) {
				t.Fatal("no checkpoint in 10 minutes")
			}
			p := activePositions(t, w, sid)[0]
			price := w.Price("AAPL")
			unrealized := price.Sub(p.EntryPrice).Mul(p.Qty)
			if p.Side == "sell" {
				unrealized = unrealized.Neg()
			}
			acct := accountSnapshot(t, w, sid)
			if got := decimalAt(t, acct, "session_unrealized_pnl"); !got.Equal(unrealized) {
				t.Errorf("session_unrealized_pnl %s, want (%s - %s) x %s = %s", got, price, p.EntryPrice, p.Qty, unrealized)
			}
			if got := decimalAt(t, acct, "session_equity"); !got.Equal(capital.Add(unrealized)) {
				t.Errorf("session_equity %s, want capital %s + %s", got, capital, unrealized)
			}
			if acct["portfolio_value"] == nil || acct["session_prices_stale"] != nil {
				t.Errorf("account snapshot %v: want the account's portfolio_value and fresh prices", acct)
			}

			w.Faults(1, "500")
			n = checkpoints()
			if !r.Until(10*time.Minute, func() bool { return checkpoints() > n }) {
				t.Fatal("no checkpoint in 10 minutes with the broker down")
			}
			acct = accountSnapshot(t, w, sid)
			if acct["session_prices_stale"] != true || !decimalAt(t, acct, "session_unrealized_pnl").Equal(unrealized) {
				t.Errorf("with the broker down: stale %v, unrealized %v; want true and the last known %s",
					acct["session_prices_stale"], acct["session_unrealized_pnl"], unrealized)
			}
			w.Faults(0)

			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			acct = accountSnapshot(t, w, sid)
			r2, err := w.Store.NewestCheckpoint(context.Background(), sid, 0)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := checkpoint.Decode(r2).SessionValue()
			s := sessionRow(t, w, sid)
			if !ok || s.Status != db.StatusCompleted || !s.FinalPortfolioValue.Valid || !s.PnL.Valid ||
				!s.FinalPortfolioValue.Decimal.Equal(v.Equity.Decimal) || !s.PnL.Decimal.Equal(v.Realized.Add(v.Unrealized)) {
				t.Errorf("session ended with final %v pnl %v; the shutdown checkpoint says %+v (%v)", s.FinalPortfolioValue, s.PnL, v, acct)
			}
		})
	}
}
