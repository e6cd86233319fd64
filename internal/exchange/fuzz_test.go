package exchange_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

var symbolRule = regexp.MustCompile(`^[A-Z]{1,5}(\.[A-Z]{1,2})?$`)

// FuzzOrderValidation posts arbitrary order requests: the exchange must
// answer 200 or an Alpaca error body (never 5xx), and what it accepts must
// be a valid order.
func FuzzOrderValidation(f *testing.F) {
	seeds := [][10]string{
		{"AAPL", "10", "buy", "market", "day", "", "", "", "", ""},
		{"AAPL", "1.5", "sell", "limit", "gtc", "", "150", "", "", ""},
		{"MSFT", "5", "buy", "market", "gtc", "bracket", "", "", "500", "1"},
		{"MSFT", "5.5", "buy", "market", "gtc", "bracket", "", "", "500", "1"},
		{"MSFT", "5", "buy", "market", "gtc", "bracket", "", "", "500", ""},
		{"TSLA", "2", "sell", "limit", "gtc", "oco", "", "", "1", "500"},
		{"TSLA", "2", "buy", "stop_limit", "day", "", "300", "290", "", ""},
		{"TSLA", "2", "buy", "market", "day", "oto", "", "", "", "1"},
		{"aapl", "1", "buy", "market", "day", "", "", "", "", ""},
		{"BRK.B", "0", "buy", "market", "day", "", "", "", "", ""},
		{"SPY", "-1", "buy", "market", "day", "", "", "", "", ""},
		{"SPY", "abc", "buy", "market", "day", "", "", "", "", ""},
		{"SPY", "1e3", "buy", "limit", "ioc", "simple", "-5", "", "", ""},
		{"", "", "", "", "", "", "", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], "cid-1")
	}
	f.Fuzz(func(t *testing.T, sym, qty, side, typ, tif, class, limit, stop, tp, sl, cid string) {
		ex, err := exchange.New(exchange.Config{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer ex.Close()
		h := ex.Handler()
		body := map[string]any{"symbol": sym, "side": side, "type": typ, "time_in_force": tif, "order_class": class, "client_order_id": cid}
		raw := func(k, v string) {
			if v != "" {
				body[k] = json.RawMessage(jsonString(v))
			}
		}
		raw("qty", qty)
		raw("limit_price", limit)
		raw("stop_price", stop)
		if tp != "" {
			body["take_profit"] = map[string]any{"limit_price": json.RawMessage(jsonString(tp))}
		}
		if sl != "" {
			body["stop_loss"] = map[string]any{"stop_price": json.RawMessage(jsonString(sl))}
		}
		payload, err := json.Marshal(body)
		if err != nil {
			t.Skip()
		}
		post := func() (int, []byte) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v2/orders", bytes.NewReader(payload)))
			return rec.Code, rec.Body.Bytes()
		}
		status, resp := post()
		switch status {
		case http.StatusOK:
			var o alpaca.Order
			if err := json.Unmarshal(resp, &o); err != nil {
				t.Fatalf("accepted order is not Alpaca JSON: %v: %s", err, resp)
			}
			if !symbolRule.MatchString(o.Symbol) || o.Qty == nil || !o.Qty.IsPositive() || o.ID == "" {
				t.Fatalf("accepted an invalid order: %s", resp)
			}
			if o.OrderClass == alpaca.Bracket && (len(o.Legs) != 2 || !o.Qty.Equal(o.Qty.Truncate(0))) {
				t.Fatalf("accepted a malformed bracket: %s", resp)
			}
			if cid != "" && o.ClientOrderID != cid {
				t.Fatalf("client_order_id %q came back as %q", cid, o.ClientOrderID)
			}
			if cid != "" {
				if st, again := post(); st != http.StatusUnprocessableEntity || !bytes.Contains(again, []byte(`"code":40010001`)) {
					t.Fatalf("resubmitting %q: %d %s", cid, st, again)
				}
			}
		case http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity:
			var e struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(resp, &e); err != nil || e.Code == 0 || e.Message == "" {
				t.Fatalf("error %d without an Alpaca body: %s", status, resp)
			}
		default:
			t.Fatalf("status %d for %s: %s", status, payload, resp)
		}
	})
}

// jsonString sends numbers as JSON strings, as the official client does,
// except that values which already parse as decimals sometimes go bare.
func jsonString(v string) string {
	if _, err := decimal.NewFromString(v); err == nil && len(v)%2 == 0 {
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHugeNumbersAreRejectedQuickly(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	for _, qty := range []string{"1e9999", "1e-9999", "1234567890123456"} {
		status, body := call(t, http.MethodPost, f.url+"/v2/orders", map[string]any{"symbol": "AAPL", "qty": json.RawMessage(qty),
			"side": "buy", "type": "market", "time_in_force": "day", "order_class": "bracket",
			"take_profit": map[string]any{"limit_price": json.RawMessage(qty)}})
		if status != http.StatusUnprocessableEntity {
			t.Errorf("qty %s: %d %s", qty, status, body)
		}
	}
}
