package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"
)

// chaosOrders is the number of orders of the no-duplicate test; the chaos
// target raises it with BROKER_CHAOS_ORDERS.
func chaosOrders(t *testing.T) int {
	n := 200
	if s := os.Getenv("BROKER_CHAOS_ORDERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("BROKER_CHAOS_ORDERS=%q is not a positive number", s)
		}
		n = v
	}
	return n
}

func startExchange(t *testing.T) string {
	t.Helper()
	ex, err := exchange.New(exchange.Config{Seed: 7, KeyID: testKeyID, Secret: testSecret})
	if err != nil {
		t.Fatalf("exchange.New: %v", err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	srv := httptest.NewServer(ex.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func adminJSON(t *testing.T, method, url string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d", method, url, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
}

// Under a 20% fault rate that includes accepted-but-response-lost, N
// PlaceOrder calls with distinct client ids produce exactly N orders at the
// exchange, each client_order_id exactly once.
func TestNoDuplicateOrdersUnderExchangeFaults(t *testing.T) {
	url := startExchange(t)
	n := chaosOrders(t)
	adminJSON(t, http.MethodPost, url+"/sim/v1/faults", map[string]any{
		"rate": 0.2, "kinds": []string{"429", "500", "delay", "drop", "lost_response"}, "delay_ms": 300, "seed": 11,
	}, nil)
	var logs bytes.Buffer
	c, rec := newTestClient(t, url, func(cfg *broker.Config) {
		cfg.Logger = zerolog.New(zerolog.SyncWriter(&logs)).Level(zerolog.WarnLevel)
		cfg.Timeout = 150 * time.Millisecond // shorter than the delay fault: delays become timeouts
		cfg.MaxRetries = 12
	})

	symbols := []string{"AAPL", "MSFT", "NVDA", "AMZN", "GOOGL"}
	placed := make([]broker.Order, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			side := broker.Buy
			if i%3 == 0 {
				side = broker.Sell
			}
			req := broker.OrderRequest{
				ClientOrderID: fmt.Sprintf("chaos-%04d", i), Symbol: symbols[i%len(symbols)],
				Side: side, Type: broker.Market, Qty: decimal.NewFromInt(1),
			}
			placed[i], errs[i] = c.PlaceOrder(context.Background(), req)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("order %d: %v", i, err)
		}
	}
	if len(rec.durations()) == 0 {
		t.Fatal("no retry happened: the faults were not injected, the test proves nothing")
	}
	if !strings.Contains(logs.String(), "order submission ambiguous") {
		t.Fatal("no order submission was ambiguous: the lost-response path was not exercised")
	}

	adminJSON(t, http.MethodPost, url+"/sim/v1/faults", map[string]any{"rate": 0}, nil)
	var all []struct {
		ID            string `json:"id"`
		ClientOrderID string `json:"client_order_id"`
	}
	adminJSON(t, http.MethodGet, url+"/sim/v1/orders", nil, &all)
	if len(all) != n {
		t.Errorf("exchange holds %d orders, want exactly %d", len(all), n)
	}
	byClient := map[string][]string{}
	for _, o := range all {
		byClient[o.ClientOrderID] = append(byClient[o.ClientOrderID], o.ID)
	}
	for i := range n {
		id := fmt.Sprintf("chaos-%04d", i)
		ids := byClient[id]
		if len(ids) != 1 {
			t.Errorf("client_order_id %s appears %d times at the exchange", id, len(ids))
			continue
		}
		if errs[i] == nil && placed[i].ID != ids[0] {
			t.Errorf("%s: PlaceOrder returned order %s, exchange has %s", id, placed[i].ID, ids[0])
		}
	}
}

// The adapter speaks to the exchange through the official client for every
// method of its API.
func TestAdapterAgainstExchange(t *testing.T) {
	url := startExchange(t)
	c, _ := newTestClient(t, url)
	ctx := context.Background()

	acct, err := c.Account(ctx)
	if err != nil || !acct.Cash.IsPositive() {
		t.Fatalf("Account = %+v, %v", acct, err)
	}
	clock, err := c.Clock(ctx)
	if err != nil || clock.Timestamp.IsZero() {
		t.Fatalf("Clock = %+v, %v", clock, err)
	}
	end := clock.Timestamp
	bars, err := c.Bars(ctx, []string{"AAPL", "MSFT"}, "5Min", end.Add(-6*time.Hour), end, 20)
	if err != nil || len(bars["AAPL"]) != 20 || len(bars["MSFT"]) != 20 {
		t.Fatalf("Bars: AAPL %d MSFT %d bars, err %v; want 20 each", len(bars["AAPL"]), len(bars["MSFT"]), err)
	}
	if !bars["AAPL"][19].Timestamp.After(bars["AAPL"][0].Timestamp) {
		t.Fatalf("bars not in time order")
	}
	if _, err := c.Position(ctx, "AAPL"); !errors.Is(err, broker.ErrNotFound) {
		t.Fatalf("Position before trading: %v, want ErrNotFound", err)
	}

	last := bars["AAPL"][19].Close
	req := broker.OrderRequest{
		ClientOrderID: "it-1", Symbol: "AAPL", Side: broker.Buy, Type: broker.Market, OrderClass: broker.Bracket,
		Qty:             decimal.NewFromInt(3),
		TakeProfitLimit: decimal.NewNullDecimal(last.Mul(decimal.RequireFromString("1.5")).Round(2)),
		StopLossStop:    decimal.NewNullDecimal(last.Mul(decimal.RequireFromString("0.5")).Round(2)),
	}
	o, err := c.PlaceOrder(ctx, req)
	if err != nil || o.ClientOrderID != "it-1" || o.OrderClass != broker.Bracket {
		t.Fatalf("PlaceOrder = %+v, %v", o, err)
	}
	again, err := c.PlaceOrder(ctx, req) // same intent sent again: answered from the broker
	if err != nil || again.ID != o.ID {
		t.Fatalf("second PlaceOrder with the same id = %+v, %v; want order %s", again, err, o.ID)
	}
	got, err := c.Order(ctx, o.ID)
	if err != nil || got.ClientOrderID != "it-1" {
		t.Fatalf("Order = %+v, %v", got, err)
	}
	open, err := c.Orders(ctx, broker.ListOrders{Status: "all", Nested: true, Symbols: []string{"AAPL"}})
	if err != nil || len(open) != 1 || len(open[0].Legs) != 2 {
		t.Fatalf("Orders nested = %+v, %v; want one bracket with two legs", open, err)
	}
	pos, err := c.Position(ctx, "AAPL")
	if err != nil || !pos.Qty.Equal(decimal.NewFromInt(3)) || pos.Side != broker.PositionLong {
		t.Fatalf("Position = %+v, %v; want 3 long (market entry fills)", pos, err)
	}
	leg := open[0].Legs[0]
	if err := c.CancelOrder(ctx, leg.ID); err != nil {
		t.Fatalf("CancelOrder %s (%s): %v", leg.ID, leg.Status, err)
	}
	if leg, err = c.Order(ctx, leg.ID); err != nil || leg.Status != broker.StatusCanceled {
		t.Fatalf("canceled leg = %+v, %v", leg, err)
	}
	closing, err := c.ClosePosition(ctx, "AAPL", broker.CloseOptions{Qty: decimal.NewFromInt(1)})
	if err != nil || closing.Side != broker.Sell || !closing.Qty.Equal(decimal.NewFromInt(1)) {
		t.Fatalf("ClosePosition = %+v, %v", closing, err)
	}
	ps, err := c.Positions(ctx)
	if err != nil || len(ps) != 1 || !ps[0].Qty.Equal(decimal.NewFromInt(2)) {
		t.Fatalf("Positions after closing 1 = %+v, %v; want AAPL 2", ps, err)
	}
}
