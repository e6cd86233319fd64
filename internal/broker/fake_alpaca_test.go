package broker_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fault is one scripted misbehaviour of the fake Alpaca server.
type fault int

const (
	faultNone fault = iota
	fault429
	fault500              // answered 500 before any processing
	fault500AfterCreate   // the order is created, the response says 500
	faultDropBeforeCreate // the connection is closed before processing
	faultLostResponse     // the order is created, the connection is closed
	faultHangAfterCreate  // the order is created, the response never comes
	fault403              // a definite rejection (insufficient buying power)
)

// fakeAlpaca is a minimal Alpaca trading + data server with per-route
// scripted faults. Routes are keyed as "METHOD pattern".
type fakeAlpaca struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	faults    map[string][]fault
	hits      map[string]int
	orders    map[string]map[string]any // by client_order_id
	posted    []string                  // client_order_id of every POST /v2/orders that reached the handler
	nextID    int
	headers   http.Header // extra headers on every response
	secretKey string      // last APCA-API-SECRET-KEY seen
}

func newFakeAlpaca(t *testing.T) *fakeAlpaca {
	t.Helper()
	f := &fakeAlpaca{t: t, faults: map[string][]fault{}, hits: map[string]int{}, orders: map[string]map[string]any{}, headers: http.Header{}}
	mux := http.NewServeMux()
	f.handle(mux, "GET /v2/account", f.account)
	f.handle(mux, "GET /v2/clock", f.clock)
	f.handle(mux, "GET /v2/positions", f.positions)
	f.handle(mux, "GET /v2/positions/{symbol}", f.position)
	f.handle(mux, "POST /v2/orders", f.placeOrder)
	f.handle(mux, "GET /v2/orders", f.listOrders)
	f.handle(mux, "GET /v2/orders:by_client_order_id", f.orderByClientID)
	f.handle(mux, "GET /v2/orders/{id}", f.orderByID)
	f.handle(mux, "DELETE /v2/orders/{id}", f.cancel)
	f.handle(mux, "GET /v2/stocks/bars", f.bars)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	// A scripted fault that no request consumed means the test did not
	// exercise what it claims to (as cli/cli's httpmock verifies its stubs).
	t.Cleanup(f.verify)
	return f
}

// verify fails the test when scripted faults were left unused.
func (f *fakeAlpaca) verify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for route, q := range f.faults {
		for _, ft := range q {
			if ft != faultNone {
				f.t.Errorf("scripted fault %d on %s was never used", ft, route)
			}
		}
	}
}

func (f *fakeAlpaca) URL() string { return f.srv.URL }

// script queues faults for a route; faultNone entries let requests through.
func (f *fakeAlpaca) script(route string, faults ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[route] = append(f.faults[route], faults...)
}

func (f *fakeAlpaca) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[route]
}

func (f *fakeAlpaca) orderCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.orders)
}

func (f *fakeAlpaca) postedIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posted...)
}

func (f *fakeAlpaca) handle(mux *http.ServeMux, route string, h func(http.ResponseWriter, *http.Request, fault)) {
	mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[route]++
		f.secretKey = r.Header.Get("APCA-API-SECRET-KEY")
		var ft fault
		if q := f.faults[route]; len(q) > 0 {
			ft, f.faults[route] = q[0], q[1:]
		}
		for k, v := range f.headers {
			w.Header()[k] = v
		}
		f.mu.Unlock()
		switch ft {
		case fault429:
			writeErr(w, http.StatusTooManyRequests, 42910000, "rate limit exceeded")
			return
		case fault500:
			writeErr(w, http.StatusInternalServerError, 50010000, "internal server error")
			return
		case fault403:
			writeErr(w, http.StatusForbidden, 40310000, "insufficient buying power")
			return
		case faultDropBeforeCreate:
			hangUp(w)
			return
		}
		h(w, r, ft)
	})
}

func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

func (f *fakeAlpaca) account(w http.ResponseWriter, _ *http.Request, _ fault) {
	writeJSON(w, 200, map[string]any{"id": "acct-1", "status": "ACTIVE", "cash": "100000.50", "buying_power": "200001", "equity": "100000.50", "portfolio_value": "100000.50"})
}

func (f *fakeAlpaca) clock(w http.ResponseWriter, _ *http.Request, _ fault) {
	writeJSON(w, 200, map[string]any{"timestamp": "2026-01-05T15:00:00Z", "is_open": true, "next_open": "2026-01-06T14:30:00Z", "next_close": "2026-01-05T21:00:00Z"})
}

