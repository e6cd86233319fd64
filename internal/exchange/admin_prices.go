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
	return a
}

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

// override is the latest price override in force at minute m.
func (a adjustments) override(m int64) (override, bool) {
	for i := len(a.overrides) - 1; i >= 0; i-- {
		if minuteIndex(a.overrides[i].At) <= m {
			return a.overrides[i], true
		}
	}
	return override{}, false
}

// overrideRatio scales source prices so the price at an override's minute
// is the price the admin set; the walk continues from there.
func (a adjustments) overrideRatio(m int64) float64 {
	ov, ok := a.override(m)
	if !ok {
		return 1
	}
	base, ok := a.src.openAt(a.sym, ov.At)
	if !ok || base <= 0 {
		return 1
	}
	// Bursts made after the override move the price on top of it.
	n := min(ov.Bursts, len(a.bursts))
	return ov.Price.InexactFloat64() / (base * a.burstFactorOf(n, time.Unix(minuteIndex(ov.At)*60, 0)))
}

// price is the current price at t: the adjusted open of the bar forming at t.
func (a adjustments) price(t time.Time) (decimal.Decimal, bool) {
	m := minuteIndex(t)
	if ov, ok := a.override(m); ok && minuteIndex(ov.At) == m && ov.Bursts >= len(a.bursts) {
		return ov.Price, true // exactly what the admin set
	}
	p, ok := a.src.openAt(a.sym, t)
	if !ok {
		return decimal.Decimal{}, false
	}
	start := time.Unix(m*60, 0)
	return decimal.NewFromFloat(p * a.burstFactor(start) * a.overrideRatio(m)).Round(2), true
}

// span aggregates the adjusted base bars starting in [from, to) that are
// complete at cutoff.
func (a adjustments) span(from, to, cutoff time.Time) (bar, bool) {
	var agg aggregator
	a.src.each(a.sym, from, to, cutoff, func(b bar, end time.Time) {
		agg.add(a.adjust(b, end))
	})
	return agg.result()
}

func (a adjustments) adjust(b bar, end time.Time) bar {
	if len(a.bursts) == 0 && len(a.overrides) == 0 {
		return b
	}
	ratio := a.overrideRatio(minuteIndex(b.T))
	so, sc := a.burstFactor(b.T)*ratio, a.burstFactor(end)*ratio
	o, c := roundCents(b.O*so), roundCents(b.C*sc)
	b.H = math.Max(roundCents(b.H*so), math.Max(o, c))
	b.L = math.Min(roundCents(b.L*so), math.Min(o, c))
	b.O, b.C = o, c
	if v := a.volumeMult(b.T); v != 1 {
		b.V = uint64(float64(b.V) * v)
		b.N = b.V/100 + 1
	}
	return b
}
