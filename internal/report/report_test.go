package report_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
)

var t0 = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)

func nd(s string) decimal.NullDecimal {
	if s == "" {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(decimal.RequireFromString(s))
}

// same compares a nullable decimal with its text ("" for null).
func same(got decimal.NullDecimal, want string) bool {
	if want == "" {
		return !got.Valid
	}
	return got.Valid && got.Decimal.Equal(decimal.RequireFromString(want))
}

func closed(symbol, pnl string) db.Position {
	exit := t0.Add(time.Hour)
	return db.Position{Symbol: symbol, Status: db.PositionClosed, Qty: decimal.NewFromInt(1), EntryTime: t0, ExitTime: &exit, PnL: nd(pnl)}
}

func prices(stale bool, kv ...string) *checkpoint.SessionValue {
	v := &checkpoint.SessionValue{Prices: map[string]decimal.Decimal{}, PricesStale: stale}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Prices[kv[i]] = decimal.RequireFromString(kv[i+1])
	}
	return v
}

// TestSummarize: a session's value is its own (its starting capital plus
// what its positions made), never the account's.
func TestSummarize(t *testing.T) {
	closedOnly := []db.Position{closed("A", "12.5"), closed("B", "-3"), closed("C", "0"), closed("D", "")}
	withOpen := append(append([]db.Position{}, closedOnly...),
		db.Position{Symbol: "E", Side: "buy", Status: db.PositionActive, Qty: decimal.NewFromInt(2), EntryPrice: decimal.RequireFromString("50"), EntryTime: t0})
	active := db.Session{ID: "s", Status: db.StatusActive, StartTime: t0, InitialPortfolioValue: nd("100000"), AllocatedCapital: nd("25000")}
	noCapital := active
	noCapital.AllocatedCapital = nd("")
	ended := active
	ended.Status, ended.FinalPortfolioValue, ended.PnL, ended.PnLPct = db.StatusCompleted, nd("25200"), nd("200"), nd("0.8")
	at := t0.Add(time.Minute)

	for _, c := range []struct {
		name                         string
		sess                         db.Session
		positions                    []db.Position
		latest                       report.Valuation
		capital, source, final       string
		pnl, pnlPct, unrealized      string
		wantNoteContains, wantStatus string
		active                       int
	}{
		{"ended: the recorded values", ended, withOpen, report.Valuation{Session: prices(false, "E", "1"), At: t0},
			"25000", report.FinalFromSession, "25200", "200", "0.8", "190.5", "", "completed", 1},
		{"active: open positions at the newest checkpoint's prices, said so", active, withOpen,
			report.Valuation{Session: prices(false, "E", "51.1725", "ZZZ", "1"), At: at},
			"25000", report.FinalFromCheckpoint, "25011.845", "11.845", "0.0474", "2.345", "session still active", "active (not running)", 1},
		{"stale prices are said to be", active, withOpen, report.Valuation{Session: prices(true, "E", "50"), At: at},
			"25000", report.FinalFromCheckpoint, "25009.5", "9.5", "0.038", "0", "some prices stale", "active (not running)", 1},
		{"without --capital the account value at start is the capital", noCapital, withOpen,
			report.Valuation{Session: prices(false, "E", "49"), At: at},
			"100000", report.FinalFromCheckpoint, "100007.5", "7.5", "0.0075", "-2", "session still active", "active (not running)", 1},
		{"nothing open: no price needed", active, closedOnly, report.Valuation{},
			"25000", report.FinalFromPositions, "25009.5", "9.5", "0.038", "0", "from its positions, none open", "active (not running)", 0},
		{"an open position without a price: unknown, said why", active, withOpen, report.Valuation{Session: prices(false), At: at},
			"25000", report.FinalUnknown, "", "", "", "", "no price yet for the open E", "active (not running)", 1},
		{"active without checkpoints", active, withOpen, report.Valuation{},
			"25000", report.FinalUnknown, "", "", "", "", "no price yet for the open E", "active (not running)", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := report.Summarize(c.sess, c.positions, c.latest, nil)
			if !same(s.InitialValue, c.capital) || !same(s.AccountInitialValue, "100000") {
				t.Errorf("starting capital %v (account %v), want %s (100000)", s.InitialValue, s.AccountInitialValue, c.capital)
			}
			if s.FinalValueSource != c.source || !same(s.FinalValue, c.final) {
				t.Errorf("final value %v from %q, want %s from %q", s.FinalValue, s.FinalValueSource, c.final, c.source)
			}
			if !same(s.PnL, c.pnl) || !same(s.PnLPct, c.pnlPct) {
				t.Errorf("pnl %v (%v%%), want %q (%q%%)", s.PnL, s.PnLPct, c.pnl, c.pnlPct)
			}
			if !same(s.RealizedPnL, "9.5") || !same(s.UnrealizedPnL, c.unrealized) {
				t.Errorf("realized %v, unrealized %v; want 9.5 and %q", s.RealizedPnL, s.UnrealizedPnL, c.unrealized)
			}
			if !strings.Contains(s.FinalValueNote(), c.wantNoteContains) {
				t.Errorf("note %q, want it to contain %q", s.FinalValueNote(), c.wantNoteContains)
			}
			if s.StatusText() != c.wantStatus {
				t.Errorf("status %q, want %q", s.StatusText(), c.wantStatus)
			}
			// A closed position without a pnl is a trade, neither won nor lost.
			if s.Trades != 4 || s.Wins != 1 || s.Losses != 1 || s.ActivePositions != c.active {
				t.Errorf("trades %d wins %d losses %d active %d, want 4 1 1 %d", s.Trades, s.Wins, s.Losses, s.ActivePositions, c.active)
			}
			if !s.WinRatePct.Valid || !s.WinRatePct.Decimal.Equal(decimal.NewFromInt(25)) {
				t.Errorf("win rate %v, want 25", s.WinRatePct)
			}
		})
	}
	holder := db.Holder{Host: "box", PID: 42, Since: t0}
	if s := report.Summarize(active, nil, report.Valuation{}, &holder); !s.Running || !strings.HasPrefix(s.StatusText(), "running (box pid 42") {
		t.Errorf("held session: running %v, status %q", s.Running, s.StatusText())
	}
	if s := report.Summarize(active, nil, report.Valuation{}, nil); s.WinRatePct.Valid || s.Trades != 0 {
		t.Errorf("no trades: win rate %v, trades %d; want null and 0", s.WinRatePct, s.Trades)
	}
}