func (f *fakeAlpaca) positions(w http.ResponseWriter, _ *http.Request, _ fault) {
	writeJSON(w, 200, []any{
		map[string]any{"symbol": "AAPL", "qty": "10", "side": "long", "avg_entry_price": "187.23", "current_price": "190", "market_value": "1900"},
		map[string]any{"symbol": "TSLA", "qty": "-5", "side": "short", "avg_entry_price": "250.5", "current_price": "240", "market_value": "-1200"},
	})
}

func (f *fakeAlpaca) position(w http.ResponseWriter, r *http.Request, _ fault) {
	writeErr(w, http.StatusNotFound, 40410000, "position does not exist")
}

func (f *fakeAlpaca) placeOrder(w http.ResponseWriter, r *http.Request, ft fault) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, 40010000, "bad body: "+err.Error())
		return
	}
	cid, _ := req["client_order_id"].(string)
	f.mu.Lock()
	f.posted = append(f.posted, cid)
	if _, dup := f.orders[cid]; dup {
		f.mu.Unlock()
		writeErr(w, http.StatusUnprocessableEntity, 40010001, "client_order_id must be unique")
		return
	}
	f.nextID++
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC).Format(time.RFC3339)
	o := map[string]any{
		"id": fmt.Sprintf("ord-%d", f.nextID), "client_order_id": cid, "symbol": req["symbol"], "qty": req["qty"],
		"side": req["side"], "type": req["type"], "order_class": req["order_class"], "time_in_force": req["time_in_force"],
		"limit_price": req["limit_price"], "status": "accepted", "filled_qty": "0", "filled_avg_price": nil,
		"created_at": now, "submitted_at": now, "updated_at": now,
	}
	f.orders[cid] = o
	f.mu.Unlock()
	switch ft {
	case fault500AfterCreate:
		writeErr(w, http.StatusInternalServerError, 50010000, "internal server error")
	case faultLostResponse:
		hangUp(w)
	case faultHangAfterCreate:
		<-r.Context().Done()
	default:
		writeJSON(w, 200, o)
	}
}

// seedOrder stores an order as if placed earlier.
func (f *fakeAlpaca) seedOrder(cid, symbol, side, qty string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.orders[cid] = map[string]any{"id": fmt.Sprintf("ord-%d", f.nextID), "client_order_id": cid, "symbol": symbol,
		"qty": qty, "side": side, "type": "market", "status": "filled", "filled_qty": qty, "filled_avg_price": "101.5"}
}

func (f *fakeAlpaca) listOrders(w http.ResponseWriter, _ *http.Request, _ fault) {
	f.mu.Lock()
	out := make([]any, 0, len(f.orders))
	for _, o := range f.orders {
		out = append(out, o)
	}
	f.mu.Unlock()
	writeJSON(w, 200, out)
}

func (f *fakeAlpaca) orderByClientID(w http.ResponseWriter, r *http.Request, _ fault) {
	f.mu.Lock()
	o, ok := f.orders[r.URL.Query().Get("client_order_id")]
	f.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusNotFound, 40410000, "order not found")
		return
	}
	writeJSON(w, 200, o)
}

func (f *fakeAlpaca) orderByID(w http.ResponseWriter, r *http.Request, _ fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o["id"] == r.PathValue("id") {
			writeJSON(w, 200, o)
			return
		}
	}
	writeErr(w, http.StatusNotFound, 40410000, "order not found")
}

func (f *fakeAlpaca) cancel(w http.ResponseWriter, r *http.Request, _ fault) {
	w.WriteHeader(http.StatusNoContent)
}

// bars serves two pages: AAPL x3 then AAPL x2 + MSFT x2.
func (f *fakeAlpaca) bars(w http.ResponseWriter, r *http.Request, _ fault) {
	q := r.URL.Query()
	if q.Get("symbols") != "AAPL,MSFT" || q.Get("feed") != "iex" || q.Get("timeframe") != "5Min" {
		writeErr(w, http.StatusBadRequest, 40010000, "unexpected query "+r.URL.RawQuery)
		return
	}
	bar := func(i int, c float64) map[string]any {
		ts := time.Date(2026, 1, 5, 15, 5*i, 0, 0, time.UTC).Format(time.RFC3339)
		return map[string]any{"t": ts, "o": c - 1, "h": c + 1, "l": c - 2, "c": c, "v": 1000 + i}
	}
	if q.Get("page_token") == "" {
		writeJSON(w, 200, map[string]any{"bars": map[string]any{"AAPL": []any{bar(0, 187.21), bar(1, 187.22), bar(2, 187.23)}}, "next_page_token": "p2"})
		return
	}
	writeJSON(w, 200, map[string]any{"bars": map[string]any{
		"AAPL": []any{bar(3, 187.24), bar(4, 187.25)},
		"MSFT": []any{bar(0, 410.1), bar(1, 410.2)},
	}, "next_page_token": nil})
}
