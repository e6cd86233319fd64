package broker_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/shopspring/decimal"
)

func TestReadRetriesTransientFailuresWithGrowingBackoff(t *testing.T) {
	f := newFakeAlpaca(t)
	// The drop comes first: on a reused connection net/http would silently
	// retry the GET itself.
	f.script("GET /v2/account", faultDropBeforeCreate, fault429, fault500)
	c, rec := newTestClient(t, f.URL())

	acct, err := c.Account(context.Background())
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if !acct.Cash.Equal(decimal.RequireFromString("100000.50")) || acct.ID != "acct-1" {
		t.Fatalf("account = %+v", acct)
	}
	if got := f.count("GET /v2/account"); got != 4 {
		t.Fatalf("requests = %d, want 4 (three failures then success)", got)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if got := rec.durations(); !slices.Equal(got, want) {
		t.Fatalf("backoff = %v, want %v", got, want)
	}
}

func TestReadBackoffIsCapped(t *testing.T) {
	f := newFakeAlpaca(t)
	f.script("GET /v2/clock", fault500, fault500, fault500, fault500)
	c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.RetryMaxDelay = 250 * time.Millisecond })
	if _, err := c.Clock(context.Background()); err != nil {
		t.Fatalf("Clock: %v", err)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}
	if got := rec.durations(); !slices.Equal(got, want) {
		t.Fatalf("backoff = %v, want %v", got, want)
	}
}

func TestReadGivesUpAfterMaxRetries(t *testing.T) {
	f := newFakeAlpaca(t)
	f.script("GET /v2/clock", fault500, fault500, fault500)
	c, _ := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.MaxRetries = 2 })

	_, err := c.Clock(context.Background())
	var apiErr *broker.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want APIError 500", err)
	}
	if got := f.count("GET /v2/clock"); got != 3 {
		t.Fatalf("requests = %d, want 3", got)
	}
}

func TestNotFoundIsFinalAndTyped(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	ctx := context.Background()

	if _, err := c.Position(ctx, "ZZZ"); !errors.Is(err, broker.ErrNotFound) {
		t.Fatalf("Position err = %v, want ErrNotFound", err)
	}
	if _, err := c.OrderByClientID(ctx, "nope"); !errors.Is(err, broker.ErrNotFound) {
		t.Fatalf("OrderByClientID err = %v, want ErrNotFound", err)
	}
	if _, err := c.Order(ctx, "nope"); !errors.Is(err, broker.ErrNotFound) {
		t.Fatalf("Order err = %v, want ErrNotFound", err)
	}
	if n := f.count("GET /v2/positions/{symbol}") + f.count("GET /v2/orders:by_client_order_id"); n != 2 {
		t.Fatalf("404s were retried: %d requests, want 2", n)
	}
}

func TestPositionsAreNormalised(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	ps, err := c.Positions(context.Background())
	if err != nil {
		t.Fatalf("Positions: %v", err)
	}
	if len(ps) != 2 {
		t.Fatalf("positions = %+v", ps)
	}
	short := ps[1]
	if short.Symbol != "TSLA" || short.Side != broker.PositionShort || !short.Qty.Equal(decimal.NewFromInt(5)) {
		t.Fatalf("short position = %+v, want TSLA short qty 5", short)
	}
	if !ps[0].AvgEntryPrice.Equal(decimal.RequireFromString("187.23")) {
		t.Fatalf("avg entry = %s", ps[0].AvgEntryPrice)
	}
}

func TestBarsOneMultiSymbolRequestWithPagination(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	start := time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)
	bars, err := c.Bars(context.Background(), []string{"AAPL", "MSFT"}, "5Min", start, start.Add(3*time.Hour), 4)
	if err != nil {
		t.Fatalf("Bars: %v", err)
	}
	if got := f.count("GET /v2/stocks/bars"); got != 2 {
		t.Fatalf("bars requests = %d, want 2 (two pages of one multi-symbol query)", got)
	}
	aapl := bars["AAPL"]
	if len(aapl) != 4 || len(bars["MSFT"]) != 2 {
		t.Fatalf("bars per symbol: AAPL %d MSFT %d, want 4 and 2", len(aapl), len(bars["MSFT"]))
	}
	if !aapl[0].Close.Equal(decimal.RequireFromString("187.22")) || !aapl[3].Close.Equal(decimal.RequireFromString("187.25")) {
		t.Fatalf("AAPL closes %s..%s, want the latest four 187.22..187.25", aapl[0].Close, aapl[3].Close)
	}
	if aapl[3].Volume != 1004 {
		t.Fatalf("volume = %d", aapl[3].Volume)
	}
}

func TestBarsRejectsBadTimeframe(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1")
	for _, tf := range []string{"", "5", "Min", "0Min", "5Minutes", "-1Hour"} {
		if _, err := c.Bars(context.Background(), []string{"AAPL"}, tf, time.Time{}, time.Time{}, 0); err == nil {
			t.Errorf("timeframe %q accepted", tf)
		}
		if broker.CheckTimeFrame(tf) == nil {
			t.Errorf("CheckTimeFrame(%q) accepted", tf)
		}
	}
	for _, tf := range []string{"1Min", "5Min", "15Min", "1Hour", "1Day", "1Week", "1Month"} {
		if err := broker.CheckTimeFrame(tf); err != nil {
			t.Errorf("CheckTimeFrame(%q): %v", tf, err)
		}
	}
}

func TestOrdersRejectsUnknownStatus(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	if _, err := c.Orders(context.Background(), broker.ListOrders{Status: "pending"}); err == nil {
		t.Fatal("status filter pending accepted")
	}
	f.seedOrder("a-1", "AAPL", "buy", "3")
	os, err := c.Orders(context.Background(), broker.ListOrders{Status: "all"})
	if err != nil || len(os) != 1 || os[0].ClientOrderID != "a-1" || !os[0].FilledAvgPrice.Valid {
		t.Fatalf("Orders = %+v, %v", os, err)
	}
}

func TestCanceledContextStopsRetries(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Clock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := c.PlaceOrder(ctx, marketBuy("s3-1")); !errors.Is(err, broker.ErrOrderStateUnknown) {
		t.Fatalf("PlaceOrder err = %v: a canceled submission must be reported as unknown", err)
	}
	if n := f.count("GET /v2/clock") + f.count(postOrders); n != 0 {
		t.Fatalf("%d requests sent with a canceled context", n)
	}
}
