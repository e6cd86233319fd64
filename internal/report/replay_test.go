package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
)

var m0 = time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC) // market time

func at(minutes int) time.Time { return m0.Add(time.Duration(minutes) * time.Minute) }

func atp(minutes int) *time.Time {
	t := at(minutes)
	return &t
}

func pricesOf(kv ...string) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = decimal.RequireFromString(kv[i+1])
	}
	return out
}

func build(t *testing.T, src fakeSource, sess db.Session) report.Report {
	t.Helper()
	r, err := report.Build(context.Background(), src, sess, t0, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCurveReplaysTheRecord: the curve values the session at each instant
// from its positions and the prices seen by then, not from the figures
// the trader wrote. The trader's checkpoint at minute 25 still held A
// open (its exit at 20 was read back later) and valued it at 104; the
// curve has A closed at 20 with its real P&L. B is short: it gains when
// the price falls. A stale price is not taken.
func TestCurveReplaysTheRecord(t *testing.T) {
	sess := db.Session{ID: "s", Status: db.StatusCompleted, StartTime: t0, InitialPortfolioValue: nd("100000"),
		AllocatedCapital: nd("1000")}
	src := fakeSource{
		positions: []db.Position{
			{ID: 1, Symbol: "A", Side: "buy", Status: db.PositionClosed, Qty: decimal.NewFromInt(10), EntryTime: at(5),
				EntryPrice: decimal.RequireFromString("100"), ExitTime: atp(20), ExitPrice: nd("110"), PnL: nd("100")},
			{ID: 2, Symbol: "B", Side: "sell", Status: db.PositionActive, Qty: decimal.NewFromInt(4), EntryTime: at(12),
				EntryPrice: decimal.RequireFromString("50")},
		},
		fills: []db.Fill{
			{FillID: "f1", Symbol: "A", Side: "buy", Qty: decimal.NewFromInt(10), Price: decimal.RequireFromString("100"), FilledAt: at(5)},
			{FillID: "f2", Symbol: "B", Side: "sell", Qty: decimal.NewFromInt(4), Price: decimal.RequireFromString("50"), FilledAt: at(12)},
			{FillID: "f3", Symbol: "A", Side: "sell", Qty: decimal.NewFromInt(10), Price: decimal.RequireFromString("110"), FilledAt: at(20)},
		},
		values: []db.ValuePoint{
			{MarketTime: at(0), Source: db.ValueStart, Equity: nd("1000")},
			{MarketTime: at(10), Source: db.ValueCheckpoint, Equity: nd("1050"), Unrealized: decimal.NewFromInt(50), Prices: pricesOf("A", "105")},
			{MarketTime: at(15), Source: db.ValueCheckpoint, Equity: nd("1"), Prices: pricesOf("A", "90", "B", "1"), PricesStale: true},
			{MarketTime: at(25), Source: db.ValueCheckpoint, Equity: nd("1032"), Prices: pricesOf("A", "104", "B", "48")},
		},
	}
	r := build(t, src, sess)
	want := []struct {
		minute                      int
		equity, realized, unrealize string
		fills                       int
	}{
		{0, "1000", "0", "0", 0},
		{5, "1000", "0", "0", 1},   // A entered at its fill price
		{10, "1050", "0", "50", 0}, // A at 105
		{12, "1050", "0", "50", 1}, // B entered at 50
		{15, "1050", "0", "50", 0}, // stale prices are not taken
		{20, "1100", "100", "0", 1},
		{25, "1108", "100", "8", 0}, // A closed, B short 4 from 50 to 48
	}
	pts := r.Curve.Points
	if len(pts) != len(want) {
		t.Fatalf("%d points, want %d: %+v", len(pts), len(want), pts)
	}
	for i, w := range want {
		p := pts[i]
		if !p.At.Equal(at(w.minute)) || !same(decimal.NewNullDecimal(p.Equity), w.equity) ||
			!same(decimal.NewNullDecimal(p.Realized), w.realized) || !same(decimal.NewNullDecimal(p.Unrealized), w.unrealize) ||
			p.Fills != w.fills {
			t.Errorf("point %d: %s equity %s realized %s unrealized %s fills %d; want minute %d: %s %s %s %d", i,
				p.At.Format("15:04"), p.Equity, p.Realized, p.Unrealized, p.Fills, w.minute, w.equity, w.realized, w.unrealize, w.fills)
		}
	}
	if c := r.Curve; c.Fills != 3 || c.FillInstants != 3 || c.Starts != 1 || c.Checkpoints != 3 || c.AccountValue {
		t.Errorf("curve counts %+v, want 3 fills at 3 instants, 1 start, 3 checkpoints, the session's own value", c)
	}
	// The drawdown is from the running peak: 1108 is the last and highest.
	if !r.MaxDrawdownPct.Valid || !r.MaxDrawdownPct.Decimal.IsZero() {
		t.Errorf("max drawdown %v, want 0: the curve never falls", r.MaxDrawdownPct)
	}
	if r.MarketStart == nil || !r.MarketStart.Equal(at(0)) || !r.MarketEnd.Equal(at(25)) {
		t.Errorf("market span %v to %v, want %s to %s", r.MarketStart, r.MarketEnd, at(0), at(25))
	}
}

// TestCurveOlderSessions: a session whose value series began after it
// started (it was resumed after the upgrade) takes its checkpoints' stored
// prices until then; a checkpoint without a market time is on another
// clock and is left out; trades written without fills still get points.
func TestCurveOlderSessions(t *testing.T) {
	sess := db.Session{ID: "s", Status: db.StatusCompleted, StartTime: t0, InitialPortfolioValue: nd("1000")}
	src := fakeSource{
		positions: []db.Position{
			{ID: 1, Symbol: "A", Side: "buy", Status: db.PositionClosed, Qty: decimal.NewFromInt(1), EntryTime: at(5),
				EntryPrice: decimal.RequireFromString("100"), ExitTime: atp(40), ExitPrice: nd("103"), PnL: nd("3")},
		},
		series: []db.CheckpointPoint{
			{ID: 1, CheckpointTime: t0, PortfolioValue: nd("99999")}, // no market time
			{ID: 2, CheckpointTime: t0.Add(time.Minute), MarketTime: atp(10), SessionPrices: pricesOf("A", "101")},
			{ID: 3, CheckpointTime: t0.Add(2 * time.Minute), MarketTime: atp(30), SessionPrices: pricesOf("A", "150")},
		},
		values: []db.ValuePoint{{MarketTime: at(30), Source: db.ValueStart, Prices: pricesOf("A", "102")}},
	}
	r := build(t, src, sess)
	var got []string
	for _, p := range r.Curve.Points {
		got = append(got, p.At.Format("15:04")+"="+p.Equity.String())
	}
	// 13:35 entry, 13:40 checkpoint at 101, 14:00 the series' start at 102
	// (the checkpoint row at the same instant is the series'), 14:10 exit.
	want := "13:35=1000 13:40=1001 14:00=1002 14:10=1003"
	if strings.Join(got, " ") != want {
		t.Errorf("curve %s, want %s", strings.Join(got, " "), want)
	}
	if c := r.Curve; c.Fills != 0 || c.Starts != 1 || c.Checkpoints != 1 {
		t.Errorf("curve counts %+v, want no fills, 1 start, 1 checkpoint", c)
	}
	if r.Checkpoints != 3 {
		t.Errorf("checkpoints stored %d, want 3", r.Checkpoints)
	}
}
