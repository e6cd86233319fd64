package broker_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// requestLog records what the client reports to its Observer.
type requestLog struct {
	mu       sync.Mutex
	requests []string // "endpoint status"
	waited   time.Duration
}

func (l *requestLog) BrokerRequest(endpoint, status string, latency time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if latency < 0 {
		status += " negative latency"
	}
	l.requests = append(l.requests, endpoint+" "+status)
}

func (l *requestLog) RateLimitWait(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waited += d
}

func (l *requestLog) snapshot() ([]string, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...), l.waited
}

func TestObserverSeesEveryAttemptWithTemplatedEndpoint(t *testing.T) {
	f := newFakeAlpaca(t)
	f.script("GET /v2/clock", fault500)
	obs := &requestLog{}
	c, _ := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.Observer = obs })
	ctx := context.Background()

	if _, err := c.Clock(ctx); err != nil {
		t.Fatal(err)
	}
	// Unknown ids and symbols: each call is one 404, which is final.
	missing := []func() error{
		func() error { _, err := c.Order(ctx, "9f1c2d3e-0000-4000-8000-000000000001"); return err },
		func() error { _, err := c.Position(ctx, "ZZZ"); return err },
		func() error { _, err := c.OrderByClientID(ctx, "gabc-1"); return err },
	}
	for i, call := range missing {
		if err := call(); !errors.Is(err, broker.ErrNotFound) {
			t.Fatalf("call %d: err = %v, want ErrNotFound", i, err)
		}
	}
	got, _ := obs.snapshot()
	want := []string{
		"/v2/clock 500", "/v2/clock 200",
		"/v2/orders/{id} 404",
		"/v2/positions/{symbol} 404",
		"/v2/orders:by_client_order_id 404",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("observed\n %q\nwant\n %q", got, want)
	}
}

func TestObserverSeesTransportErrors(t *testing.T) {
	f := newFakeAlpaca(t)
	url := f.URL()
	f.srv.Close() // nothing listens there any more
	obs := &requestLog{}
	c, _ := newTestClient(t, url, func(cfg *broker.Config) { cfg.Observer, cfg.MaxRetries = obs, -1 })
	if _, err := c.Account(context.Background()); err == nil {
		t.Fatal("account read from a closed server succeeded")
	}
	if got, _ := obs.snapshot(); !slices.Equal(got, []string{"/v2/account error"}) {
		t.Fatalf("observed %q, want one /v2/account error", got)
	}
}

func TestObserverSeesRateLimitWaits(t *testing.T) {
	obs := &requestLog{}
	c, _ := headerClient(t, 0, 7*time.Second, func(cfg *broker.Config) { cfg.Observer = obs })
	clockCalls(t, c, 2)
	if _, waited := obs.snapshot(); waited != 7*time.Second {
		t.Fatalf("reported wait %v, want the 7s until the announced reset", waited)
	}

	// The client-side bucket: one request per second, no burst beyond one,
	// so the second call has to wait for a token.
	obs = &requestLog{}
	f := newFakeAlpaca(t)
	c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) {
		cfg.Observer, cfg.RateLimit, cfg.RateBurst = obs, 60, 1
	})
	clockCalls(t, c, 2)
	_, waited := obs.snapshot()
	slept := rec.durations()
	if waited <= 0 || len(slept) != 1 || slept[0] != waited {
		t.Fatalf("reported wait %v, slept %v: want one token wait, reported as slept", waited, slept)
	}
}

func TestEndpointTemplate(t *testing.T) {
	for path, want := range map[string]string{
		"/v2/account":                   "/v2/account",
		"/v2/orders":                    "/v2/orders",
		"/v2/orders/61e69015-8549-4bfd": "/v2/orders/{id}",
		"/v2/orders:by_client_order_id": "/v2/orders:by_client_order_id",
		"/v2/positions/AAPL":            "/v2/positions/{symbol}",
		"/v2/assets/MSFT":               "/v2/assets/{symbol}",
		"/v2/stocks/bars":               "/v2/stocks/bars",
		"/v2/stocks/bars/latest":        "/v2/stocks/bars/latest",
		"/v2/stocks/NVDA/bars":          "/v2/stocks/{symbol}/bars",
		"/v2/watchlists/abc/def":        "/v2/watchlists/{id}/{id}",
		"":                              "/",
		"/v2/orders/x/../../secret?q=1": "/v2/orders/{id}/{id}/{id}/{id}",
	} {
		if got := broker.EndpointTemplate(path); got != want {
			t.Errorf("EndpointTemplate(%q) = %q, want %q", path, got, want)
		}
	}
}
