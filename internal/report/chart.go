package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Chart geometry in SVG user units. Floats are only coordinates and axis
// labels; every figure the summary and the tables show is formatted from
// a decimal.
const (
	chartWidth  = 960
	chartHeight = 380
	padLeft     = 104 // money labels and the axis title
	padRight    = 88  // percent labels and the axis title
	padTop      = 16
	padBottom   = 66 // time and date labels and the axis title
	yTicks      = 6  // about this many; nice steps decide
	xTicks      = 7
)

// Chart is one SVG chart, ready for the template.
type Chart struct {
	Width, Height                            float64
	PlotLeft, PlotTop, PlotRight, PlotBottom float64
	// Line is the polyline's points attribute: one "x,y" per data point.
	Line string
	// Area closes Line up to the baseline, for a filled chart.
	Area     string
	Baseline float64 // y of the zero line (drawdown), or the plot bottom
	// Reference is the y of the starting capital's line; 0 when none.
	Reference float64
	// YTicks label the left axis, Y2Ticks the right one (none when
	// empty), XTicks the market time.
	YTicks, Y2Ticks, XTicks []Tick
	YTitle, Y2Title, XTitle string
	Markers                 []Marker
	// Pinned counts markers whose time lies outside the curve's span and
	// which are drawn at its edge instead.
	Pinned int
}

// Tick is an axis label at a coordinate; Sub is a second line (the date
// under a time).
type Tick struct {
	Pos    float64
	Label  string
	Sub    string
	Anchor string // SVG text-anchor, so edge labels stay inside
}

// Marker is a trade event drawn on the equity curve.
type Marker struct {
	X, Y  float64
	Kind  string // entry-long, entry-short, exit-win, exit-loss, exit-flat
	Title string // shown by the browser on hover, no script needed
}

// frame maps market times and values onto the plot area.
type frame struct {
	t0, t1     time.Time
	vmin, vmax float64
	n          int // points, for the index fallback when all times are equal
}

func newChart() Chart {
	return Chart{Width: chartWidth, Height: chartHeight, PlotLeft: padLeft, PlotTop: padTop,
		PlotRight: chartWidth - padRight, PlotBottom: chartHeight - padBottom, Baseline: chartHeight - padBottom,
		XTitle: "Market time (UTC)"}
}

// x places time t, or with all points at one instant, point i.
func (f frame) x(c *Chart, t time.Time, i int) float64 {
	w := c.PlotRight - c.PlotLeft
	span := f.t1.Sub(f.t0)
	switch {
	case span > 0:
		return c.PlotLeft + w*float64(t.Sub(f.t0))/float64(span)
	case f.n > 1:
		return c.PlotLeft + w*float64(i)/float64(f.n-1)
	default:
		return c.PlotLeft + w/2
	}
}

func (f frame) y(c *Chart, v float64) float64 {
	return c.PlotBottom - (c.PlotBottom-c.PlotTop)*(v-f.vmin)/(f.vmax-f.vmin)
}

// yRange widens [lo, hi] to round tick values and returns the step.
func (f *frame) yRange(lo, hi float64) float64 {
	if hi-lo < 1e-9 {
		pad := math.Max(math.Abs(hi)*0.001, 1)
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep((hi - lo) / (yTicks - 1))
	f.vmin, f.vmax = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	return step
}

// yAxis labels the left axis from vmin to vmax every step.
func (f frame) yAxis(c *Chart, step float64, label func(v, step float64) string) {
	for v := f.vmin; v <= f.vmax+step/2; v += step {
		c.YTicks = append(c.YTicks, Tick{Pos: f.y(c, v), Label: label(v, step), Anchor: "end"})
	}
}

// pctAxis labels the right axis in percent of capital at its own round
// values: equity e is (e/capital - 1) x 100 percent.
func (f frame) pctAxis(c *Chart, capital float64) {
	lo, hi := (f.vmin/capital-1)*100, (f.vmax/capital-1)*100
	step := niceStep((hi - lo) / (yTicks - 1))
	for p := math.Ceil(lo/step-1e-9) * step; p <= hi+step*1e-9; p += step {
		c.Y2Ticks = append(c.Y2Ticks, Tick{Pos: f.y(c, capital*(1+p/100)), Label: pctLabel(p, step, true), Anchor: "start"})
	}
}

// timeSteps are the round spans the time axis steps by.
var timeSteps = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second,
	30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour}

// xAxis labels round market times (whole minutes, hours, days, in UTC)
// inside the span, with the date under the first label and under each
// one that starts another day.
func (f frame) xAxis(c *Chart) {
	span := f.t1.Sub(f.t0)
	if span <= 0 {
		c.XTicks = []Tick{{Pos: f.x(c, f.t0, 0), Label: f.t0.UTC().Format("15:04:05"), Sub: f.t0.UTC().Format("2006-01-02"), Anchor: "middle"}}
		return
	}
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s <= xTicks {
			step = s
			break
		}
	}
	layout := "15:04"
	switch {
	case step < time.Minute:
		layout = "15:04:05"
	case step >= 24*time.Hour:
		layout = "Jan 2"
	}
	// Truncate counts from the zero time, a UTC midnight, so steps that
	// divide a day fall on round clock times.
	t := f.t0.UTC().Truncate(step)
	if t.Before(f.t0) {
		t = t.Add(step)
	}
	day := ""
	for ; !t.After(f.t1); t = t.Add(step) {
		tick := Tick{Pos: f.x(c, t, 0), Label: t.Format(layout), Anchor: "middle"}
		if d := t.Format("2006-01-02"); d != day && step < 24*time.Hour {
			tick.Sub, day = d, d
		}
		c.XTicks = append(c.XTicks, tick)
	}
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*pow*(1+1e-9) {
			return m * pow
		}
	}
	return 10 * pow
}

// decimalsFor is how many decimals show a multiple of step exactly.
func decimalsFor(step float64) int {
	return max(0, -int(math.Floor(math.Log10(step)+1e-9)))
}

// moneyLabel is v as dollars with thousands separators, to the step's
// precision (at most cents).
func moneyLabel(v, step float64) string {
	text := strconv.FormatFloat(math.Abs(v), 'f', min(2, decimalsFor(step)), 64)
	return dollarText(text, v < 0 && strings.Trim(text, "0.") != "")
}

// dollarText is the unsigned amount text (digits, maybe a fraction) as
// dollars, with thousands separators: "$100,250.5", "-$15.20".
func dollarText(text string, negative bool) string {
	whole, frac, _ := strings.Cut(text, ".")
	var b strings.Builder
	if negative {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// pctLabel is p percent to the step's precision; signed shows a + on
// gains, as a return reads.
func pctLabel(p, step float64, signed bool) string {
	prec := decimalsFor(step)
	if math.Abs(p) < step/2 {
		return "0%"
	}
	s := strconv.FormatFloat(p, 'f', prec, 64) + "%"
	if signed && p > 0 {
		s = "+" + s
	}
	return s
}

// appendPoint writes "x,y" with one decimal, enough for a 960-unit chart
// and small for 100,000 points.
func appendPoint(b []byte, x, y float64) []byte {
	if len(b) > 0 {
		b = append(b, ' ')
	}
	b = strconv.AppendFloat(b, x, 'f', 1, 64)
	b = append(b, ',')
	return strconv.AppendFloat(b, y, 'f', 1, 64)
}
