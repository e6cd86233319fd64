package exchange

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

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
		FilledAt: o.FilledAt, CanceledAt: o.CanceledAt, ExpiredAt: o.ExpiredAt, ExtendedHours: o.ExtendedHours,
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
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o, err := e.placeLocked(req)
	if err != nil {
		e.fail(w, err)
		return
	}
	e.respondSaved(w, http.StatusOK, e.viewLocked(o, true))
}

const (
	defaultOrderLimit = 50
	maxOrderLimit     = 500
)

func (e *Exchange) handleGetOrder(w http.ResponseWriter, r *http.Request) {
	e.writeOrder(w, func() *order { return e.byID[r.PathValue("id")] })
}

func (e *Exchange) handleOrderByClientID(w http.ResponseWriter, r *http.Request) {
	e.writeOrder(w, func() *order { return e.byClient[r.URL.Query().Get("client_order_id")] })
}

// writeOrder answers with the order lookup finds (under the lock), or 404.
func (e *Exchange) writeOrder(w http.ResponseWriter, lookup func() *order) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := lookup()
	if o == nil {
		e.fail(w, orderNotFound())
		return
	}
	writeJSON(w, http.StatusOK, e.viewLocked(o, true))
}

func (e *Exchange) handleCancelOrder(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.cancelOrderLocked(r.PathValue("id"), e.marketNow()); err != nil {
		e.fail(w, err)
		return
	}
	e.respondSaved(w, http.StatusNoContent, nil)
}

type cancelEntry struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
}

func (e *Exchange) handleCancelAll(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []cancelEntry{}
	for _, o := range e.cancelAllLocked(e.marketNow()) {
		out = append(out, cancelEntry{ID: o.ID, Status: http.StatusOK})
	}
	e.respondSaved(w, http.StatusMultiStatus, out)
}

// orderFilter is the query of GET /v2/orders.
type orderFilter struct {
	status       string
	limit        int
	after, until time.Time
	asc, nested  bool
	side         string
	symbols      map[string]bool
}

func parseOrderFilter(r *http.Request) (orderFilter, error) {
	q := r.URL.Query()
	f := orderFilter{status: q.Get("status"), limit: defaultOrderLimit, side: q.Get("side"), nested: q.Get("nested") == "true"}
	if f.status == "" {
		f.status = "open"
	}
	if f.status != "open" && f.status != "closed" && f.status != "all" {
		return f, invalid("status must be open, closed or all")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return f, invalid("limit must be a positive integer")
		}
		f.limit = min(n, maxOrderLimit)
	}
	for name, dst := range map[string]*time.Time{"after": &f.after, "until": &f.until} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return f, invalid(name + " must be an RFC 3339 time")
			}
			*dst = t
		}
	}
	switch q.Get("direction") {
	case "", "desc":
	case "asc":
		f.asc = true
	default:
		return f, invalid("direction must be asc or desc")
	}
	if s := q.Get("symbols"); s != "" {
		f.symbols = make(map[string]bool)
		for _, sym := range strings.Split(s, ",") {
			f.symbols[strings.TrimSpace(sym)] = true
		}
	}
	return f, nil
}

func (f orderFilter) match(o *order) bool {
	switch {
	case f.status == "open" && !o.open(), f.status == "closed" && o.open():
		return false
	case !f.after.IsZero() && !o.CreatedAt.After(f.after):
		return false
	case !f.until.IsZero() && !o.CreatedAt.Before(f.until):
		return false
	case f.side != "" && o.Side != f.side:
		return false
	case f.symbols != nil && !f.symbols[o.Symbol]:
		return false
	case f.nested && o.ParentID != "":
		return false // shown under its parent
	}
	return true
}

func (e *Exchange) handleListOrders(w http.ResponseWriter, r *http.Request) {
	f, err := parseOrderFilter(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var sel []*order
	for _, o := range e.st.Orders {
		if f.match(o) {
			sel = append(sel, o)
		}
	}
	// Orders are kept in creation order; stable sorting keeps that order
	// among orders submitted at the same market instant.
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].CreatedAt.Before(sel[j].CreatedAt) })
	if !f.asc {
		for i, j := 0, len(sel)-1; i < j; i, j = i+1, j-1 {
			sel[i], sel[j] = sel[j], sel[i]
		}
	}
	out := make([]orderView, 0, min(len(sel), f.limit))
	for _, o := range sel[:min(len(sel), f.limit)] {
		out = append(out, e.viewLocked(o, f.nested))
	}
	writeJSON(w, http.StatusOK, out)
}
