package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// point is one plotted checkpoint.
type point struct {
	at    time.Time
	value decimal.Decimal
	f     float64 // value as a coordinate
}

// valuePoints keeps the checkpoints that carry a portfolio value, in the
// store's (checkpoint_time, id) order; the others cannot be plotted and
// are counted instead.
func valuePoints(series []db.CheckpointPoint) (pts []point, skipped int) {
	pts = make([]point, 0, len(series))
	for _, p := range series {
		if !p.PortfolioValue.Valid {
			skipped++
			continue
		}
		pts = append(pts, point{at: p.CheckpointTime.UTC(), value: p.PortfolioValue.Decimal, f: p.PortfolioValue.Decimal.InexactFloat64()})
	}
	return pts, skipped
}

func timeFrame(pts []point) frame {
	return frame{t0: pts[0].at, t1: pts[len(pts)-1].at, n: len(pts)}
}

// equityChart draws one polyline point per plotted checkpoint and marks
// every entry and exit on the curve, at its broker time carried onto the
// checkpoints' clock; the titles keep the broker's own times.
func equityChart(pts []point, trades []Trade, clocks clockMap) Chart {
	c := newChart()
	f := timeFrame(pts)
	lo, hi := pts[0].f, pts[0].f
	for _, p := range pts {
		lo, hi = min(lo, p.f), max(hi, p.f)
	}
	f.yAxis(&c, lo, hi, "")
	f.xAxis(&c)
	var line []byte
	for i, p := range pts {
		line = appendPoint(line, f.x(&c, p.at, i), f.y(&c, p.f))
	}
	c.Line = string(line)
	for _, t := range trades {
		kind := "entry-long"
		if t.Side == "sell" || t.Direction == db.DirectionDown {
			kind = "entry-short"
		}
		c.Markers = append(c.Markers, marker(&c, f, pts, clocks.toWall(t.EntryTime), kind,
			fmt.Sprintf("entry %s %s %s @ %s, %s", t.Symbol, t.Side, t.Qty, t.EntryPrice, fmtTime(t.EntryTime))))
		if t.ExitTime == nil {
			continue
		}
		kind = "exit-flat"
		switch {
		case t.PnL.Valid && t.PnL.Decimal.IsPositive():
			kind = "exit-win"
		case t.PnL.Valid && t.PnL.Decimal.IsNegative():
			kind = "exit-loss"
		}
		c.Markers = append(c.Markers, marker(&c, f, pts, clocks.toWall(*t.ExitTime), kind,
			fmt.Sprintf("exit %s (%s) @ %s, P&L %s, %s", t.Symbol, orDash(t.ExitReason), fmtNullDec(t.ExitPrice),
				fmtNullDec(t.PnL), fmtTime(*t.ExitTime))))
	}
	return c
}

// marker sits on the curve: the equity at t, interpolated between the
// checkpoints around it and clamped to the plotted span.
func marker(c *Chart, f frame, pts []point, t time.Time, kind, title string) Marker {
	i := sort.Search(len(pts), func(i int) bool { return !pts[i].at.Before(t) })
	if t.Before(pts[0].at) || t.After(pts[len(pts)-1].at) {
		c.Pinned++
	}
	var x, v float64
	switch {
	case i == 0:
		x, v = f.x(c, pts[0].at, 0), pts[0].f
	case i == len(pts):
		x, v = f.x(c, pts[i-1].at, i-1), pts[i-1].f
	default:
		a, b := pts[i-1], pts[i]
		frac := float64(t.Sub(a.at)) / float64(b.at.Sub(a.at))
		x, v = f.x(c, t, i), a.f+(b.f-a.f)*frac
	}
	return Marker{X: x, Y: f.y(c, v), Kind: kind, Title: title}
}

// drawdowns is, per point, the fall from the running peak in percent
// (zero or negative), computed in decimals.
func drawdowns(pts []point) []decimal.Decimal {
	out := make([]decimal.Decimal, len(pts))
	peak := pts[0].value
	for i, p := range pts {
		if p.value.GreaterThan(peak) {
			peak = p.value
		}
		if peak.IsPositive() {
			out[i] = p.value.Sub(peak).Div(peak).Mul(hundred)
		}
	}
	return out
}

// drawdownChart draws the drawdown filled down from the zero line and
// returns the deepest drawdown as a positive percentage.
func drawdownChart(pts []point) (Chart, decimal.Decimal) {
	c := newChart()
	f := timeFrame(pts)
	dd := drawdowns(pts)
	worst := decimal.Zero
	for _, d := range dd {
		worst = decimal.Min(worst, d)
	}
	lo := worst.InexactFloat64()
	if lo == 0 {
		lo = -1 // a flat zero line still gets a readable scale
	}
	f.yAxis(&c, lo, 0, "%")
	f.xAxis(&c)
	c.Baseline = f.y(&c, 0)
	var line []byte
	for i, p := range pts {
		line = appendPoint(line, f.x(&c, p.at, i), f.y(&c, dd[i].InexactFloat64()))
	}
	c.Line = string(line)
	area := appendPoint(append([]byte(nil), line...), f.x(&c, pts[len(pts)-1].at, len(pts)-1), c.Baseline)
	c.Area = string(appendPoint(area, f.x(&c, pts[0].at, 0), c.Baseline))
	return c, worst.Neg().Round(4)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func fmtNullDec(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.String()
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}
