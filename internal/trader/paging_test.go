package trader_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// seedResting places n bracket entries that rest far below the price, 10
// a second, and journals them as the session's open entries.
func seedResting(tb testing.TB, w *tradertest.World, sid string, n int) {
	tb.Helper()
	ctx := context.Background()
	dec := decimal.RequireFromString
	pace := w.SeedEvery()
	for i := range n {
		sym := tradertest.SeedSymbol(i)
		req := broker.OrderRequest{ClientOrderID: fmt.Sprintf("%s%d", orders.Prefix(sid), 100000+i),
			Symbol: sym, Side: broker.Buy, Type: broker.Limit, OrderClass: broker.Bracket, Qty: dec("1"),
			LimitPrice: decimal.NewNullDecimal(dec("1")), TakeProfitLimit: decimal.NewNullDecimal(dec("100000")),
			StopLossStop: decimal.NewNullDecimal(dec("0.5"))}
		o, err := w.Broker.PlaceOrder(ctx, req)
		if err != nil {
			tb.Fatalf("place entry %d: %v", i, err)
		}
		if _, err := w.Store.InsertOrder(ctx, orders.RowOf(sid, o, "", orders.PurposeEntry, w.Clock.Now())); err != nil {
			tb.Fatalf("journal entry %d: %v", i, err)
		}
		pace()
	}
}

// TestSyncPagesThroughManyOpenOrders: with more open entries than a page
// holds, each tick reads them all in a few list requests and looks none up
// one by one (it used to look up every entry past the first 500).
func TestSyncPagesThroughManyOpenOrders(t *testing.T) {
	const n = 1200
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w := tradertest.New(t, tradertest.Options{Driver: driver, Start: tradertest.Monday.Add(2 * time.Hour),
				Trader: oneSymbol("AAPL")})
			r := w.Start(tradertest.StartOptions{})
			r.Step()
			seedResting(t, w, r.Session.ID, n)
			// For returns with the trader asleep, so the counts are taken
			// between ticks.
			r.For(3 * time.Minute) // the first passes journal the legs
			lookups := func() int { return w.Requests("GET /v2/orders/") + w.Requests("GET /v2/orders:") }
			lists := func() int { return w.Requests("GET /v2/orders") - lookups() }
			l0, k0 := lists(), lookups()
			r.For(5 * time.Minute) // 5 one-minute ticks
			l, k := lists()-l0, lookups()-k0
			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			if k != 0 {
				t.Errorf("%d orders looked up one by one in 5 ticks, want none", k)
			}
			// 1,200 roots, 10 a second: 3 pages a tick.
			if l < 5 || l > 3*5 {
				t.Errorf("%d list requests in 5 ticks, want 3 pages a tick", l)
			}
			if got := len(journal(t, w, r.Session.ID)); got != 3*n {
				t.Errorf("journal holds %d orders, want %d entries and their legs", got, 3*n)
			}
		})
	}
}
