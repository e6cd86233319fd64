package tradertest

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/orders"
)

// StoreMatchesExchange fails the test unless the session's active positions
// in the store are exactly the exchange's positions (symbol, signed
// quantity), and no client_order_id reached the exchange twice.
func (w *World) StoreMatchesExchange(sessionID string) {
	w.T.Helper()
	active, err := w.Store.ActivePositions(context.Background(), sessionID)
	if err != nil {
		w.T.Fatal(err)
	}
	store := map[string]decimal.Decimal{}
	for _, p := range active {
		q := p.Qty
		if p.Side == "sell" {
			q = q.Neg()
		}
		store[p.Symbol] = q
	}
	ex := w.ExchangePositions()
	for sym, q := range ex {
		if s, ok := store[sym]; !ok || !s.Equal(q) {
			w.T.Errorf("%s: exchange holds %s, store %s", sym, q, s)
		}
	}
	for sym, q := range store {
		if _, ok := ex[sym]; !ok {
			w.T.Errorf("%s: store holds %s, exchange nothing", sym, q)
		}
	}
	seen := map[string]bool{}
	for _, o := range w.ExchangeOrders() {
		if seen[o.ClientOrderID] {
			w.T.Errorf("client_order_id %s reached the exchange twice", o.ClientOrderID)
		}
		seen[o.ClientOrderID] = true
	}
}

// Entries are the session's entry orders at the exchange, in creation
// order.
func (w *World) Entries(sessionID string) []ExchangeOrder {
	var out []ExchangeOrder
	for _, o := range w.ExchangeOrders() {
		if _, _, ok := orders.EntryBar(sessionID, o.ClientOrderID); ok {
			out = append(out, o)
		}
	}
	return out
}

// EveryOrderJournaled fails the test unless every order at the exchange
// under the session's client_order_id prefix is in the session's journal:
// nothing was sent that the store does not know of.
func (w *World) EveryOrderJournaled(sessionID string) {
	w.T.Helper()
	journal, err := w.Store.SessionOrders(context.Background(), sessionID, false)
	if err != nil {
		w.T.Fatal(err)
	}
	known := map[string]bool{}
	for _, o := range journal {
		known[o.ClientOrderID] = true
	}
	prefix := orders.Prefix(sessionID)
	for _, o := range w.ExchangeOrders() {
		if len(o.ClientOrderID) >= len(prefix) && o.ClientOrderID[:len(prefix)] == prefix && !known[o.ClientOrderID] {
			w.T.Errorf("order %s (%s %s %s) reached the exchange but is not in the journal", o.ClientOrderID, o.Side, o.Qty, o.Symbol)
		}
	}
}
