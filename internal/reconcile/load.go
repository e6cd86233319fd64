package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

// Store is what reconcile needs from the store.
type Store interface {
	ActivePositions(ctx context.Context, sessionID string) ([]db.Position, error)
	SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]db.Order, error)
	OtherSessionIDs(ctx context.Context, sessionID string) ([]string, error)
	SymbolClaims(ctx context.Context) ([]db.SymbolClaim, error)
	ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error
	OpenPosition(ctx context.Context, p db.Position) (int64, error)
	ClosePosition(ctx context.Context, c db.PositionClose) error
	SetPositionQty(ctx context.Context, positionID int64, qty decimal.Decimal, at time.Time) error
	IncrementRepairCount(ctx context.Context, positionID int64) (int, error)
	InsertOrder(ctx context.Context, o db.Order) (int64, error)
	UpdateOrder(ctx context.Context, u db.OrderUpdate) error
	ApplyFill(ctx context.Context, e db.FillEffect) (bool, error)
}

// Broker is what reconcile needs from the broker.
type Broker interface {
	Positions(ctx context.Context) ([]broker.Position, error)
	Orders(ctx context.Context, q broker.ListOrders) ([]broker.Order, error)
	OrderByClientID(ctx context.Context, clientOrderID string) (broker.Order, error)
	PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error)
	CancelOrder(ctx context.Context, id string) error
}

// Reconciler reconciles one session.
type Reconciler struct {
	Store     Store
	Broker    Broker
	SessionID string
	// StopLossPct and TakeProfitPct are the session's exit percentages.
	StopLossPct, TakeProfitPct decimal.Decimal
	Now                        func() time.Time
	Log                        zerolog.Logger
}

// listLimit is Alpaca's largest page of orders.
const listLimit = broker.MaxOrdersPage

// Load reads the store and the broker. It returns at the first failed
// broker read: an empty answer is only trusted when the request succeeded.
func (r *Reconciler) Load(ctx context.Context) (StoreState, BrokerState, error) {
	s := StoreState{SessionID: r.SessionID, StopLossPct: r.StopLossPct, TakeProfitPct: r.TakeProfitPct, AsOf: r.Now().UTC()}
	var err error
	if s.Positions, err = r.Store.ActivePositions(ctx, r.SessionID); err != nil {
		return s, BrokerState{}, fmt.Errorf("read active positions: %w", err)
	}
	if s.Orders, err = r.Store.SessionOrders(ctx, r.SessionID, false); err != nil {
		return s, BrokerState{}, fmt.Errorf("read the order journal: %w", err)
	}
	if s.OtherSessionIDs, err = r.Store.OtherSessionIDs(ctx, r.SessionID); err != nil {
		return s, BrokerState{}, fmt.Errorf("read other sessions: %w", err)
	}
	claims, err := r.Store.SymbolClaims(ctx)
	if err != nil {
		return s, BrokerState{}, fmt.Errorf("read symbol claims: %w", err)
	}
	s.Claims = map[string]db.SymbolClaim{}
	for _, c := range claims {
		if c.SessionID != r.SessionID {
			s.Claims[c.Symbol] = c
		}
	}
	b, err := r.loadBroker(ctx, s)
	if err != nil {
		return s, BrokerState{}, fmt.Errorf("broker read failed, nothing was changed: %w", err)
	}
	return s, b, nil
}

func (r *Reconciler) loadBroker(ctx context.Context, s StoreState) (BrokerState, error) {
	b := BrokerState{Lookups: map[string]broker.Order{}, NotFound: map[string]bool{}}
	var err error
	if b.Positions, err = r.Broker.Positions(ctx); err != nil {
		return b, fmt.Errorf("positions: %w", err)
	}
	// Every page: an open order the first page missed would otherwise look
	// unknown to the diff, and each journal order missing from the lists
	// costs a request of its own below.
	if b.Open, err = broker.AllOrders(ctx, r.Broker, broker.ListOrders{Status: "open"}); err != nil {
		return b, fmt.Errorf("open orders: %w", err)
	}
	since := window(s)
	if b.Recent, err = r.list(ctx, broker.ListOrders{Status: "all", Nested: true}, since); err != nil {
		return b, fmt.Errorf("recent orders: %w", err)
	}
	seen := map[string]bool{}
	for _, o := range append(append([]broker.Order{}, b.Open...), b.Recent...) {
		seen[o.ClientOrderID] = true
		for _, l := range o.Legs {
			seen[l.ClientOrderID] = true
		}
	}
	for _, j := range s.Orders {
		if orders.Status(j.Status).Terminal() || seen[j.ClientOrderID] {
			continue
		}
		o, err := r.Broker.OrderByClientID(ctx, j.ClientOrderID)
		switch {
		case errors.Is(err, broker.ErrNotFound):
			b.NotFound[j.ClientOrderID] = true
		case err != nil:
			return b, fmt.Errorf("look up order %s: %w", j.ClientOrderID, err)
		default:
			b.Lookups[j.ClientOrderID] = o
		}
	}
	if syms := driftedSymbols(s, b); len(syms) > 0 {
		closed, err := r.list(ctx, broker.ListOrders{Status: "closed", Symbols: syms, Nested: true}, since)
		if err != nil {
			return b, fmt.Errorf("closed orders of %v: %w", syms, err)
		}
		b.Recent = mergeOrders(b.Recent, closed)
	}
	return b, nil
}

// window is where the store's open business starts: an hour before the
// oldest active position's entry or open journal order (clocks differ, and
// an order is submitted after its intent is journaled), or zero when
// nothing is open.
func window(s StoreState) time.Time {
	var first time.Time
	earlier := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	for _, p := range s.Positions {
		earlier(p.EntryTime)
	}
	for _, o := range s.Orders {
		if !orders.Status(o.Status).Terminal() {
			earlier(o.CreatedAt)
		}
	}
	if first.IsZero() {
		return first
	}
	return first.Add(-time.Hour)
}

// list reads q's orders: every page since the window, so that the orders
// of thousands of open positions cost O(pages) requests, or only the newest
// page when nothing is open and no journal order needs finding.
func (r *Reconciler) list(ctx context.Context, q broker.ListOrders, since time.Time) ([]broker.Order, error) {
	if since.IsZero() {
		q.Limit = listLimit
		got, err := r.Broker.Orders(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		return got, nil
	}
	q.After = since
	got, err := broker.AllOrders(ctx, r.Broker, q)
	if err != nil {
		return nil, fmt.Errorf("page through orders since %s: %w", since.Format(time.RFC3339), err)
	}
	return got, nil
}

// driftedSymbols are the symbols held on one side only: their closed
// orders tell who opened a broker position and how a store position ended.
func driftedSymbols(s StoreState, b BrokerState) []string {
	store, held := map[string]bool{}, map[string]bool{}
	for _, p := range s.Positions {
		store[p.Symbol] = true
	}
	for _, p := range b.Positions {
		held[p.Symbol] = true
	}
	var out []string
	for sym := range store {
		if !held[sym] {
			out = append(out, sym)
		}
	}
	for sym := range held {
		if !store[sym] {
			out = append(out, sym)
		}
	}
	sort.Strings(out)
	return out
}

func mergeOrders(a, b []broker.Order) []broker.Order {
	ids := map[string]bool{}
	for _, o := range a {
		ids[o.ID] = true
	}
	for _, o := range b {
		if !ids[o.ID] {
			a = append(a, o)
		}
	}
	return a
}
