package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// replaceRequest is the body of PATCH /v2/orders/{id}: each field given
// overrides the order's own; trail is a trailing stop's new trail_price or
// trail_percent, whichever it has.
type replaceRequest struct {
	Qty           *decimal.Decimal `json:"qty"`
	TimeInForce   string           `json:"time_in_force"`
	LimitPrice    *decimal.Decimal `json:"limit_price"`
	StopPrice     *decimal.Decimal `json:"stop_price"`
	Trail         *decimal.Decimal `json:"trail"`
	ClientOrderID string           `json:"client_order_id"`
}

// replaceLocked replaces the open order id with a new order carrying the
// changes, as Alpaca does: the old order ends as replaced (replaced_by,
// replaced_at, event replaced), the new one has replaces and goes on the
// book in its place (event new). An order with legs (a bracket entry, an
// OCO's parent) cannot be replaced, but its legs can, held or live; an
// accepted order cannot (Alpaca refuses that status too).
func (e *Exchange) replaceLocked(id string, req replaceRequest) (*order, error) {
	e.matchLocked()
	now := e.marketNow()
	o := e.byID[id]
	switch {
	case o == nil:
		return nil, orderNotFound()
	case o.Status != statusNew && o.Status != statusHeld:
		return nil, invalid("order is not replaceable: status " + o.Status)
	case len(o.Legs) > 0:
		return nil, invalid("an order with legs cannot be replaced; replace its legs")
	case o.Notional != nil:
		return nil, invalid("notional orders cannot be replaced")
	}
	n, err := e.replacementLocked(o, req, now)
	if err != nil {
		return nil, err
	}
	t := now
	o.Status, o.ReplacedBy, o.ReplacedAt, o.UpdatedAt = statusReplaced, n.ID, &t, now
	e.emitLocked("replaced", o, now)
	e.addOrderLocked(n)
	if p := e.byID[n.ParentID]; p != nil {
		for i, l := range p.Legs {
			if l == o.ID {
				p.Legs[i] = n.ID
			}
		}
	}
	e.routeLocked(n, now)
	return n, nil
}

// replacementLocked builds and checks the order that replaces o.
func (e *Exchange) replacementLocked(o *order, req replaceRequest, now time.Time) (*order, error) {
	n := *o
	n.ID, n.ClientOrderID, n.Replaces = newUUID(), req.ClientOrderID, o.ID
	n.CreatedAt, n.UpdatedAt, n.LiveAt = now, now, now
	n.Checked, n.Triggered, n.ReplacedBy, n.ReplacedAt = false, false, "", nil
	if n.ClientOrderID == "" {
		n.ClientOrderID = newUUID()
	} else if len(n.ClientOrderID) > maxClientOrderID {
		return nil, invalid("client_order_id must be at most 128 characters")
	} else if _, dup := e.byClient[n.ClientOrderID]; dup {
		return nil, refuse(refusedDuplicate, "client_order_id must be unique")
	}
	for _, d := range []*decimal.Decimal{req.Qty, req.LimitPrice, req.StopPrice, req.Trail} {
		if !saneDecimal(d) || (d != nil && !d.IsPositive()) {
			return nil, invalid("qty, limit_price, stop_price and trail must be > 0 with at most 9 decimal places and 12 integer digits")
		}
	}
	if req.Qty != nil {
		n.Qty = *req.Qty
	}
	if req.LimitPrice != nil {
		n.LimitPrice = req.LimitPrice
	}
	if req.StopPrice != nil {
		n.StopPrice = req.StopPrice
	}
	if err := n.replaceTrail(req.Trail); err != nil {
		return nil, err
	}
	if req.TimeInForce != "" && req.TimeInForce != o.TimeInForce {
		if o.Class != classSimple || (req.TimeInForce != "day" && req.TimeInForce != "gtc") {
			return nil, invalid("time_in_force can only change between day and gtc, on a simple order")
		}
		n.TimeInForce = req.TimeInForce
		n.ExpiresAt = e.expiryLocked(&n, now)
	}
	if o.Type == typeTrailingStop && (req.LimitPrice != nil || req.StopPrice != nil) {
		return nil, invalid("a trailing stop is replaced with trail, not limit_price or stop_price")
	}
	if o.Type != typeTrailingStop {
		if err := validateType(n.Type, n.LimitPrice, n.StopPrice); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// replaceTrail applies a new trail to a trailing stop: the stop moves
// with it from the same mark.
func (n *order) replaceTrail(trail *decimal.Decimal) error {
	if n.Type != typeTrailingStop {
		if trail != nil {
			return invalid("trail is only for trailing_stop orders")
		}
		return nil
	}
	if trail == nil {
		return nil
	}
	if n.TrailPrice != nil {
		n.TrailPrice = trail
	} else {
		if trail.GreaterThanOrEqual(hundred) {
			return invalid("trail_percent must be in (0, 100)")
		}
		n.TrailPercent = trail
	}
	if n.HWM != nil {
		n.setMark(*n.HWM)
	}
	return nil
}
