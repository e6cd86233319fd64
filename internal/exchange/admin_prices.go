package exchange

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// burst is an admin-made momentum burst: over [Start, End) the price of
// Symbol ramps by ChangePct and volume is multiplied by VolumeMult; from
// End on the price stays shifted.
type burst struct {
	Symbol     string    `json:"symbol"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	ChangePct  float64   `json:"change_pct"`
	VolumeMult float64   `json:"volume_mult"`
}

// adjustments are the admin changes to one symbol's source prices: bursts
// and price overrides. They are copied out of the state so bars can be
// computed without holding the lock.
type adjustments struct {
	src       priceSource
	sym       string
	overrides []override
	ratios    []float64 // per override: how it scales source prices from its At on
	bursts    []burst
}

func (e *Exchange) adjustmentsLocked(sym string) adjustments {
	a := adjustments{src: e.src, sym: sym}
	for _, ov := range e.st.Overrides {
		if ov.Symbol == sym {
			a.overrides = append(a.overrides, ov)
		}
	}
	for _, b := range e.st.Bursts {
		if b.Symbol == sym {
			a.bursts = append(a.bursts, b)
		}
	}
	a.ratios = make([]float64, len(a.overrides))
	for i, ov := range a.overrides {
		a.ratios[i] = a.ratioOf(ov)
	}
	return a
}

func (a adjustments) none() bool { return len(a.overrides) == 0 && len(a.bursts) == 0 }

// burstFactor is the price multiplier of all bursts at t (continuous in t).
func (a adjustments) burstFactor(t time.Time) float64 { return a.burstFactorOf(len(a.bursts), t) }

// burstFactorOf is the multiplier of the first n bursts (in creation order).
func (a adjustments) burstFactorOf(n int, t time.Time) float64 {
	f := 1.0
	for _, b := range a.bursts[:n] {
		ramp := float64(t.Sub(b.Start)) / float64(b.End.Sub(b.Start))
		f *= math.Pow(1+b.ChangePct/100, math.Max(0, math.Min(1, ramp)))
	}
	return f
}

func (a adjustments) volumeMult(t time.Time) float64 {
	m := 1.0
	for _, b := range a.bursts {
		if !t.Before(b.Start) && t.Before(b.End) {
			m *= b.VolumeMult
		}
	}
	return m
}

// sourceAt is the source's own price at t: the last point of its path at
// or before t.
func (a adjustments) sourceAt(t time.Time) (float64, bool) {
	b, ok := a.src.barAt(a.sym, t)
	for ok {
		pts := pathPoints(b)
		for i := len(pts) - 1; i >= 0; i-- {
			if !pts[i].at.After(t) {
				return pts[i].px, true
			}
		}
		b, ok = barBefore(a.src, a.sym, b)
	}
	return 0, false
}

// ratioOf scales source prices so the price at the override's instant is
// the price the admin set; the path continues from there. Bursts made
// after the override move the price on top of it.
func (a adjustments) ratioOf(ov override) float64 {
	base, ok := a.sourceAt(ov.At)
	if !ok || base <= 0 {
		return 1
	}
	n := min(ov.Bursts, len(a.bursts))
	return ov.Price.InexactFloat64() / (base * a.burstFactorOf(n, ov.At))
}

// factor is the multiplier of source prices at t: the bursts and the
// override in force.
func (a adjustments) factor(t time.Time) float64 {
	f := a.burstFactor(t)
	for i := len(a.overrides) - 1; i >= 0; i-- {
		if !a.overrides[i].At.After(t) {
			return f * a.ratios[i]
		}
	}
	return f
}

// overridePrice is the price override i stands for now: what the admin
// set, moved by the bursts made after it.
func (a adjustments) overridePrice(i int) decimal.Decimal {
	ov := a.overrides[i]
	if ov.Bursts >= len(a.bursts) {
		return ov.Price
	}
	base, _ := a.sourceAt(ov.At)
	return decimal.NewFromFloat(roundCents(base * a.factor(ov.At)))
}

// points is b's price path with the admin changes applied.
func (a adjustments) points(b bar) [4]point {
	pts := pathPoints(b)
	if a.none() {
		return pts
	}
	for i := range pts {
		pts[i].px = roundCents(pts[i].px * a.factor(pts[i].at))
	}
	return pts
}

// bar is b with the admin changes applied: the open, extremes and close of
// its adjusted path, admin prices set inside it included.
func (a adjustments) bar(b bar) bar {
	if a.none() {
		return b
	}
	pts := a.points(b)
	b.O, b.C, b.H, b.L = pts[0].px, pts[3].px, pts[0].px, pts[0].px
	for _, p := range pts[1:] {
		b.H, b.L = math.Max(b.H, p.px), math.Min(b.L, p.px)
	}
	for i, ov := range a.overrides {
		if !ov.At.Before(b.S) && ov.At.Before(b.E) {
			px := a.overridePrice(i).InexactFloat64()
			b.H, b.L = math.Max(b.H, px), math.Min(b.L, px)
		}
	}
	if v := a.volumeMult(b.T); v != 1 {
		b.V = uint64(float64(b.V) * v)
		b.N = b.V/100 + 1
	}
	return b
}

// priceAt is the price at t: the last point of the adjusted path at or
// before t, or an admin price set after that point.
func (a adjustments) priceAt(t time.Time) (decimal.Decimal, bool) {
	var last point
	found := false
	for b, ok := a.src.barAt(a.sym, t); ok && !found; b, ok = barBefore(a.src, a.sym, b) {
		pts := a.points(b)
		for i := len(pts) - 1; i >= 0 && !found; i-- {
			if !pts[i].at.After(t) {
				last, found = pts[i], true
			}
		}
	}
	for i := len(a.overrides) - 1; i >= 0; i-- {
		if at := a.overrides[i].At; !at.After(t) {
			if !found || !at.Before(last.at) {
				return a.overridePrice(i), true
			}
			break
		}
	}
	if !found {
		return decimal.Decimal{}, false
	}
	return last.price(), true
}

// span aggregates the adjusted base bars that start in [from, to) and are
// complete at cutoff.
func (a adjustments) span(from, to, cutoff time.Time) (bar, bool) {
	var agg aggregator
	res := a.src.resolution()
	for b, ok := a.src.barFrom(a.sym, from); ok && b.T.Before(to); b, ok = a.src.barFrom(a.sym, b.T.Add(time.Nanosecond)) {
		if b.T.Add(res).After(cutoff) {
			break
		}
		agg.add(a.bar(b))
	}
	return agg.result()
}

// latest is the most recent base bar complete at now.
func (a adjustments) latest(now time.Time) (bar, bool) {
	b, ok := a.src.barAt(a.sym, now)
	if ok && b.T.Add(a.src.resolution()).After(now) {
		b, ok = barBefore(a.src, a.sym, b)
	}
	if !ok {
		return bar{}, false
	}
	return a.bar(b), true
}
