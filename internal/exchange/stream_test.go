package exchange_test

import (
	"context"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestTradeUpdatesStream(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	updates := make(chan alpaca.TradeUpdate, 64)
	done := make(chan error, 1)
	go func() {
		// Since replays from the start, so no event can slip by before
		// the stream is connected.
		done <- f.tc.StreamTradeUpdates(ctx, func(u alpaca.TradeUpdate) { updates <- u }, alpaca.StreamTradeUpdatesRequest{Since: t0})
	}()
	filled, err := f.tc.PlaceOrder(buy("AAPL", "3"))
	if err != nil {
		t.Fatal(err)
	}
	resting, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy,
		Type: alpaca.Limit, LimitPrice: decp("50"), TimeInForce: alpaca.GTC})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tc.CancelOrder(resting.ID); err != nil {
		t.Fatal(err)
	}
	want := []struct{ event, id string }{{"new", filled.ID}, {"fill", filled.ID}, {"new", resting.ID}, {"canceled", resting.ID}}
	guard := time.After(10 * time.Second) // a hang guard, not a timing assertion
	for i, w := range want {
		select {
		case u := <-updates:
			if u.Event != w.event || u.Order.ID != w.id {
				t.Fatalf("event %d = %s for %s, want %s for %s", i, u.Event, u.Order.ID, w.event, w.id)
			}
			if u.Event == "fill" && (u.Price == nil || !u.Price.Equal(dec("100")) || u.PositionQty == nil || !u.PositionQty.Equal(dec("3"))) {
				t.Errorf("fill event: %+v", u)
			}
		case err := <-done:
			t.Fatalf("stream ended early: %v", err)
		case <-guard:
			t.Fatalf("no event %d (%s) arrived", i, w.event)
		}
	}
	cancel()
	<-done
}
