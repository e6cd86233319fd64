package exchange

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Order statuses the exchange uses.
const (
	statusAccepted = "accepted" // received outside the hours the order may trade in; routed at the next open
	statusNew      = "new"
	statusHeld     = "held" // a bracket/OTO leg waiting for its entry to fill
	statusFilled   = "filled"
	statusCanceled = "canceled"
	statusExpired  = "expired" // a day order the close ended
)

// Order classes.
const (
	classSimple  = "simple"
	classBracket = "bracket"
	classOCO     = "oco"
	classOTO     = "oto"
)

// order is the exchange's record of an order; legs are orders with ParentID set.
type order struct {
	ID             string           `json:"id"`
	ClientOrderID  string           `json:"client_order_id"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	FilledAt       *time.Time       `json:"filled_at,omitempty"`
	CanceledAt     *time.Time       `json:"canceled_at,omitempty"`
	ExpiredAt      *time.Time       `json:"expired_at,omitempty"`
	Symbol         string           `json:"symbol"`
	Class          string           `json:"order_class"`
	Type           string           `json:"type"`
	Side           string           `json:"side"`
	TimeInForce    string           `json:"time_in_force"`
	ExtendedHours  bool             `json:"extended_hours,omitempty"`
	Status         string           `json:"status"`
	Qty            decimal.Decimal  `json:"qty"`
	FilledQty      decimal.Decimal  `json:"filled_qty"`
	FilledAvgPrice *decimal.Decimal `json:"filled_avg_price,omitempty"`
	LimitPrice     *decimal.Decimal `json:"limit_price,omitempty"`
	StopPrice      *decimal.Decimal `json:"stop_price,omitempty"`
	Triggered      bool             `json:"triggered,omitempty"` // stop of a stop_limit crossed
	ParentID       string           `json:"parent_id,omitempty"`
	Legs           []string         `json:"legs,omitempty"`
	// LiveAt is when the order entered the book (a leg: when its entry
	// filled); it executes only on prices after that instant.
	LiveAt time.Time `json:"live_at"`
	// Checked: the order has met a price since it went live. Until then
	// a price beyond its limit or stop fills it at that price.
	Checked bool `json:"checked,omitempty"`
	// ExpiresAt is when a day order ends unfilled (only under market hours).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (o *order) open() bool {
	return o.Status == statusNew || o.Status == statusAccepted || o.Status == statusHeld
}

// working reports whether prices can execute o now (held legs wait).
func (o *order) working() bool { return o.Status == statusNew || o.Status == statusAccepted }

func (e *Exchange) addOrderLocked(o *order) {
	e.st.Orders = append(e.st.Orders, o)
	e.byID[o.ID] = o
	e.byClient[o.ClientOrderID] = o
}

// placeLocked validates req, records the order (and its legs) and executes
// it at once at the current price when the market is open to it.
func (e *Exchange) placeLocked(req placeRequest) (*order, error) {
	e.matchLocked()
	now := e.marketNow()
	if err := e.validateLocked(&req, now); err != nil {
		return nil, err
	}
	parent, legs := buildOrders(req, now)
	expires := e.expiryLocked(parent, now)
	for _, o := range append([]*order{parent}, legs...) {
		o.ExpiresAt = expires
		e.addOrderLocked(o)
	}
	for _, o := range append([]*order{parent}, legs...) {
		if o.Status != statusNew {
			continue // a held leg
		}
		if !e.tradableLocked(o, now) {
			o.Status = statusAccepted
			continue
		}
		e.emitLocked("new", o, now)
		e.executeNowLocked(o, now)
	}
	if parent.open() && (parent.TimeInForce == "ioc" || parent.TimeInForce == "fok") {
		e.cancelLocked(parent, now) // fills are never partial, so IOC and FOK agree
	}
	return parent, nil
}

// executeNowLocked fills o at the current price if that price executes it.
func (e *Exchange) executeNowLocked(o *order, now time.Time) {
	if !o.working() {
		return // filled or canceled by its OCO sibling
	}
	px, ok := e.priceLocked(o.Symbol, now)
	if !ok {
		return
	}
	if fill, ok := e.crossLocked(o, px, true); ok {
		e.fillLocked(o, fill, now)
	}
}

func buildOrders(req placeRequest, now time.Time) (*order, []*order) {
	class := req.class()
	mk := func(clientID, typ, side string, limit, stop *decimal.Decimal, status string) *order {
		if clientID == "" {
			clientID = newUUID()
		}
		return &order{
			ID: newUUID(), ClientOrderID: clientID, CreatedAt: now, UpdatedAt: now, LiveAt: now,
			Symbol: req.Symbol, Class: class, Type: typ, Side: side, TimeInForce: req.TimeInForce,
			ExtendedHours: req.ExtendedHours, Status: status, Qty: *req.Qty, LimitPrice: limit, StopPrice: stop,
		}
	}
	exit := opposite(req.Side)
	if class == classOCO {
		// An OCO is an exit pair that is live at once: the parent is the
		// take-profit limit and the leg is the stop.
		parent := mk(req.ClientOrderID, "limit", req.Side, req.TakeProfit.LimitPrice, nil, statusNew)
		leg := mk("", stopType(req.StopLoss), req.Side, req.StopLoss.LimitPrice, req.StopLoss.StopPrice, statusNew)
		return linkLegs(parent, leg)
	}
	parent := mk(req.ClientOrderID, req.Type, req.Side, req.LimitPrice, req.StopPrice, statusNew)
	var legs []*order
	if req.TakeProfit != nil && class != classSimple {
		legs = append(legs, mk("", "limit", exit, req.TakeProfit.LimitPrice, nil, statusHeld))
	}
	if req.StopLoss != nil && class != classSimple {
		legs = append(legs, mk("", stopType(req.StopLoss), exit, req.StopLoss.LimitPrice, req.StopLoss.StopPrice, statusHeld))
	}
	return linkLegs(parent, legs...)
}

func linkLegs(parent *order, legs ...*order) (*order, []*order) {
	for _, l := range legs {
		l.ParentID = parent.ID
		parent.Legs = append(parent.Legs, l.ID)
	}
	return parent, legs
}

func stopType(sl *stopLoss) string {
	if sl.LimitPrice != nil {
		return "stop_limit"
	}
	return "stop"
}

func opposite(side string) string {
	if side == "buy" {
		return "sell"
	}
	return "buy"
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

// endLocked takes o off the book with a final status and tells the stream.
func (e *Exchange) endLocked(o *order, status string, at time.Time) {
	t := at
	o.Status = status
	o.UpdatedAt = at
	event := "canceled"
	if status == statusExpired {
		o.ExpiredAt, event = &t, "expired"
	} else {
		o.CanceledAt = &t
	}
	e.emitLocked(event, o, at)
}

// cancelLocked cancels o with everything that must go with it: the legs of
// an unfilled entry and the other side of an exit pair.
func (e *Exchange) cancelLocked(o *order, now time.Time) {
	e.endLocked(o, statusCanceled, now)
	for _, id := range o.Legs {
		if leg := e.byID[id]; leg.open() {
			e.endLocked(leg, statusCanceled, now)
		}
	}
	for _, sib := range e.exitGroupLocked(o) {
		if sib.open() {
			e.endLocked(sib, statusCanceled, now)
		}
	}
}

// cancelOrderLocked cancels the order with id, as DELETE /v2/orders/{id}.
func (e *Exchange) cancelOrderLocked(id string, now time.Time) error {
	o := e.byID[id]
	if o == nil {
		return orderNotFound()
	}
	if !o.open() {
		return invalid("order is not cancelable: status " + o.Status)
	}
	e.cancelLocked(o, now)
	return nil
}

func orderNotFound() error { return &refusal{kind: refusedNotFound, msg: "order not found"} }

// cancelAllLocked cancels every open order and lists them.
func (e *Exchange) cancelAllLocked(now time.Time) []*order {
	var out []*order
	for _, o := range e.st.Orders {
		if o.open() {
			e.cancelLocked(o, now)
			out = append(out, o)
		}
	}
	return out
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
