package exchange_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func (f *fixture) setFaults(t *testing.T, body map[string]any) {
	t.Helper()
	if st, b := call(t, http.MethodPost, f.url+"/sim/v1/faults", body); st != http.StatusOK {
		t.Fatalf("set faults: %d %s", st, b)
	}
}

func (f *fixture) adminOrders(t *testing.T) []alpaca.Order {
	t.Helper()
	st, body := call(t, http.MethodGet, f.url+"/sim/v1/orders", nil)
	var out []alpaca.Order
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil {
		t.Fatalf("admin orders: %d %s", st, body)
	}
	return out
}

func TestAdminNudgePriceAndReset(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "200")
	st, body := call(t, http.MethodPost, f.url+"/sim/v1/price", map[string]string{"symbol": "AAPL", "change_pct": "-2.5"})
	if st != http.StatusOK || !strings.Contains(string(body), `"price":"195"`) {
		t.Fatalf("nudge: %d %s", st, body)
	}
	for _, bad := range []map[string]string{{"symbol": "AAPL"}, {"symbol": "AAPL", "price": "-1"}, {"symbol": "aapl", "price": "1"}} {
		if st, _ := call(t, http.MethodPost, f.url+"/sim/v1/price", bad); st < 400 {
			t.Errorf("bad price request %v accepted", bad)
		}
	}
	if _, err := f.tc.PlaceOrder(buy("AAPL", "1")); err != nil {
		t.Fatal(err)
	}
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/reset", nil); st != http.StatusOK {
		t.Fatalf("reset: %d %s", st, body)
	}
	acct := f.account(t)
	wantDec(t, "cash after reset", acct.Cash, "100000")
	if n := len(f.adminOrders(t)); n != 0 {
		t.Errorf("%d orders after reset", n)
	}
}

func TestAdminRefusesRemotePeers(t *testing.T) {
	ex, err := exchange.New(exchange.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	req := httptest.NewRequest(http.MethodPost, "/sim/v1/reset", nil)
	req.RemoteAddr = "192.0.2.7:4000"
	rec := httptest.NewRecorder()
	ex.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("remote admin call: %d, want 403", rec.Code)
	}
}

func TestFaultLostResponseStillCreatesTheOrder(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setFaults(t, map[string]any{"rate": 1, "kinds": []string{"lost_response"}, "seed": 1})
	_, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "lost-1"})
	var ae *alpaca.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("want a transport error, got %v", err)
	}
	// lost_response only hits order creation: reads still work.
	o, err := f.tc.GetOrderByClientOrderID("lost-1")
	if err != nil || o.Status != "filled" {
		t.Fatalf("lost order by client id: %+v, %v", o, err)
	}
	orders := f.adminOrders(t)
	if len(orders) != 1 || orders[0].ClientOrderID != "lost-1" {
		t.Errorf("admin orders = %+v", orders)
	}
}

func TestFaultKinds(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setFaults(t, map[string]any{"rate": 1, "kinds": []string{"429"}})
	_, err := f.tc.GetAccount()
	apiErr(t, err, http.StatusTooManyRequests, 42910000)
	f.setFaults(t, map[string]any{"rate": 1, "kinds": []string{"500"}})
	_, err = f.md.GetLatestBars([]string{"AAPL"}, marketdata.GetLatestBarRequest{})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("500 fault on market data: %v", err)
	}
	f.setFaults(t, map[string]any{"rate": 1, "kinds": []string{"drop"}})
	if _, err := f.tc.PlaceOrder(buy("AAPL", "1")); err == nil {
		t.Error("dropped connection gave no error")
	}
	if n := len(f.adminOrders(t)); n != 0 {
		t.Errorf("a dropped request created %d orders", n)
	}
	f.setFaults(t, map[string]any{"rate": 1, "kinds": []string{"delay"}, "delay_ms": 1})
	if _, err := f.tc.GetAccount(); err != nil {
		t.Errorf("delayed request failed: %v", err)
	}
	if st, _ := call(t, http.MethodPost, f.url+"/sim/v1/faults", map[string]any{"rate": 1, "kinds": []string{"fire"}}); st != http.StatusBadRequest {
		t.Errorf("unknown fault kind accepted: %d", st)
	}
	f.setFaults(t, map[string]any{"rate": 0})
	if _, err := f.tc.GetAccount(); err != nil {
		t.Errorf("faults off: %v", err)
	}
}

func TestFaultRateIsPartial(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setFaults(t, map[string]any{"rate": 0.3, "kinds": []string{"429"}, "seed": 9})
	failed := 0
	for i := 0; i < 200; i++ {
		if _, err := f.tc.GetClock(); err != nil {
			failed++
		}
	}
	if failed < 30 || failed > 90 {
		t.Errorf("%d of 200 requests failed at rate 0.3", failed)
	}
}
