package reconcile

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

// StoreState is what the store knows about one session.
type StoreState struct {
	SessionID string
	// Positions are the session's active positions.
	Positions []db.Position
	// Orders is the session's whole journal, oldest first.
	Orders []db.Order
	// OtherSessionIDs are every other session in the database, whose
	// client_order_id prefixes mark positions that are not ours.
	OtherSessionIDs []string
	// Claims are the symbols other sessions hold on the shared account.
	Claims map[string]db.SymbolClaim
	// StopLossPct and TakeProfitPct place the exits of adopted positions
	// and of positions stored without stop or target.
	StopLossPct, TakeProfitPct decimal.Decimal
	// AsOf is when the state was read; journal updates and fills that the
	// broker did not time-stamp carry it.
	AsOf time.Time
}

// BrokerState is what the broker reported. Every field comes from a
// request that succeeded.
type BrokerState struct {
	Positions []broker.Position
	// Open are the open orders, flat: bracket and OCO legs appear as orders
	// of their own, because a nested open listing leaves out the live legs
	// of an entry that has already filled.
	Open []broker.Order
	// Recent are recent orders of any status, nested, so that legs can be
	// traced to their root, plus closed orders of the symbols whose
	// positions appeared or disappeared.
	Recent []broker.Order
	// Lookups are journal orders the lists did not return, looked up by
	// client_order_id.
	Lookups map[string]broker.Order
	// NotFound are client_order_ids the broker answered 404 for.
	NotFound map[string]bool
}

// live reports whether an order can still execute.
func live(o broker.Order) bool { return orders.Status(o.Status).Live() }

// view indexes both states for Diff.
type view struct {
	s        StoreState
	b        BrokerState
	prefix   string
	others   map[string]string       // prefix -> session id
	journal  map[string]db.Order     // by client_order_id
	orders   map[string]broker.Order // every broker order seen, by client_order_id
	parentOf map[string]string       // leg client_order_id -> root client_order_id
	flat     []broker.Order          // Recent with legs flattened
}

func newView(s StoreState, b BrokerState) *view {
	v := &view{s: s, b: b, prefix: orders.Prefix(s.SessionID), others: map[string]string{},
		journal: map[string]db.Order{}, orders: map[string]broker.Order{}, parentOf: map[string]string{}}
	for _, id := range s.OtherSessionIDs {
		v.others[orders.Prefix(id)] = id
	}
	for _, o := range s.Orders {
		v.journal[o.ClientOrderID] = o
		if o.ParentClientOrderID != "" {
			v.parentOf[o.ClientOrderID] = o.ParentClientOrderID
		}
	}
	see := func(o broker.Order) {
		if cur, ok := v.orders[o.ClientOrderID]; !ok || o.UpdatedAt.After(cur.UpdatedAt) {
			v.orders[o.ClientOrderID] = o
		}
	}
	addRoot := func(o broker.Order) {
		see(o)
		for _, l := range o.Legs {
			v.parentOf[l.ClientOrderID] = o.ClientOrderID
			see(l)
		}
	}
	for _, o := range b.Recent {
		addRoot(o)
		v.flat = append(v.flat, o)
		v.flat = append(v.flat, o.Legs...)
	}
	for _, o := range b.Lookups {
		addRoot(o)
	}
	for _, o := range b.Open {
		see(o)
	}
	return v
}

// owner says whose order cid is: "" for ours, the session id of another
// session of this database, or "?" for an order of nobody we know
// (placed by hand or by another tool).
func (v *view) owner(cid string) string {
	root := cid
	if p, ok := v.parentOf[cid]; ok {
		root = p
	}
	if strings.HasPrefix(root, v.prefix) {
		return ""
	}
	if i := strings.IndexByte(root, '-'); i > 0 {
		if id, ok := v.others[root[:i+1]]; ok {
			return id
		}
	}
	return "?"
}

// isOthers reports whether cid belongs to another session of this database.
func (v *view) isOthers(cid string) bool {
	w := v.owner(cid)
	return w != "" && w != "?"
}

func (v *view) brokerPosition(symbol string) (broker.Position, bool) {
	for _, p := range v.b.Positions {
		if p.Symbol == symbol {
			return p, true
		}
	}
	return broker.Position{}, false
}

// newestFill returns the most recent filled order on symbol and side.
func (v *view) newestFill(symbol string, side broker.Side, notBefore func(broker.Order) bool) (broker.Order, bool) {
	var best broker.Order
	found := false
	for _, o := range v.flat {
		if o.Symbol != symbol || o.Side != side || o.Status != broker.StatusFilled || !o.FilledAvgPrice.Valid {
			continue
		}
		if notBefore != nil && !notBefore(o) {
			continue
		}
		if !found || o.FilledAt.After(best.FilledAt) {
			best, found = o, true
		}
	}
	return best, found
}
