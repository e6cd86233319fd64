package broker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/shopspring/decimal"
)

func marketBuy(id string) broker.OrderRequest {
	return broker.OrderRequest{ClientOrderID: id, Symbol: "AAPL", Side: broker.Buy, Type: broker.Market, Qty: decimal.NewFromInt(10)}
}

const (
	postOrders = "POST /v2/orders"
	byClientID = "GET /v2/orders:by_client_order_id"
)

// placeOne runs PlaceOrder with scripted POST faults and checks the
// no-duplicate property: exactly one order at the broker under the id, and
// every POST carried that same id.
func placeOne(t *testing.T, f *fakeAlpaca, c *broker.Client, id string) broker.Order {
	t.Helper()
	o, err := c.PlaceOrder(context.Background(), marketBuy(id))
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if o.ClientOrderID != id || o.ID == "" || o.Symbol != "AAPL" {
		t.Fatalf("order = %+v", o)
	}
	if n := f.orderCount(); n != 1 {
		t.Fatalf("orders at broker = %d, want 1", n)
	}
	for _, got := range f.postedIDs() {
		if got != id {
			t.Fatalf("a POST carried client_order_id %q, want only %q", got, id)
		}
	}
	return o
}

// expectTraffic checks how many POSTs and client-id lookups reached the
// server.
func expectTraffic(t *testing.T, f *fakeAlpaca, posts, lookups int) {
	t.Helper()
	if f.count(postOrders) != posts || f.count(byClientID) != lookups {
		t.Fatalf("posts %d lookups %d, want %d and %d", f.count(postOrders), f.count(byClientID), posts, lookups)
	}
}

func TestPlaceOrderSendsOnceOrResendsSameID(t *testing.T) {
	cases := []struct {
		name           string
		faults         []fault
		timeout        time.Duration
		posts, lookups int
	}{
		{name: "success", posts: 1, lookups: 0},
		{name: "500 after create: found by client id", faults: []fault{fault500AfterCreate}, posts: 1, lookups: 1},
		{name: "lost response: found by client id", faults: []fault{faultLostResponse}, posts: 1, lookups: 1},
		{name: "timeout after create: found by client id", faults: []fault{faultHangAfterCreate}, timeout: 100 * time.Millisecond, posts: 1, lookups: 1},
		// drop -> lookup 404 -> resend; 500 (not created) -> lookup 404 -> resend.
		{name: "not created: resent with the same id", faults: []fault{faultDropBeforeCreate, fault500}, posts: 3, lookups: 2},
		{name: "429: resent without lookup", faults: []fault{fault429, fault429}, posts: 3, lookups: 0},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAlpaca(t)
			f.script(postOrders, tc.faults...)
			c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) {
				if tc.timeout > 0 {
					cfg.Timeout = tc.timeout
				}
			})
			o := placeOne(t, f, c, fmt.Sprintf("s1-%d", i))
			expectTraffic(t, f, tc.posts, tc.lookups)
			if want := tc.posts - 1; len(rec.durations()) != want {
				t.Fatalf("backoffs = %v, want %d (one before each resend)", rec.durations(), want)
			}
			if o.TimeInForce != broker.Day || o.OrderClass != broker.Simple {
				t.Fatalf("defaults: tif %q class %q, want day/simple", o.TimeInForce, o.OrderClass)
			}
		})
	}
}

func TestPlaceOrderDuplicateReturnsTheExistingOrder(t *testing.T) {
	f := newFakeAlpaca(t)
	f.seedOrder("s1-7", "AAPL", "buy", "10")
	c, _ := newTestClient(t, f.URL())
	o := placeOne(t, f, c, "s1-7")
	if o.Status != broker.StatusFilled || f.count(byClientID) != 1 {
		t.Fatalf("order %+v after %d lookups, want the seeded filled order after 1", o, f.count(byClientID))
	}
}

func TestPlaceOrderDuplicateOfAnotherOrderIsAnError(t *testing.T) {
	f := newFakeAlpaca(t)
	f.seedOrder("s1-8", "MSFT", "sell", "3")
	c, _ := newTestClient(t, f.URL())
	_, err := c.PlaceOrder(context.Background(), marketBuy("s1-8"))
	if !errors.Is(err, broker.ErrDuplicateClientOrderID) {
		t.Fatalf("err = %v, want ErrDuplicateClientOrderID", err)
	}
	if f.orderCount() != 1 || f.count(postOrders) != 1 {
		t.Fatalf("orders %d posts %d, want 1 and 1", f.orderCount(), f.count(postOrders))
	}
}

