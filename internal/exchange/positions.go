package exchange

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

func positionNotFound(sym string) error {
	return &refusal{kind: refusedNotFound, msg: "position does not exist: " + sym}
}

func (e *Exchange) positionSymbolsLocked() []string {
	syms := make([]string, 0, len(e.st.Positions))
	for s := range e.st.Positions {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	return syms
}

// closePositionLocked liquidates all of sym's position, or qtyArg shares,
// or pctArg percent of it, with a market order.
func (e *Exchange) closePositionLocked(sym, qtyArg, pctArg string) (*order, error) {
	p := e.st.Positions[sym]
	if p == nil {
		return nil, positionNotFound(sym)
	}
	qty, err := closeQty(p.Qty.Abs(), qtyArg, pctArg)
	if err != nil {
		return nil, err
	}
	return e.closeLocked(sym, p, qty)
}

// closeQty is how much of a position of size held to liquidate: all of it,
// qtyArg shares, or pctArg percent.
func closeQty(held decimal.Decimal, qtyArg, pctArg string) (decimal.Decimal, error) {
	hundred := decimal.NewFromInt(100)
	parse := func(s string, max decimal.Decimal) (decimal.Decimal, bool) {
		v, err := decimal.NewFromString(s)
		return v, err == nil && saneDecimal(&v) && v.IsPositive() && v.LessThanOrEqual(max)
	}
	switch {
	case qtyArg != "" && pctArg != "":
		return held, invalid("qty and percentage are mutually exclusive")
	case qtyArg != "":
		v, ok := parse(qtyArg, held)
		if !ok {
			return held, invalid("qty must be > 0 and at most the position's qty")
		}
		return v, nil
	case pctArg != "":
		v, ok := parse(pctArg, hundred)
		if !ok {
			return held, invalid("percentage must be in (0, 100]")
		}
		return held.Mul(v).Div(hundred).Truncate(9), nil
	}
	return held, nil
}

// availableLocked is how much of a position open exit orders do not
// already hold; like Alpaca, an exit pair (bracket legs, OCO) holds its
// quantity once.
func (e *Exchange) availableLocked(sym string, p *position) decimal.Decimal {
	exit := closingSide(p)
	held := map[string]decimal.Decimal{}
	for _, o := range e.st.Orders {
		if o.Symbol != sym || o.Side != exit || !o.open() {
			continue
		}
		key := o.ID
		if o.ParentID != "" && len(e.exitGroupLocked(o)) > 0 {
			key = o.ParentID
		}
		held[key] = decimal.Max(held[key], o.Qty)
	}
	avail := p.Qty.Abs()
	for _, q := range held {
		avail = avail.Sub(q)
	}
	return decimal.Max(decimal.Zero, avail)
}

func closingSide(p *position) string {
	if p.Qty.IsNegative() {
		return "buy"
	}
	return "sell"
}

func (e *Exchange) closeLocked(sym string, p *position, qty decimal.Decimal) (*order, error) {
	side := closingSide(p)
	if avail := e.availableLocked(sym, p); qty.GreaterThan(avail) {
		return nil, refuse(refusedInsufficient, "insufficient qty available for order (requested: %s, available: %s)", qty, avail)
	}
	return e.placeLocked(placeRequest{Symbol: sym, Qty: &qty, Side: side, Type: "market", TimeInForce: "day"})
}

// closeResult is one position's outcome of closing them all.
type closeResult struct {
	sym   string
	order *order
	err   error
}

// closeAllLocked liquidates every position, canceling open orders first
// when cancelOrders.
func (e *Exchange) closeAllLocked(cancelOrders bool, now time.Time) []closeResult {
	if cancelOrders {
		e.cancelAllLocked(now)
	}
	var out []closeResult
	for _, sym := range e.positionSymbolsLocked() {
		p := e.st.Positions[sym]
		o, err := e.closeLocked(sym, p, p.Qty.Abs())
		out = append(out, closeResult{sym: sym, order: o, err: err})
	}
	return out
}
