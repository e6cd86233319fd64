package exchange_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// t0 is a Wednesday, 15:00 UTC (10:00 in New York): the market is open.
var t0 = time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	ex  *exchange.Exchange
	url string
	clk *fakeClock
	tc  *alpaca.Client
	md  *marketdata.Client
}

const (
	testKey    = "test-key"
	testSecret = "test-secret"
)

// newFixture serves an exchange on a loopback test server with a frozen
// clock at t0 (unless cfg.Now is set) and official clients pointed at it.
func newFixture(t *testing.T, cfg exchange.Config) *fixture {
	t.Helper()
	return newFixtureAt(t, cfg, t0)
}

// newFixtureAt is newFixture with the wall clock starting at wall.
func newFixtureAt(t *testing.T, cfg exchange.Config, wall time.Time) *fixture {
	t.Helper()
	clk := &fakeClock{now: wall}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	cfg.Logger = zerolog.Nop()
	ex, err := exchange.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(ex.Handler())
	t.Cleanup(func() {
		// Close first: it ends open event streams, which srv.Close waits for.
		if err := ex.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		srv.Close()
	})
	return &fixture{ex: ex, url: srv.URL, clk: clk, tc: tradingClient(srv.URL, cfg.KeyID, cfg.Secret), md: dataClient(srv.URL)}
}

func tradingClient(url, key, secret string) *alpaca.Client {
	if key == "" {
		key, secret = testKey, testSecret
	}
	return alpaca.NewClient(alpaca.ClientOpts{APIKey: key, APISecret: secret, BaseURL: url, RetryLimit: -1})
}

func dataClient(url string) *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{APIKey: testKey, APISecret: testSecret, BaseURL: url, RetryLimit: -1, Feed: marketdata.IEX})
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// call sends a raw request and returns status and body.
func call(t *testing.T, method, url string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("APCA-API-KEY-ID", testKey)
	req.Header.Set("APCA-API-SECRET-KEY", testSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func (f *fixture) setPrice(t *testing.T, sym, price string) {
	t.Helper()
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/price", map[string]string{"symbol": sym, "price": price}); st != http.StatusOK {
		t.Fatalf("set price: %d %s", st, body)
	}
}

func (f *fixture) order(t *testing.T, id string) *alpaca.Order {
	t.Helper()
	o, err := f.tc.GetOrder(id)
	if err != nil {
		t.Fatalf("GetOrder %s: %v", id, err)
	}
	return o
}

// apiErr asserts err is an Alpaca API error with the given status and code.
func apiErr(t *testing.T, err error, status, code int) *alpaca.APIError {
	t.Helper()
	var ae *alpaca.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %d/%d, got %v", status, code, err)
	}
	if ae.StatusCode != status || ae.Code != code || ae.Message == "" {
		t.Fatalf("want %d/%d with a message, got %d/%d %q", status, code, ae.StatusCode, ae.Code, ae.Message)
	}
	return ae
}

func wantDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func buy(sym string, qty string) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp(qty), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day}
}

func (f *fixture) account(t *testing.T) *alpaca.Account {
	t.Helper()
	a, err := f.tc.GetAccount()
	if err != nil {
		t.Fatalf("GetAccount: %v", err)
	}
	return a
}
