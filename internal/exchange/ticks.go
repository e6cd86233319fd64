package exchange

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Trades and quotes are synthesized from the price path: every path point
// is a trade at the point's price, and the quote at that instant is
// centred on it.
const (
	// tradeVenue is the exchange code of every trade and quote: IEX ("V"),
	// the feed Alpaca's free plan serves.
	tradeVenue = "V"
	// tradeTape is the tape of every asset, which the exchange lists on
	// NASDAQ (tape C).
	tradeTape = "C"
	// quoteHalfSpreadBps is half the quoted spread, in basis points of the
	// price, and never less than a cent: bid = price - half, ask = price +
	// half, in cents.
	quoteHalfSpreadBps = 1
	quoteSize          = 100
)

var (
	regularConditions  = []string{"@"}      // a regular sale
	extendedConditions = []string{"@", "T"} // a sale outside the regular session (Form T)
	quoteConditions    = []string{"R"}      // a regular two-sided quote
)

type tradeView struct {
	T time.Time `json:"t"`
	X string    `json:"x"`
	P float64   `json:"p"`
	S uint32    `json:"s"`
	C []string  `json:"c"`
	I int64     `json:"i"`
	Z string    `json:"z"`
}

type quoteView struct {
	T  time.Time `json:"t"`
	BX string    `json:"bx"`
	BP float64   `json:"bp"`
	BS uint32    `json:"bs"`
	AX string    `json:"ax"`
	AP float64   `json:"ap"`
	AS uint32    `json:"as"`
	C  []string  `json:"c"`
	Z  string    `json:"z"`
}

// tradeID numbers a print by its instant in milliseconds: unique within a
// symbol (path points are seconds apart) and far inside JavaScript's safe
// integers (2^53), which Alpaca's SDKs parse ids into.
func tradeID(at time.Time) int64 { return at.UnixMilli() }

// pointSize is the share count of path point i of b: the bar's volume
// spread evenly over its four points, the close taking the remainder.
func pointSize(b bar, i int) uint32 {
	if b.V == 0 {
		return quoteSize
	}
	v := b.V / 4
	if i == 3 {
		v = b.V - 3*v
	}
	return uint32(min(max(v, 1), math.MaxUint32))
}

// tradeOf is the trade of tick tk: regular-session prints are regular
// sales, the rest (pre-market, after hours, and generated prices at night)
// are Form T.
func (e *Exchange) tradeOf(tk tick) tradeView {
	size := uint32(quoteSize)
	if !tk.bar.T.IsZero() {
		size = pointSize(tk.bar, tk.idx)
	}
	c := extendedConditions
	if td, ok := e.cal.day(civilOf(tk.at, e.cal.ny)); ok && !tk.at.Before(td.open) && tk.at.Before(td.close) {
		c = regularConditions
	}
	return tradeView{T: tk.at, X: tradeVenue, P: tk.px.InexactFloat64(), S: size, C: c, I: tradeID(tk.at), Z: tradeTape}
}

// quoteOf is the quote standing at tick tk.
func quoteOf(tk tick) quoteView {
	half := tk.px.Mul(decimal.NewFromInt(quoteHalfSpreadBps)).Div(bps).Round(2)
	if cent := decimal.New(1, -2); half.LessThan(cent) {
		half = cent
	}
	bid := decimal.Max(tk.px.Sub(half).RoundFloor(2), decimal.New(1, -2))
	ask := tk.px.Add(half).RoundCeil(2)
	return quoteView{T: tk.at, BX: tradeVenue, BP: bid.InexactFloat64(), BS: quoteSize,
		AX: tradeVenue, AP: ask.InexactFloat64(), AS: quoteSize, C: quoteConditions, Z: tradeTape}
}

// eachTick calls fn with the path points of sym in [from, to], in time
// order (reversed when desc), until fn returns false.
func (a adjustments) eachTick(from, to time.Time, desc bool, fn func(tick) bool) {
	if desc {
		for b, ok := a.src.barAt(a.sym, to); ok; b, ok = barBefore(a.src, a.sym, b) {
			pts := a.points(b)
			if pts[3].at.Before(from) {
				return
			}
			for i := 3; i >= 0; i-- {
				if p := pts[i]; !p.at.Before(from) && !p.at.After(to) && !fn(tick{at: p.at, px: p.price(), bar: b, idx: i}) {
					return
				}
			}
		}
		return
	}
	b, ok := a.src.barAt(a.sym, from)
	if !ok {
		b, ok = a.src.barFrom(a.sym, from)
	}
	for ; ok && !b.T.After(to); b, ok = a.src.barFrom(a.sym, b.T.Add(time.Nanosecond)) {
		for i, p := range a.points(b) {
			if !p.at.Before(from) && !p.at.After(to) && !fn(tick{at: p.at, px: p.price(), bar: b, idx: i}) {
				return
			}
		}
	}
}
