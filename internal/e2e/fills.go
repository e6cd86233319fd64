package e2e

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// ExchangeFill is one filled order as the exchange reports it.
type ExchangeFill struct {
	OrderID string
	Symbol  string
	Sell    bool
	Qty     decimal.Decimal // positive
	Price   decimal.Decimal
	At      time.Time
}

// Signed is the fill's quantity, negative for a sale.
func (f ExchangeFill) Signed() decimal.Decimal {
	if f.Sell {
		return f.Qty.Neg()
	}
	return f.Qty
}

// ExchangeFills is every filled order of the exchange in fill order;
// orders filled in the same instant keep their creation order, so an exit
// leg (created with its entry) comes before the next entry.
func (e *Env) ExchangeFills() []ExchangeFill {
	e.T.Helper()
	var out []ExchangeFill
	for _, o := range e.ExchangeOrders() {
		at, _ := o["filled_at"].(string)
		q, _ := o["filled_qty"].(string)
		qty, err := decimal.NewFromString(q)
		if at == "" || err != nil || qty.IsZero() {
			continue
		}
		f := ExchangeFill{Qty: qty, Sell: o["side"] == "sell"}
		f.OrderID, _ = o["id"].(string)
		f.Symbol, _ = o["symbol"].(string)
		px, _ := o["filled_avg_price"].(string)
		if f.Price, err = decimal.NewFromString(px); err != nil {
			e.T.Fatalf("order %s filled_avg_price %q: %v", f.OrderID, px, err)
		}
		if f.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			e.T.Fatalf("order %s filled_at %q: %v", f.OrderID, at, err)
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