func TestPlaceOrderRejectionIsFinal(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	req := marketBuy("s1-9")
	req.Symbol = "" // local validation
	if _, err := c.PlaceOrder(context.Background(), req); err == nil || f.count(postOrders) != 0 {
		t.Fatalf("invalid request: err %v, posts %d", err, f.count(postOrders))
	}
	f.script(postOrders, fault403)
	_, err := c.PlaceOrder(context.Background(), marketBuy("s1-10"))
	var apiErr *broker.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || errors.Is(err, broker.ErrOrderStateUnknown) {
		t.Fatalf("err = %v, want a definite 403 rejection", err)
	}
	if f.count(postOrders) != 1 || f.count(byClientID) != 0 || f.orderCount() != 0 {
		t.Fatalf("posts %d lookups %d orders %d, want 1, 0, 0", f.count(postOrders), f.count(byClientID), f.orderCount())
	}
}

func TestPlaceOrderUnknownWhenLookupKeepsFailing(t *testing.T) {
	f := newFakeAlpaca(t)
	f.script(postOrders, fault500AfterCreate)
	f.script(byClientID, fault500, fault500, fault500) // MaxRetries 2: three attempts
	c, _ := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.MaxRetries = 2 })
	_, err := c.PlaceOrder(context.Background(), marketBuy("s1-11"))
	if !errors.Is(err, broker.ErrOrderStateUnknown) {
		t.Fatalf("err = %v, want ErrOrderStateUnknown", err)
	}
	if f.count(postOrders) != 1 {
		t.Fatalf("posts = %d: the order was resent without knowing its state", f.count(postOrders))
	}
	// Resolved later by the same id, exactly as the trader does on resume.
	o, err := c.OrderByClientID(context.Background(), "s1-11")
	if err != nil || o.ClientOrderID != "s1-11" {
		t.Fatalf("later lookup: %+v, %v", o, err)
	}
}

func TestBracketDefaultsToGTCAndSendsLegs(t *testing.T) {
	f := newFakeAlpaca(t)
	c, _ := newTestClient(t, f.URL())
	req := marketBuy("s1-12")
	req.OrderClass = broker.Bracket
	req.TakeProfitLimit = decimal.NewNullDecimal(decimal.RequireFromString("104"))
	req.StopLossStop = decimal.NewNullDecimal(decimal.RequireFromString("98"))
	o, err := c.PlaceOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if o.TimeInForce != broker.GTC || o.OrderClass != broker.Bracket {
		t.Fatalf("tif %q class %q, want gtc bracket", o.TimeInForce, o.OrderClass)
	}
}

func TestOrderRequestValidation(t *testing.T) {
	ok := marketBuy("s-1")
	px := decimal.NewNullDecimal(decimal.NewFromInt(100))
	cases := map[string]func(*broker.OrderRequest){
		"no id":             func(r *broker.OrderRequest) { r.ClientOrderID = "" },
		"id too long":       func(r *broker.OrderRequest) { r.ClientOrderID = string(slices.Repeat([]byte("x"), 49)) },
		"no symbol":         func(r *broker.OrderRequest) { r.Symbol = "" },
		"bad side":          func(r *broker.OrderRequest) { r.Side = "hold" },
		"zero qty":          func(r *broker.OrderRequest) { r.Qty = decimal.Zero },
		"negative qty":      func(r *broker.OrderRequest) { r.Qty = decimal.NewFromInt(-1) },
		"limit no price":    func(r *broker.OrderRequest) { r.Type = broker.Limit },
		"stop no price":     func(r *broker.OrderRequest) { r.Type = broker.Stop },
		"bad type":          func(r *broker.OrderRequest) { r.Type = "iceberg" },
		"bracket no legs":   func(r *broker.OrderRequest) { r.OrderClass = broker.Bracket },
		"bracket one leg":   func(r *broker.OrderRequest) { r.OrderClass = broker.Bracket; r.TakeProfitLimit = px },
		"bad class":         func(r *broker.OrderRequest) { r.OrderClass = "mleg" },
		"bad time in force": func(r *broker.OrderRequest) { r.TimeInForce = "ioc" },
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid request rejected: %v", err)
	}
	for name, edit := range cases {
		r := ok
		edit(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzOrderRequestValidate(f *testing.F) {
	f.Add("s-1", "AAPL", "buy", "market", "simple", "10", "")
	f.Add("s-2", "MSFT", "sell", "limit", "bracket", "0.5", "101.25")
	f.Fuzz(func(t *testing.T, id, sym, side, typ, class, qty, price string) {
		q, err := decimal.NewFromString(qty)
		if err != nil {
			return
		}
		r := broker.OrderRequest{ClientOrderID: id, Symbol: sym, Side: broker.Side(side), Type: broker.OrderType(typ),
			OrderClass: broker.OrderClass(class), Qty: q}
		if p, err := decimal.NewFromString(price); err == nil {
			r.LimitPrice = decimal.NewNullDecimal(p)
		}
		if r.Validate() == nil && (id == "" || len(id) > broker.MaxClientOrderIDLen || sym == "" || !q.IsPositive()) {
			t.Fatalf("invalid request accepted: %+v", r)
		}
	})
}
