package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
	"github.com/gambler-trader/gambler/internal/strategy"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// traded runs the real trader on the simulated exchange until the session
// has closed at least n positions, stops it, and returns its row.
func traded(t *testing.T, driver string, n int, symbols ...string) (*tradertest.World, db.Session) {
	t.Helper()
	p := strategy.DefaultMomentumParams()
	p.Timeframe = "1Min"
	p.MinPriceChangePct, p.MinVolumeRatio = decimal.RequireFromString("0.0001"), decimal.RequireFromString("0.0001")
	w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: &p, Trader: trader.Config{Symbols: symbols,
		Interval: time.Minute, CheckpointInterval: 5 * time.Minute, StopLossPct: decimal.RequireFromString("0.2"),
		TakeProfitPct: decimal.RequireFromString("0.2"), PositionSize: decimal.NewFromInt(10000)}})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	closedCount := func() int {
		ps, err := w.Store.Positions(context.Background(), sid)
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for _, p := range ps {
			if p.Status == db.PositionClosed {
				c++
			}
		}
		return c
	}
	if !r.Until(7*24*time.Hour, func() bool { return closedCount() >= n }) {
		t.Fatalf("%d positions closed in a week of market time, want %d", closedCount(), n)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	sess, err := w.Store.GetSession(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return w, sess
}

// reportOf builds the session's report and reads its fills and positions.
func reportOf(t *testing.T, w *tradertest.World, sess db.Session) (report.Report, []db.Fill, []db.Position) {
	t.Helper()
	ctx := context.Background()
	r, err := report.Build(ctx, w.Store, sess, w.Clock.Now(), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	fills, err := w.Store.Fills(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	positions, err := w.Store.Positions(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r, fills, positions
}

// pointAt is the curve's point at market time at, or fails the test.
func pointAt(t *testing.T, pts []report.CurvePoint, at time.Time) report.CurvePoint {
	t.Helper()
	for _, p := range pts {
		if p.At.Equal(at) {
			return p
		}
	}
	t.Fatalf("the curve has no point at %s", at.Format(time.RFC3339Nano))
	return report.CurvePoint{}
}

// TestCurveThroughEveryFill trades one symbol for twenty round trips and
// checks the curve against the fills: every fill has a point at its market
// time, and its equity is the session's right after it, which with one
// symbol is exactly the capital plus the P&L of the positions closed by
// then (an entry is valued at its own fill price, so it changes nothing).
// The curve starts at the session's start, ends at its final value, and
// is the same after checkpoint cleanup.
func TestCurveThroughEveryFill(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w, sess := traded(t, driver, 20, "AAPL")
			r, fills, positions := reportOf(t, w, sess)
			capital, pts := sess.InitialPortfolioValue.Decimal, r.Curve.Points
			if len(fills) < 40 || r.Curve.Fills != len(fills) {
				t.Fatalf("%d fills, the curve counts %d; want 40 or more, all of them", len(fills), r.Curve.Fills)
			}
			for _, f := range fills {
				realized := decimal.Zero
				for _, p := range positions {
					if p.Status == db.PositionClosed && !p.ExitTime.After(f.FilledAt) {
						realized = realized.Add(p.PnL.Decimal)
					}
				}
				p := pointAt(t, pts, f.FilledAt)
				if p.Fills == 0 || !p.Equity.Equal(capital.Add(realized)) || !p.Realized.Equal(realized) || !p.Unrealized.IsZero() {
					t.Errorf("fill %s (%s %s @ %s) at %s: point %+v; want equity %s = capital %s + realized %s",
						f.FillID, f.Side, f.Symbol, f.Price, f.FilledAt, p, capital.Add(realized), capital, realized)
				}
			}
			first, last := pts[0], pts[len(pts)-1]
			if !first.Start || !first.Equity.Equal(capital) || !first.At.Before(fills[0].FilledAt) {
				t.Errorf("the curve starts with %+v, want the run's start at the capital %s before the first fill", first, capital)
			}
			if !last.Checkpoint || !last.Equity.Equal(sess.FinalPortfolioValue.Decimal) {
				t.Errorf("the curve ends with %+v, want the shutdown checkpoint at the final value %s", last, sess.FinalPortfolioValue.Decimal)
			}
			checkMarkersOnVertices(t, r)

			// `checkpoints cleanup --keep 1`: the curve does not change.
			if _, err := w.Store.DeleteCheckpoints(context.Background(), db.CheckpointDelete{SessionID: sess.ID, Keep: 1}); err != nil {
				t.Fatal(err)
			}
			after, _, _ := reportOf(t, w, sess)
			if after.Checkpoints != 1 || len(after.Curve.Points) != len(pts) {
				t.Fatalf("after cleanup %d checkpoints and %d points, want 1 and the %d points before", after.Checkpoints,
					len(after.Curve.Points), len(pts))
			}
			for i, p := range after.Curve.Points {
				if !p.At.Equal(pts[i].At) || !p.Equity.Equal(pts[i].Equity) {
					t.Fatalf("after cleanup point %d is %+v, was %+v", i, p, pts[i])
				}
			}
		})
	}
}

// TestCurveSeveralSymbols: with several symbols open at once every fill
// still has its point, the realized part of each point is exactly the
// P&L of the positions closed by then, and the curve ends at the
// session's final value.
func TestCurveSeveralSymbols(t *testing.T) {
	w, sess := traded(t, "sqlite", 20, "AAPL", "MSFT", "TSLA")
	r, fills, positions := reportOf(t, w, sess)
	capital, pts := sess.InitialPortfolioValue.Decimal, r.Curve.Points
	overlapping := false
	for _, f := range fills {
		realized, open := decimal.Zero, 0
		for _, p := range positions {
			switch {
			case p.Status == db.PositionClosed && !p.ExitTime.After(f.FilledAt):
				realized = realized.Add(p.PnL.Decimal)
			case !p.EntryTime.After(f.FilledAt):
				open++
			}
		}
		overlapping = overlapping || open > 1
		p := pointAt(t, pts, f.FilledAt)
		if p.Fills == 0 || !p.Realized.Equal(realized) || !p.Equity.Equal(capital.Add(p.Realized).Add(p.Unrealized)) {
			t.Errorf("fill %s at %s: point %+v; want realized %s and equity = capital %s + realized + unrealized",
				f.FillID, f.FilledAt, p, realized, capital)
		}
	}
	if !overlapping {
		t.Error("no two positions were open at once: the test does not test several symbols")
	}
	if last := pts[len(pts)-1]; !last.Equity.Equal(sess.FinalPortfolioValue.Decimal) {
		t.Errorf("the curve ends at %s, the session's final value is %s", last.Equity, sess.FinalPortfolioValue.Decimal)
	}
	checkMarkersOnVertices(t, r)
}

// checkMarkersOnVertices: every entry and exit is drawn on a vertex of the
// polyline, none outside the curve.
func checkMarkersOnVertices(t *testing.T, r report.Report) {
	t.Helper()
	c := r.Equity
	if c == nil || c.Pinned != 0 || len(c.Markers) == 0 {
		t.Fatalf("equity chart %v: want markers, none pinned outside the curve", c)
	}
	vertices := map[[2]string]bool{}
	for _, v := range splitPoints(c.Line) {
		vertices[v] = true
	}
	for _, m := range c.Markers {
		v := [2]string{fmt1(m.X), fmt1(m.Y)}
		if !vertices[v] {
			t.Errorf("marker %q at %v is on no vertex of the curve", m.Title, v)
		}
	}
}
