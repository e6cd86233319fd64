package exchange

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"
)

// Order statuses the exchange uses.
const (
	statusNew      = "new"
	statusHeld     = "held" // a bracket/OTO leg waiting for its entry to fill
	statusFilled   = "filled"
	statusCanceled = "canceled"
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
	Symbol         string           `json:"symbol"`
	Class          string           `json:"order_class"`
	Type           string           `json:"type"`
	Side           string           `json:"side"`
	TimeInForce    string           `json:"time_in_force"`
	Status         string           `json:"status"`
	Qty            decimal.Decimal  `json:"qty"`
	FilledQty      decimal.Decimal  `json:"filled_qty"`
	FilledAvgPrice *decimal.Decimal `json:"filled_avg_price,omitempty"`
	LimitPrice     *decimal.Decimal `json:"limit_price,omitempty"`
	StopPrice      *decimal.Decimal `json:"stop_price,omitempty"`
	Triggered      bool             `json:"triggered,omitempty"` // stop of a stop_limit crossed
	ParentID       string           `json:"parent_id,omitempty"`
	Legs           []string         `json:"legs,omitempty"`
}

func (o *order) open() bool { return o.Status == statusNew || o.Status == statusHeld }

// orderView is an order as Alpaca's API shows it.
type orderView struct {
	ID             string           `json:"id"`
	ClientOrderID  string           `json:"client_order_id"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	SubmittedAt    time.Time        `json:"submitted_at"`
	FilledAt       *time.Time       `json:"filled_at"`
	ExpiredAt      *time.Time       `json:"expired_at"`
	CanceledAt     *time.Time       `json:"canceled_at"`
	FailedAt       *time.Time       `json:"failed_at"`
	ReplacedAt     *time.Time       `json:"replaced_at"`
	ReplacedBy     *string          `json:"replaced_by"`
	Replaces       *string          `json:"replaces"`
	AssetID        string           `json:"asset_id"`
	Symbol         string           `json:"symbol"`
	AssetClass     string           `json:"asset_class"`
	Notional       *decimal.Decimal `json:"notional"`
	Qty            *decimal.Decimal `json:"qty"`
	FilledQty      decimal.Decimal  `json:"filled_qty"`
	FilledAvgPrice *decimal.Decimal `json:"filled_avg_price"`
	OrderClass     string           `json:"order_class"`
	OrderType      string           `json:"order_type"`
	Type           string           `json:"type"`
	Side           string           `json:"side"`
	TimeInForce    string           `json:"time_in_force"`
	LimitPrice     *decimal.Decimal `json:"limit_price"`
	StopPrice      *decimal.Decimal `json:"stop_price"`
	TrailPrice     *decimal.Decimal `json:"trail_price"`
	TrailPercent   *decimal.Decimal `json:"trail_percent"`
	HWM            *decimal.Decimal `json:"hwm"`
	Status         string           `json:"status"`
	ExtendedHours  bool             `json:"extended_hours"`
	Legs           []orderView      `json:"legs"`
}

// viewLocked renders o; with legs, its legs are nested under it.
func (e *Exchange) viewLocked(o *order, legs bool) orderView {
	qty := o.Qty
	v := orderView{
		ID: o.ID, ClientOrderID: o.ClientOrderID,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, SubmittedAt: o.CreatedAt,
		FilledAt: o.FilledAt, CanceledAt: o.CanceledAt,
		AssetID: assetID(o.Symbol), Symbol: o.Symbol, AssetClass: "us_equity",
		Qty: &qty, FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice,
		OrderClass: o.Class, OrderType: o.Type, Type: o.Type, Side: o.Side, TimeInForce: o.TimeInForce,
		LimitPrice: o.LimitPrice, StopPrice: o.StopPrice, Status: o.Status,
	}
	if legs {
		for _, id := range o.Legs {
			v.Legs = append(v.Legs, e.viewLocked(e.byID[id], false))
		}
	}
	return v
}

func (e *Exchange) handlePlaceOrder(w http.ResponseWriter, r *http.Request) {
	var req placeRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o, aerr := e.placeLocked(req)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.respondSaved(w, http.StatusOK, e.viewLocked(o, true))
}

// placeLocked validates req, records the order (and its legs) and matches it
// at once, so a market order comes back filled while the market is open.
func (e *Exchange) placeLocked(req placeRequest) (*order, *apiError) {
	now := e.marketNow()
	if aerr := e.validateLocked(&req, now); aerr != nil {
		return nil, aerr
	}
	parent, legs := buildOrders(req, now)
	for _, o := range append([]*order{parent}, legs...) {
		e.st.Orders = append(e.st.Orders, o)
		e.byID[o.ID] = o
		e.byClient[o.ClientOrderID] = o
	}
	e.emitLocked("new", parent, now)
	e.matchLocked()
	if parent.Status == statusNew && (parent.TimeInForce == "ioc" || parent.TimeInForce == "fok") {
		e.cancelLocked(parent, now) // fills are never partial, so IOC and FOK agree
	}
	return parent, nil
}

func buildOrders(req placeRequest, now time.Time) (*order, []*order) {
	class := req.class()
	mk := func(clientID, typ, side string, limit, stop *decimal.Decimal, status string) *order {
		if clientID == "" {
			clientID = newUUID()
		}
		return &order{
			ID: newUUID(), ClientOrderID: clientID, CreatedAt: now, UpdatedAt: now,
			Symbol: req.Symbol, Class: class, Type: typ, Side: side, TimeInForce: req.TimeInForce,
			Status: status, Qty: *req.Qty, LimitPrice: limit, StopPrice: stop,
		}
	}
	exit := opposite(req.Side)
	legStatus := statusHeld
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
		legs = append(legs, mk("", "limit", exit, req.TakeProfit.LimitPrice, nil, legStatus))
	}
	if req.StopLoss != nil && class != classSimple {
		legs = append(legs, mk("", stopType(req.StopLoss), exit, req.StopLoss.LimitPrice, req.StopLoss.StopPrice, legStatus))
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

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// assetID is a stable UUID-shaped id for a symbol.
func assetID(sym string) string {
	h1, h2 := mix(symHash(sym), 1), mix(symHash(sym), 2)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", h1>>32, h1>>16&0xffff, h1&0xfff, h2>>52, h2&0xffffffffffff)
}
