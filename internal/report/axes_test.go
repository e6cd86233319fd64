package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
)

// heldFor is a session of capital 100,000 holding 100 shares of A bought
// at 100 from the start, valued every step of market time at the prices
// given in turn.
func heldFor(t *testing.T, step time.Duration, pxs ...string) report.Report {
	t.Helper()
	src := fakeSource{positions: []db.Position{{ID: 1, Symbol: "A", Side: "buy", Status: db.PositionActive,
		Qty: decimal.NewFromInt(100), EntryTime: m0, EntryPrice: decimal.RequireFromString("100")}}}
	for i, px := range pxs {
		src.values = append(src.values, db.ValuePoint{MarketTime: m0.Add(time.Duration(i) * step), Source: db.ValueCheckpoint,
			Prices: pricesOf("A", px)})
	}
	return build(t, src, db.Session{ID: "s", Status: db.StatusActive, StartTime: t0, InitialPortfolioValue: nd("100000")})
}

func labels(ticks []report.Tick) (out []string) {
	for _, t := range ticks {
		out = append(out, t.Label+map[bool]string{true: "/" + t.Sub}[t.Sub != ""])
	}
	return out
}

// TestAxes: dollars with thousands separators on the left, the return on
// the starting capital on the right with a sign, round market times
// below with the date under the first, and every axis titled.
func TestAxes(t *testing.T) {
	// 13:30 to 16:30 market time; A from 100 to 104 and back to 97:
	// equity 100,000 to 100,400 to 99,700, with a little room around.
	r := heldFor(t, 30*time.Minute, "100", "102", "104", "101", "99", "97", "98")
	c := r.Equity
	if got := strings.Join(labels(c.XTicks), " "); got != "13:30/2025-06-02 14:00 14:30 15:00 15:30 16:00 16:30" {
		t.Errorf("time ticks %s", got)
	}
	if got := strings.Join(labels(c.YTicks), " "); got != "$99,600 $99,800 $100,000 $100,200 $100,400 $100,600" {
		t.Errorf("dollar ticks %s", got)
	}
	if got := strings.Join(labels(c.Y2Ticks), " "); got != "-0.4% -0.2% 0% +0.2% +0.4% +0.6%" {
		t.Errorf("percent ticks %s", got)
	}
	for i := 1; i < len(c.YTicks); i++ {
		if c.YTicks[i].Pos >= c.YTicks[i-1].Pos || c.Y2Ticks[i].Pos >= c.Y2Ticks[i-1].Pos {
			t.Fatalf("ticks %d and %d: higher values must be drawn higher", i-1, i)
		}
	}
	// The 0% tick and the starting capital's line are at $100,000.
	if c.Y2Ticks[2].Pos != c.YTicks[2].Pos || c.Reference != c.YTicks[2].Pos {
		t.Errorf("0%% at y %v, $100,000 at %v, the capital's line at %v: want one height", c.Y2Ticks[2].Pos, c.YTicks[2].Pos, c.Reference)
	}
	if c.XTitle != "Market time (UTC)" || c.YTitle != "Session equity ($)" || c.Y2Title != "Return on starting capital (%)" {
		t.Errorf("titles %q, %q, %q", c.XTitle, c.YTitle, c.Y2Title)
	}
	if got := strings.Join(labels(r.Drawdown.YTicks), " "); got != "-0.8% -0.6% -0.4% -0.2% 0%" {
		t.Errorf("drawdown ticks %s", got)
	}

	// Two and a half days: a tick every 12 hours, each new date under its
	// first tick.
	days := heldFor(t, 10*time.Hour, "100", "101", "102", "103", "104", "105", "106")
	if got := strings.Join(labels(days.Equity.XTicks), " "); got != "00:00/2025-06-03 12:00 00:00/2025-06-04 12:00 00:00/2025-06-05" {
		t.Errorf("time ticks over days %s", got)
	}
	// Small amounts get cents.
	cents := heldFor(t, time.Minute, "100", "100.001", "100.002")
	for _, tk := range cents.Equity.YTicks {
		if !strings.HasPrefix(tk.Label, "$") || len(tk.Label) < 3 || tk.Label[len(tk.Label)-3] != '.' {
			t.Errorf("tick %q for a 20-cent range, want dollars and cents", tk.Label)
		}
	}
}
