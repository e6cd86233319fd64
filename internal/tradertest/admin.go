package tradertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/shopspring/decimal"
)

// Admin posts body as JSON to an admin path of the exchange (/sim/v1/...).
func (w *World) Admin(path string, body any) {
	w.T.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		w.T.Fatal(err)
	}
	resp, err := http.Post(w.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		w.T.Fatalf("admin %s: %v", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		w.T.Fatalf("admin %s: HTTP %d: %s", path, resp.StatusCode, msg)
	}
}

// SetPrice sets symbol's price from now on; resting orders it crosses fill.
func (w *World) SetPrice(symbol string, price decimal.Decimal) {
	w.Admin("/sim/v1/price", map[string]any{"symbol": symbol, "price": price.String()})
}

// MovePrice moves symbol's price by pct percent.
func (w *World) MovePrice(symbol string, pct float64) {
	w.Admin("/sim/v1/price", map[string]any{"symbol": symbol, "change_pct": fmt.Sprintf("%.4f", pct)})
}

// Price is symbol's price now.
func (w *World) Price(symbol string) decimal.Decimal {
	w.T.Helper()
	var v struct {
		Price decimal.Decimal `json:"price"`
	}
	w.getJSON("/sim/v1/price?symbol="+symbol, &v)
	return v.Price
}

// Faults makes each /v2 request fail with probability rate (0 turns faults
// off), with errors of kinds ("429", "500", "drop", ...).
func (w *World) Faults(rate float64, kinds ...string) {
	if len(kinds) == 0 {
		kinds = []string{"500"}
	}
	w.Admin("/sim/v1/faults", map[string]any{"rate": rate, "kinds": kinds, "seed": 1})
}

// ExchangeOrder is an order as the exchange's admin API lists it.
type ExchangeOrder struct {
	ID             string           `json:"id"`
	ClientOrderID  string           `json:"client_order_id"`
	Symbol         string           `json:"symbol"`
	Side           string           `json:"side"`
	Type           string           `json:"type"`
	Status         string           `json:"status"`
	Qty            decimal.Decimal  `json:"qty"`
	FilledQty      decimal.Decimal  `json:"filled_qty"`
	FilledAvgPrice *decimal.Decimal `json:"filled_avg_price"`
	StopPrice      *decimal.Decimal `json:"stop_price"`
	LimitPrice     *decimal.Decimal `json:"limit_price"`
	OrderClass     string           `json:"order_class"`
	CreatedAt      string           `json:"created_at"`
	FilledAt       *string          `json:"filled_at"`
}

// ExchangeOrders lists every order the exchange ever took, legs included.
func (w *World) ExchangeOrders() []ExchangeOrder {
	w.T.Helper()
	var out []ExchangeOrder
	w.getJSON("/sim/v1/orders", &out)
	return out
}

// ExchangePositions are the account's positions at the exchange, signed
// quantities by symbol.
func (w *World) ExchangePositions() map[string]decimal.Decimal {
	w.T.Helper()
	ps, err := w.Broker.Positions(context.Background())
	if err != nil {
		w.T.Fatalf("positions: %v", err)
	}
	out := map[string]decimal.Decimal{}
	for _, p := range ps {
		q := p.Qty
		if p.Side == "short" {
			q = q.Neg()
		}
		out[p.Symbol] = q
	}
	return out
}

func (w *World) getJSON(path string, v any) {
	w.T.Helper()
	resp, err := http.Get(w.URL + path)
	if err != nil {
		w.T.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		w.T.Fatalf("GET %s: HTTP %d: %s", path, resp.StatusCode, msg)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		w.T.Fatalf("GET %s: %v", path, err)
	}
}
