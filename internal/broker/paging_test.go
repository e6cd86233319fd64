package broker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/exchange"
)

// pagingExchange is a simulated exchange on a clock the test moves, with
// its GET /v2/orders requests counted.
type pagingExchange struct {
	c     *broker.Client
	lists atomic.Int64
	mu    sync.Mutex
	now   time.Time
}

func newPagingExchange(t *testing.T) *pagingExchange {
	t.Helper()
	p := &pagingExchange{now: time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)}
	ex, err := exchange.New(exchange.Config{Seed: 7, KeyID: testKeyID, Secret: testSecret, Now: p.clock})
	if err != nil {
		t.Fatalf("exchange.New: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/v2/orders" {
			p.lists.Add(1)
		}
		ex.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { _ = ex.Close(); srv.Close() })
	p.c, _ = newTestClient(t, srv.URL)
	return p
}

func (p *pagingExchange) clock() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// place rests n limit orders far below the price, step apart.
func (p *pagingExchange) place(t *testing.T, n int, step time.Duration) {
	t.Helper()
	for i := range n {
		_, err := p.c.PlaceOrder(context.Background(), broker.OrderRequest{ClientOrderID: fmt.Sprintf("page-%05d", i),
			Symbol: "AAPL", Side: broker.Buy, Type: broker.Limit, Qty: decimal.NewFromInt(1),
			LimitPrice: decimal.NewNullDecimal(decimal.NewFromInt(1)), TimeInForce: broker.GTC})
		if err != nil {
			t.Fatalf("place order %d: %v", i, err)
		}
		p.mu.Lock()
		p.now = p.now.Add(step)
		p.mu.Unlock()
	}
}

// 1,234 orders, a hundred a second, come back once each, oldest first, in
// three requests: each page after the first repeats the last second of the
// one before (a hundred orders here), which still makes it O(pages).
func TestAllOrdersPagesThroughTheList(t *testing.T) {
	p := newPagingExchange(t)
	const n = 1234
	p.place(t, n, 10*time.Millisecond)
	got, err := broker.AllOrders(context.Background(), p.c, broker.ListOrders{Status: "all", Nested: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d orders, want %d", len(got), n)
	}
	for i, o := range got {
		if want := fmt.Sprintf("page-%05d", i); o.ClientOrderID != want {
			t.Fatalf("order %d is %s, want %s (each once, oldest first)", i, o.ClientOrderID, want)
		}
	}
	if lists := p.lists.Load(); lists != 3 {
		t.Errorf("%d list requests for %d orders, want 3 pages", lists, n)
	}
}

// More than a page of orders within one second cannot be paged past with
// second-granular bounds; paging stops instead of asking forever, and the
// caller finds the rest missing, as it would an order outside its window.
func TestAllOrdersStopsWhenASecondHoldsMoreThanAPage(t *testing.T) {
	p := newPagingExchange(t)
	p.place(t, broker.MaxOrdersPage+20, 0)
	got, err := broker.AllOrders(context.Background(), p.c, broker.ListOrders{Status: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != broker.MaxOrdersPage {
		t.Errorf("%d orders, want the first page of %d", len(got), broker.MaxOrdersPage)
	}
	if lists := p.lists.Load(); lists != 2 {
		t.Errorf("%d list requests, want 2 (the second brings nothing new)", lists)
	}
}
