package exchange

import (
	"math"
	"time"
)

// bar is one OHLCV bar. Prices are float64 because that is how Alpaca's
// market-data API ships them; money the exchange keeps is decimal.
type bar struct {
	T          time.Time
	O, H, L, C float64
	V          uint64
	N          uint64
	// S and E bound when the bar's trades happened, [S, E): its price
	// path lies there (see path.go). A bar of a bars file that overlaps a
	// regular session traded only inside it.
	S, E time.Time
}

// priceSource is where prices come from: the seeded generator or a replayed
// bars file. Both serve base bars of one resolution.
type priceSource interface {
	// known reports whether sym can be traded and has data.
	known(sym string) bool
	// resolution is the length of one base bar.
	resolution() time.Duration
	// barAt is the latest base bar of sym that starts at or before t.
	barAt(sym string, t time.Time) (bar, bool)
	// barFrom is the first base bar of sym that starts at or after t.
	barFrom(sym string, t time.Time) (bar, bool)
}

// barBefore is the base bar of sym just before b.
func barBefore(src priceSource, sym string, b bar) (bar, bool) {
	return src.barAt(sym, b.T.Add(-time.Nanosecond))
}

type aggregator struct {
	b bar
	n int
}

func (a *aggregator) add(b bar) {
	if a.n == 0 {
		a.b = b
		a.n = 1
		return
	}
	a.b.H = math.Max(a.b.H, b.H)
	a.b.L = math.Min(a.b.L, b.L)
	a.b.C = b.C
	a.b.E = b.E
	a.b.V += b.V
	a.b.N += b.N
	a.n++
}

func (a *aggregator) result() (bar, bool) { return a.b, a.n > 0 }

func roundCents(x float64) float64 { return math.Round(x*100) / 100 }