// fakeSource serves fixed rows.
type fakeSource struct {
	positions []db.Position
	series    []db.CheckpointPoint
	values    []db.ValuePoint
	fills     []db.Fill
}

func (f fakeSource) Positions(context.Context, string) ([]db.Position, error) {
	return f.positions, nil
}
func (f fakeSource) NewestCheckpoint(context.Context, string, int) (db.Checkpoint, error) {
	return db.Checkpoint{}, db.ErrNotFound
}
func (f fakeSource) LeaseHolder(context.Context, string) (db.Holder, bool, error) {
	return db.Holder{}, false, nil
}
func (f fakeSource) CheckpointSeries(context.Context, string) ([]db.CheckpointPoint, error) {
	return f.series, nil
}
func (f fakeSource) ValueSeries(context.Context, string) ([]db.ValuePoint, error) {
	return f.values, nil
}
func (f fakeSource) Fills(context.Context, string) ([]db.Fill, error) {
	return f.fills, nil
}

func TestBuildDrawdownAndGaps(t *testing.T) {
	var series []db.CheckpointPoint
	for i, v := range []string{"100", "110", "99", "", "104.5", "120"} {
		series = append(series, db.CheckpointPoint{ID: int64(i + 1), CheckpointTime: t0.Add(time.Duration(i) * time.Minute), PortfolioValue: nd(v)})
	}
	early := t0.Add(-time.Minute) // before the first checkpoint
	exit := t0.Add(150 * time.Second)
	src := fakeSource{series: series, positions: []db.Position{
		{Symbol: "A", Side: "buy", Status: db.PositionClosed, Qty: decimal.NewFromInt(1), EntryTime: early, ExitTime: &exit, PnL: nd("-1")},
	}}
	r, err := report.Build(context.Background(), src, db.Session{ID: "s", Status: db.StatusCompleted, StartTime: t0}, t0, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if r.Checkpoints != 6 || len(r.Curve.Points) != 5 || !r.Curve.AccountValue {
		t.Errorf("checkpoints %d, curve points %d (account value %v), want 6 and 5 of the account's value (one has none)",
			r.Checkpoints, len(r.Curve.Points), r.Curve.AccountValue)
	}
	// The deepest fall is 110 -> 99: 10%, from the running peak, not the start.
	if !r.MaxDrawdownPct.Valid || !r.MaxDrawdownPct.Decimal.Equal(decimal.NewFromInt(10)) {
		t.Errorf("max drawdown %v, want 10", r.MaxDrawdownPct)
	}
	if r.Equity == nil || len(r.Equity.Markers) != 2 || r.Equity.Pinned != 1 {
		t.Fatalf("equity chart %+v, want 2 markers, 1 pinned", r.Equity)
	}
	if r.Equity.Markers[1].Kind != "exit-loss" {
		t.Errorf("exit marker kind %q, want exit-loss", r.Equity.Markers[1].Kind)
	}
	var page bytes.Buffer
	if err := report.Render(&page, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 of the 2 markers fall outside", "the curve is the account's portfolio value", "(max 10.00%)"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestBuildMarkersFollowMarketTime: the curve is drawn against market
// time, so trades stamped on a market clock that runs 60 times faster
// than the checkpoints' wall clock land where the checkpoints' market
// times put them; a checkpoint without a market time stands at its wall
// time, and such trades then fall outside the curve.
func TestBuildMarkersFollowMarketTime(t *testing.T) {
	market0 := time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC)
	entry, exit := market0.Add(90*time.Minute), market0.Add(4*time.Hour)
	positions := []db.Position{{Symbol: "A", Side: "buy", Status: db.PositionClosed, Qty: decimal.NewFromInt(1),
		EntryTime: entry, ExitTime: &exit, PnL: nd("2")}}
	build := func(withMarket bool) report.Report {
		var series []db.CheckpointPoint
		for i := range 6 {
			p := db.CheckpointPoint{ID: int64(i + 1), CheckpointTime: t0.Add(time.Duration(i) * time.Minute), PortfolioValue: nd("100000")}
			if withMarket {
				m := market0.Add(time.Duration(i) * time.Hour)
				p.MarketTime = &m
			}
			series = append(series, p)
		}
		r, err := report.Build(context.Background(), fakeSource{series: series, positions: positions},
			db.Session{ID: "s", Status: db.StatusCompleted, StartTime: t0}, t0, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := build(true)
	c := r.Equity
	if c.Pinned != 0 || len(c.Markers) != 2 {
		t.Fatalf("%d markers, %d pinned; want 2, none pinned", len(c.Markers), c.Pinned)
	}
	// 1h30 and 4h of market time are 1m30 and 4m of the 5m curve.
	w := c.PlotRight - c.PlotLeft
	for i, want := range []float64{c.PlotLeft + w*1.5/5, c.PlotLeft + w*4/5} {
		if got := c.Markers[i].X; got < want-0.01 || got > want+0.01 {
			t.Errorf("marker %d at x %.2f, want %.2f", i, got, want)
		}
	}
	if !r.Trades[0].EntryTime.Equal(entry) || !r.Trades[0].ExitTime.Equal(exit) {
		t.Errorf("trade times %s - %s, want the broker's %s - %s", r.Trades[0].EntryTime, r.Trades[0].ExitTime, entry, exit)
	}
	if !strings.Contains(c.Markers[0].Title, fmtUTC(entry)) {
		t.Errorf("entry marker title %q does not name the broker time %s", c.Markers[0].Title, fmtUTC(entry))
	}
	if old := build(false).Equity; old.Pinned != 2 {
		t.Errorf("without market times %d of 2 markers pinned, want 2 (checkpoints at their wall time)", old.Pinned)
	}
}

func fmtUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

func fmt1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// splitPoints reads an SVG points attribute.
func splitPoints(line string) [][2]string {
	var out [][2]string
	for _, p := range strings.Fields(line) {
		x, y, _ := strings.Cut(p, ",")
		out = append(out, [2]string{x, y})
	}
	return out
}
