package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

var bps = decimal.NewFromInt(10000)

// matchLocked fills every open order whose price condition holds at the
// current market time and reports whether anything changed. Filling an
// entry releases its legs, which may fill in the same pass.
func (e *Exchange) matchLocked() bool {
	now := e.marketNow()
	if e.cfg.MarketHours && !marketOpen(now, e.loc) {
		return false
	}
	changed := false
	for progress := true; progress; {
		progress = false
		for _, o := range e.st.Orders {
			if o.Status != statusNew {
				continue
			}
			price, ok := e.priceLocked(o.Symbol, now)
			if !ok {
				continue
			}
			wasTriggered := o.Triggered
			fill, ok := e.crossLocked(o, price)
			changed = changed || o.Triggered != wasTriggered
			if !ok {
				continue
			}
			e.fillLocked(o, fill, now)
			changed, progress = true, true
		}
	}
	return changed
}

// crossLocked decides whether o executes at price and at what fill price.
// Stop and market orders pay the configured slippage; limit orders fill at
// the market price, which is never worse than their limit.
func (e *Exchange) crossLocked(o *order, price decimal.Decimal) (decimal.Decimal, bool) {
	buy := o.Side == "buy"
	slipped := e.slip(price, buy)
	switch o.Type {
	case "market":
		return slipped, true
	case "limit":
		return price, limitOK(buy, price, *o.LimitPrice)
	case "stop":
		return slipped, stopHit(buy, price, *o.StopPrice)
	case "stop_limit":
		if !o.Triggered && stopHit(buy, price, *o.StopPrice) {
			o.Triggered = true
		}
		return price, o.Triggered && limitOK(buy, price, *o.LimitPrice)
	}
	return decimal.Decimal{}, false
}

func limitOK(buy bool, price, limit decimal.Decimal) bool {
	if buy {
		return price.LessThanOrEqual(limit)
	}
	return price.GreaterThanOrEqual(limit)
}

func stopHit(buy bool, price, stop decimal.Decimal) bool {
	if buy {
		return price.GreaterThanOrEqual(stop)
	}
	return price.LessThanOrEqual(stop)
}

func (e *Exchange) slip(price decimal.Decimal, buy bool) decimal.Decimal {
	adj := price.Mul(e.cfg.SlippageBps).Div(bps)
	if !buy {
		adj = adj.Neg()
	}
	return price.Add(adj).Round(4)
}

func (e *Exchange) fillLocked(o *order, price decimal.Decimal, now time.Time) {
	t := now
	o.Status = statusFilled
	o.FilledQty = o.Qty
	o.FilledAvgPrice = &price
	o.FilledAt = &t
	o.UpdatedAt = now
	e.applyFillLocked(o.Symbol, o.Side, o.Qty, price)
	e.emitLocked("fill", o, now)
	for _, id := range o.Legs {
		if leg := e.byID[id]; leg.Status == statusHeld {
			leg.Status = statusNew
			leg.UpdatedAt = now
		}
	}
	for _, sib := range e.exitGroupLocked(o) {
		if sib != o && sib.open() {
			e.cancelOneLocked(sib, now)
		}
	}
}

// exitGroupLocked lists the orders that cancel each other with o: the
// legs of a bracket, or both halves of an OCO.
func (e *Exchange) exitGroupLocked(o *order) []*order {
	root := o
	if o.ParentID != "" {
		root = e.byID[o.ParentID]
	}
	var group []*order
	switch root.Class {
	case classOCO:
		group = append(group, root)
	case classBracket:
		if o == root {
			return nil // the entry itself cancels nothing
		}
	default:
		return nil
	}
	for _, id := range root.Legs {
		group = append(group, e.byID[id])
	}
	return group
}

func (e *Exchange) cancelOneLocked(o *order, now time.Time) {
	t := now
	o.Status = statusCanceled
	o.CanceledAt = &t
	o.UpdatedAt = now
	e.emitLocked("canceled", o, now)
}

// cancelLocked cancels o with everything that must go with it: the legs of
// an unfilled entry and the other side of an exit pair.
func (e *Exchange) cancelLocked(o *order, now time.Time) {
	e.cancelOneLocked(o, now)
	for _, id := range o.Legs {
		if leg := e.byID[id]; leg.open() {
			e.cancelOneLocked(leg, now)
		}
	}
	for _, sib := range e.exitGroupLocked(o) {
		if sib.open() {
			e.cancelOneLocked(sib, now)
		}
	}
}
