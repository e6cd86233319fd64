package report

import (
	"math"
	"strconv"
	"time"
)

// Chart geometry in SVG user units. Floats are only coordinates; every
// figure a person reads as money is formatted from a decimal elsewhere.
const (
	chartWidth  = 960
	chartHeight = 320
	padLeft     = 86
	padRight    = 24
	padTop      = 16
	padBottom   = 36
	yTickCount  = 5
	xTickCount  = 6
)

// Chart is one SVG chart, ready for the template.
type Chart struct {
	Width, Height                            float64
	PlotLeft, PlotTop, PlotRight, PlotBottom float64
	// Line is the polyline's points attribute: one "x,y" per data point.
	Line string
	// Area closes Line down (or up) to the baseline, for a filled chart.
	Area     string
	Baseline float64 // y of the zero line (drawdown), or the plot bottom
	YTicks   []Tick
	XTicks   []Tick
	Markers  []Marker
	// Pinned counts markers whose time lies outside the checkpoints' span
	// and which are drawn at its edge instead.
	Pinned int
}

// Tick is an axis label at a coordinate.
type Tick struct {
	Pos    float64
	Label  string
	Anchor string // SVG text-anchor, so the last time label stays inside
}

// Marker is a trade event drawn on the equity curve.
type Marker struct {
	X, Y  float64
	Kind  string // entry-long, entry-short, exit-win, exit-loss, exit-flat
	Title string // shown by the browser on hover, no script needed
}

// frame maps times and values onto the plot area.
type frame struct {
	t0, t1     time.Time
	vmin, vmax float64
	n          int // points, for the index fallback when all times are equal
}

func newChart() Chart {
	return Chart{Width: chartWidth, Height: chartHeight, PlotLeft: padLeft, PlotTop: padTop,
		PlotRight: chartWidth - padRight, PlotBottom: chartHeight - padBottom, Baseline: chartHeight - padBottom}
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

// yAxis widens [lo, hi] to round tick values and labels them.
func (f *frame) yAxis(c *Chart, lo, hi float64, suffix string) {
	if hi-lo < 1e-9 {
		pad := math.Max(math.Abs(hi)*0.001, 1)
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep((hi - lo) / (yTickCount - 1))
	f.vmin, f.vmax = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	prec := max(0, -int(math.Floor(math.Log10(step))))
	for v := f.vmin; v <= f.vmax+step/2; v += step {
		c.YTicks = append(c.YTicks, Tick{Pos: f.y(c, v), Label: strconv.FormatFloat(v, 'f', prec, 64) + suffix, Anchor: "end"})
	}
}

// xAxis labels evenly spaced instants, with the date only when the span
// crosses midnight.
func (f frame) xAxis(c *Chart) {
	layout := "15:04:05"
	if f.t0.Format("2006-01-02") != f.t1.Format("2006-01-02") {
		layout = "01-02 15:04"
	}
	ticks := xTickCount
	if !f.t1.After(f.t0) {
		ticks = 1
	}
	for i := range ticks {
		t := f.t0
		if ticks > 1 {
			t = f.t0.Add(time.Duration(float64(f.t1.Sub(f.t0)) * float64(i) / float64(ticks-1)))
		}
		anchor := "middle"
		if ticks > 1 && i == ticks-1 {
			anchor = "end"
		}
		c.XTicks = append(c.XTicks, Tick{Pos: f.x(c, t, 0), Label: t.UTC().Format(layout), Anchor: anchor})
	}
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*pow {
			return m * pow
		}
	}
	return 10 * pow
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
