package strategy

import "github.com/shopspring/decimal"

var one = decimal.NewFromInt(1)

// Qty is the whole number of shares positionSize buys at price:
// floor(positionSize / price), and zero when either is not positive.
func Qty(positionSize, price decimal.Decimal) decimal.Decimal {
	if !price.IsPositive() || !positionSize.IsPositive() {
		return decimal.Zero
	}
	// QuoRem truncates exactly; Div would round at 16 places and could turn
	// 99.99999999999999999 into 100.
	q, _ := positionSize.QuoRem(price, 0)
	return q
}

// Exits returns the stop-loss and take-profit prices for an entry, in percent
// of the entry price: below/above it for UP, mirrored for DOWN. Both are
// rounded with RoundPrice so that Alpaca accepts them.
func Exits(direction Direction, entry, stopLossPct, takeProfitPct decimal.Decimal) (stop, target decimal.Decimal) {
	sl := stopLossPct.Div(hundred)
	tp := takeProfitPct.Div(hundred)
	if direction == Down {
		sl, tp = sl.Neg(), tp.Neg()
	}
	stop = RoundPrice(entry.Mul(one.Sub(sl)))
	target = RoundPrice(entry.Mul(one.Add(tp)))
	return stop, target
}

// RoundPrice rounds to the tick Alpaca accepts: cents from $1 up, four
// decimals below (sub-penny increments are rejected otherwise).
func RoundPrice(p decimal.Decimal) decimal.Decimal {
	if p.Abs().LessThan(one) {
		r := p.Round(4)
		// 0.99996 rounds to 1.0000, which must then be expressed in cents.
		if r.Abs().LessThan(one) {
			return r
		}
	}
	return p.Round(2)
}
