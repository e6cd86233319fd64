package trader_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// roundTrips trades one symbol with exits close enough to close several
// positions within hours of market time.
func roundTrips(sym string) trader.Config {
	c := oneSymbol(sym)
	c.StopLossPct, c.TakeProfitPct = decimal.RequireFromString("0.2"), decimal.RequireFromString("0.2")
	return c
}

func closedCount(t *testing.T, w *tradertest.World, sid string) int {
	t.Helper()
	n := 0
	for _, p := range allPositions(t, w, sid) {
		if p.Status == db.PositionClosed {
			n++
		}
	}
	return n
}

// expectedRealized is, for each fill in the order they were applied, the
// session's realized P&L right after it: an exit fill adds the P&L of the
// position it closed (same symbol, exit time the fill's), an entry fill
// adds nothing.
func expectedRealized(t *testing.T, fills []db.Fill, positions []db.Position) []decimal.Decimal {
	t.Helper()
	entries := map[string]bool{}
	for _, p := range positions {
		entries[p.EntryClientOrderID] = true
	}
	counted := map[int64]bool{}
	realized := decimal.Zero
	out := make([]decimal.Decimal, len(fills))
	for i, f := range fills {
		if !entries[f.ClientOrderID] {
			found := false
			for _, p := range positions {
				if !counted[p.ID] && p.Symbol == f.Symbol && p.ExitTime != nil && p.ExitTime.Equal(f.FilledAt) {
					counted[p.ID], found = true, true
					realized = realized.Add(p.PnL.Decimal)
					break
				}
			}
			if !found {
				t.Fatalf("fill %s (%s %s at %s) is neither an entry nor the exit of a position", f.FillID, f.Side, f.Symbol, f.FilledAt)
			}
		}
		out[i] = realized
	}
	return out
}

// TestValueSeries: the trader appends the session's own value when the run
// starts, right after every fill at the fill's market time, and at every
// checkpoint, the last of which is the session's final value. With one
// symbol nothing else is open at a fill and the filled symbol is valued at
// its fill price, so each fill's point is exactly the starting capital
// plus the P&L of the positions closed so far.
func TestValueSeries(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: roundTrips("AAPL")})
			r := w.Start(tradertest.StartOptions{})
			sid := r.Session.ID
			capital := r.Session.Row().InitialPortfolioValue.Decimal
			if !r.Until(12*time.Hour, func() bool { return closedCount(t, w, sid) >= 3 }) {
				t.Fatalf("%d positions closed in 12 hours of market time, want 3", closedCount(t, w, sid))
			}
			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			fills, err := w.Store.Fills(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			series, err := w.Store.ValueSeries(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			if len(series) == 0 || series[0].Source != db.ValueStart || !series[0].Equity.Decimal.Equal(capital) ||
				!series[0].Realized.IsZero() || (len(fills) > 0 && series[0].MarketTime.After(fills[0].FilledAt)) {
				t.Fatalf("the series starts with %+v, want the start at the capital %s before the first fill", first(series), capital)
			}
			byFill := map[string][]db.ValuePoint{}
			for _, p := range series {
				if p.Source == db.ValueFill {
					byFill[p.FillID] = append(byFill[p.FillID], p)
				}
			}
			for i, realized := range expectedRealized(t, fills, allPositions(t, w, sid)) {
				f := fills[i]
				ps := byFill[f.FillID]
				if len(ps) != 1 {
					t.Errorf("fill %s has %d value points, want 1", f.FillID, len(ps))
					continue
				}
				p := ps[0]
				if !p.MarketTime.Equal(f.FilledAt) || !p.Realized.Equal(realized) || !p.Unrealized.IsZero() ||
					!p.Equity.Valid || !p.Equity.Decimal.Equal(capital.Add(realized)) {
					t.Errorf("fill %s at %s: point at %s equity %v realized %s unrealized %s; want equity %s = %s + %s, nothing unrealized",
						f.FillID, f.FilledAt, p.MarketTime, p.Equity.Decimal, p.Realized, p.Unrealized, capital.Add(realized), capital, realized)
				}
			}
			if len(byFill) != len(fills) {
				t.Errorf("%d fill points for %d fills", len(byFill), len(fills))
			}
			checkpoints, err := w.Store.ListCheckpoints(ctx, sid, 0)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range series {
				if p.Source == db.ValueCheckpoint {
					n++
				}
			}
			last, sess := series[len(series)-1], sessionRow(t, w, sid)
			if n != len(checkpoints) || last.Source != db.ValueCheckpoint || !last.Equity.Valid ||
				!last.Equity.Decimal.Equal(sess.FinalPortfolioValue.Decimal) {
				t.Errorf("%d checkpoint points for %d checkpoints, the last point %+v; want one each, the last at the final value %v",
					n, len(checkpoints), last, sess.FinalPortfolioValue)
			}
		})
	}
}

func first(ps []db.ValuePoint) any {
	if len(ps) == 0 {
		return "nothing"
	}
	return ps[0]
}

// failingValues is the trader's store with every value point refused.
type failingValues struct{ trader.Store }

func (failingValues) AppendValuePoint(context.Context, db.ValuePoint) (int64, error) {
	return 0, errors.New("session_values is gone")
}

// TestValuePointFailureKeepsTrading: a value point that cannot be written
// is logged, and the session trades and ends as it would have.
func TestValuePointFailureKeepsTrading(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: roundTrips("AAPL")})
	r := w.Start(tradertest.StartOptions{Store: func(s trader.Store) trader.Store { return failingValues{s} }})
	sid := r.Session.ID
	if !r.Until(12*time.Hour, func() bool { return closedCount(t, w, sid) >= 2 }) {
		t.Fatalf("%d positions closed with value points failing, want 2", closedCount(t, w, sid))
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if s := sessionRow(t, w, sid); s.Status != db.StatusCompleted || !s.FinalPortfolioValue.Valid {
		t.Errorf("session %s with final value %v, want completed with one", s.Status, s.FinalPortfolioValue)
	}
	if n := len(w.Log.Messages("value point not written; the report's curve will miss it, trading goes on")); n < 3 {
		t.Errorf("%d value point failures logged, want one per start, fill and checkpoint", n)
	}
	if down := w.Log.Messages("store write or read failed: unreachable"); len(down) > 0 {
		t.Errorf("a refused value point marked the store down: %v", down[0])
	}
}
