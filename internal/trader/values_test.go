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

// TestValueSeries: the trader appends the session's own value when the run
// starts (at its capital, before the first fill) and at every checkpoint,
// with the figures, prices and market time the checkpoint stores, the
// last one the session's final value.
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
				len(series[0].Prices) != 0 || len(fills) == 0 || series[0].MarketTime.After(fills[0].FilledAt) {
				t.Fatalf("the series starts with %+v, want the start at the capital %s before the first of %d fills",
					first(series), capital, len(fills))
			}
			checkpoints, err := w.Store.CheckpointSeries(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			var points []db.ValuePoint
			for _, p := range series {
				if p.Source == db.ValueCheckpoint {
					points = append(points, p)
				}
			}
			if len(points) != len(checkpoints) {
				t.Fatalf("%d checkpoint points for %d checkpoints", len(points), len(checkpoints))
			}
			priced := 0
			for i, cp := range checkpoints {
				p := points[i]
				if cp.MarketTime == nil || !p.MarketTime.Equal(*cp.MarketTime) || !p.Equity.Valid ||
					!p.Equity.Decimal.Equal(cp.SessionEquity.Decimal) || !samePrices(p.Prices, cp.SessionPrices) {
					t.Errorf("checkpoint %d at %v equity %v prices %v; its value point at %s equity %v prices %v",
						i, cp.MarketTime, cp.SessionEquity, cp.SessionPrices, p.MarketTime, p.Equity, p.Prices)
				}
				if len(p.Prices) > 0 {
					priced++
				}
			}
			if priced == 0 {
				t.Error("no checkpoint point holds a price: the test never checkpointed an open position")
			}
			// The run's clean end closes the series, at the final value the
			// shutdown checkpoint computed.
			last, sess := series[len(series)-1], sessionRow(t, w, sid)
			if last.Source != db.ValueEnd || !last.Equity.Valid || !last.Equity.Decimal.Equal(sess.FinalPortfolioValue.Decimal) {
				t.Errorf("the last point %+v, want the run's end at the final value %v", last, sess.FinalPortfolioValue)
			}
			if prev := series[len(series)-2]; prev.Source != db.ValueCheckpoint || !prev.Equity.Decimal.Equal(last.Equity.Decimal) {
				t.Errorf("the point before the end %+v, want the shutdown checkpoint's at the same value", prev)
			}
		})
	}
}

func samePrices(a, b map[string]decimal.Decimal) bool {
	if len(a) != len(b) {
		return false
	}
	for sym, px := range a {
		if q, ok := b[sym]; !ok || !q.Equal(px) {
			return false
		}
	}
	return true
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
