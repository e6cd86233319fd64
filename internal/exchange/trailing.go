package exchange

import (
	"math"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// trailLocked executes a trailing stop at path price px. Between two path
// points the price moves one way, so checking the stop before moving the
// high-water mark is exact: a sell's stop can only be hit on the way down,
// and its mark only rises on the way up. The first price it meets sets the
// mark.
func (e *Exchange) trailLocked(o *order, px decimal.Decimal, atPx bool) (decimal.Decimal, bool) {
	buy := o.Side == "buy"
	if o.HWM == nil {
		o.setMark(px)
		return decimal.Decimal{}, false
	}
	if stopHit(buy, px, *o.StopPrice) {
		if atPx {
			return e.slip(px, buy), true
		}
		return e.slip(*o.StopPrice, buy), true
	}
	if (buy && px.LessThan(*o.HWM)) || (!buy && px.GreaterThan(*o.HWM)) {
		o.setMark(px)
	}
	return decimal.Decimal{}, false
}

// setMark moves a trailing stop's mark to hwm and its stop after it: the
// trail below a sell's high, above a buy's low. A percentage trail is
// rounded to the cent.
func (o *order) setMark(hwm decimal.Decimal) {
	var off decimal.Decimal
	if o.TrailPrice != nil {
		off = *o.TrailPrice
	} else {
		off = hwm.Mul(*o.TrailPercent).Div(hundred)
	}
	stop := hwm.Sub(off)
	if o.Side == "buy" {
		stop = hwm.Add(off)
	}
	if o.TrailPrice == nil {
		stop = stop.Round(2)
	}
	h := hwm
	o.HWM, o.StopPrice = &h, &stop
}

// trailBand narrows the band for a trailing stop: a sell acts when the
// price falls to its stop or rises past its mark, a buy the other way.
func (bk *book) trailBand(buy bool, stop, hwm float64) {
	if buy {
		bk.up, bk.down = math.Min(bk.up, stop), math.Max(bk.down, hwm)
		return
	}
	bk.up, bk.down = math.Min(bk.up, hwm), math.Max(bk.down, stop)
}
