package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

func timeFrame(pts []CurvePoint) frame {
	return frame{t0: pts[0].At, t1: pts[len(pts)-1].At, n: len(pts)}
}

// equityChart draws one polyline vertex per curve point, against market
// time, with the session's equity in dollars on the left, its return on
// the starting capital on the right (when it has one), a line at the
// starting capital, and every entry and exit marked on its vertex.
func equityChart(curve Curve, capital decimal.NullDecimal, trades []Trade) Chart {
	pts := curve.Points
	c := newChart()
	c.YTitle = "Session equity ($)"
	if curve.AccountValue {
		c.YTitle = "Account value ($)"
	}
	f := timeFrame(pts)
	lo, hi := pts[0].f, pts[0].f
	for _, p := range pts {
		lo, hi = min(lo, p.f), max(hi, p.f)
	}
	hasCapital := capital.Valid && capital.Decimal.IsPositive()
	if hasCapital {
		cf := capital.Decimal.InexactFloat64()
		lo, hi = min(lo, cf), max(hi, cf)
	}
	// A little room above and below, so the curve does not run along the
	// frame when it sits on a round value (the starting capital).
	pad := (hi - lo) * 0.03
	f.yAxis(&c, f.yRange(lo-pad, hi+pad), moneyLabel)
	if hasCapital {
		cf := capital.Decimal.InexactFloat64()
		f.pctAxis(&c, cf)
		c.Y2Title, c.Reference = "Return on starting capital (%)", f.y(&c, cf)
	}
	f.xAxis(&c)
	var line []byte
	for i, p := range pts {
		line = appendPoint(line, f.x(&c, p.At, i), f.y(&c, p.f))
	}
	c.Line = string(line)
	for _, t := range trades {
		kind := "entry-long"
		if t.Side == "sell" || t.Direction == db.DirectionDown {
			kind = "entry-short"
		}
		c.Markers = append(c.Markers, marker(&c, f, pts, t.EntryTime, kind,
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
		c.Markers = append(c.Markers, marker(&c, f, pts, *t.ExitTime, kind,
			fmt.Sprintf("exit %s (%s) @ %s, P&L %s, %s", t.Symbol, orDash(t.ExitReason), fmtNullDec(t.ExitPrice),
				fmtNullDec(t.PnL), fmtTime(*t.ExitTime))))
	}
	return c
}

// marker sits on the curve at market time t: on the last point at t, else
// on the line between the points around it, clamped to the curve's span.
func marker(c *Chart, f frame, pts []CurvePoint, t time.Time, kind, title string) Marker {
	t = t.UTC()
	if t.Before(pts[0].At) || t.After(pts[len(pts)-1].At) {
		c.Pinned++
	}
	i := sort.Search(len(pts), func(i int) bool { return pts[i].At.After(t) })
	var x, v float64
	switch {
	case i == 0:
		x, v = f.x(c, pts[0].At, 0), pts[0].f
	case i == len(pts) || pts[i-1].At.Equal(t):
		x, v = f.x(c, pts[i-1].At, i-1), pts[i-1].f
	default:
		a, b := pts[i-1], pts[i]
		frac := float64(t.Sub(a.At)) / float64(b.At.Sub(a.At))
		x, v = f.x(c, t, i), a.f+(b.f-a.f)*frac
	}
	return Marker{X: x, Y: f.y(c, v), Kind: kind, Title: title}
}

// drawdowns is, per point, the fall from the running peak in percent
// (zero or negative), computed in decimals.
func drawdowns(pts []CurvePoint) []decimal.Decimal {
	out := make([]decimal.Decimal, len(pts))
	peak := pts[0].Equity
	for i, p := range pts {
		if p.Equity.GreaterThan(peak) {
			peak = p.Equity
		}
		if peak.IsPositive() {
			out[i] = p.Equity.Sub(peak).Div(peak).Mul(hundred)
		}
	}
	return out
}

// drawdownChart draws the drawdown filled down from the zero line, on the
// equity chart's time axis, and returns the deepest drawdown as a
// positive percentage.
func drawdownChart(pts []CurvePoint) (Chart, decimal.Decimal) {
	c := newChart()
	c.YTitle = "Below running peak (%)"
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
	f.yAxis(&c, f.yRange(lo, 0), func(v, step float64) string { return pctLabel(v, step, false) })
	f.xAxis(&c)
	c.Baseline = f.y(&c, 0)
	var line []byte
	for i, p := range pts {
		line = appendPoint(line, f.x(&c, p.At, i), f.y(&c, dd[i].InexactFloat64()))
	}
	c.Line = string(line)
	area := appendPoint(append([]byte(nil), line...), f.x(&c, pts[len(pts)-1].At, len(pts)-1), c.Baseline)
	c.Area = string(appendPoint(area, f.x(&c, pts[0].At, 0), c.Baseline))
	return c, worst.Neg().Round(4)
}

// fmtTime is a market time as the page shows it: every time on the page
// is market time in UTC, as its header says.
func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

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
