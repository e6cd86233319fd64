package exchange_test

import (
	"context"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/realdata"
)

// realConfig is an exchange replaying the real hourly bars under the NYSE
// calendar, as `gambler exchange --bars-file` runs by default.
func realConfig(t *testing.T) exchange.Config {
	return exchange.Config{BarsFile: realdata.BarsFile(t), MarketHours: true}
}

// marketNow reads the exchange's market time.
func (f *fixture) marketNow(t *testing.T) time.Time {
	t.Helper()
	c, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	return c.Timestamp.UTC()
}

// goTo moves market time to at (speed 1) in one jump.
func (f *fixture) goTo(t *testing.T, at time.Time) {
	t.Helper()
	now := f.marketNow(t)
	if at.Before(now) {
		t.Fatalf("goTo %v: market time is already %v", at, now)
	}
	f.clk.Advance(at.Sub(now))
}

func (f *fixture) place(t *testing.T, req alpaca.PlaceOrderRequest) *alpaca.Order {
	t.Helper()
	o, err := f.tc.PlaceOrder(req)
	if err != nil {
		t.Fatalf("place %+v: %v", req, err)
	}
	return o
}

func (f *fixture) price(t *testing.T, sym string) float64 {
	t.Helper()
	tr, err := f.md.GetLatestTrade(sym, marketdata.GetLatestTradeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Price
}

func limitOrder(sym string, side alpaca.Side, qty, limit string, tif alpaca.TimeInForce) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp(qty), Side: side, Type: alpaca.Limit, LimitPrice: decp(limit), TimeInForce: tif}
}

func stopOrder(sym string, side alpaca.Side, qty, stop string) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp(qty), Side: side, Type: alpaca.Stop, StopPrice: decp(stop), TimeInForce: alpaca.GTC}
}

func bracketBuy(sym, qty, tp, sl string) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp(qty), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC,
		OrderClass: alpaca.Bracket, TakeProfit: &alpaca.TakeProfit{LimitPrice: decp(tp)}, StopLoss: &alpaca.StopLoss{StopPrice: decp(sl)}}
}

func ocoSell(sym, qty, tp, sl string) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp(qty), Side: alpaca.Sell, Type: alpaca.Limit, TimeInForce: alpaca.GTC,
		OrderClass: alpaca.OCO, TakeProfit: &alpaca.TakeProfit{LimitPrice: decp(tp)}, StopLoss: &alpaca.StopLoss{StopPrice: decp(sl)}}
}

// wantFill asserts the order (by id) filled at price at time at.
func (f *fixture) wantFill(t *testing.T, what, id, price string, at time.Time) {
	t.Helper()
	o := f.order(t, id)
	if o.Status != "filled" || o.FilledAvgPrice == nil || o.FilledAt == nil {
		t.Errorf("%s: status %s, want filled", what, o.Status)
		return
	}
	if !o.FilledAvgPrice.Equal(dec(price)) || !o.FilledAt.Equal(at) {
		t.Errorf("%s: filled at %s on %v, want %s on %v", what, o.FilledAvgPrice, o.FilledAt.UTC(), price, at)
	}
}

// wantStatus asserts the order's status and, for canceled and expired
// orders, when that happened.
func (f *fixture) wantStatus(t *testing.T, what, id, status string, at time.Time) {
	t.Helper()
	o := f.order(t, id)
	when := map[string]*time.Time{"canceled": o.CanceledAt, "expired": o.ExpiredAt}[status]
	if o.Status != status || (when != nil && !when.Equal(at)) {
		t.Errorf("%s: status %s (canceled %v, expired %v), want %s at %v", what, o.Status, o.CanceledAt, o.ExpiredAt, status, at)
	}
}

// pathTimes are the instants of a bar's four path points: open, nearer
// extreme, farther extreme, close, a quarter of its trading span apart.
type pathTimes struct {
	open, low, high, close time.Time
}

func pathOf(b marketdata.Bar, start, end time.Time) pathTimes {
	q := end.Sub(start) / 4
	p := pathTimes{open: start, close: start.Add(3 * q)}
	if b.Open-b.Low < b.High-b.Open {
		p.low, p.high = start.Add(q), start.Add(2*q)
	} else {
		p.high, p.low = start.Add(q), start.Add(2*q)
	}
	return p
}

// lookAhead reads the 1Min bars of sym in [from, to) from a second
// exchange with the same seed whose clock is past them: generated prices
// are a pure function of the seed, so this is the future of the first.
func lookAhead(t *testing.T, seed int64, sym string, from, to time.Time) []marketdata.Bar {
	t.Helper()
	f := newFixture(t, exchange.Config{Seed: seed, Now: (&fakeClock{now: to.Add(time.Hour)}).Now})
	bs, err := f.md.GetBars(sym, marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: from, End: to.Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func cents(x float64) string { return decimal.NewFromFloat(x).Round(2).String() }

func fmtPrice(x float64) string { return decimal.NewFromFloat(x).String() }

// waitEvent replays the trade-update stream from since until an event of
// kind for the order id arrives.
func (f *fixture) waitEvent(t *testing.T, since time.Time, kind, id string) alpaca.TradeUpdate {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	found := make(chan alpaca.TradeUpdate, 1)
	done := make(chan error, 1)
	go func() {
		done <- f.tc.StreamTradeUpdates(ctx, func(u alpaca.TradeUpdate) {
			if u.Event == kind && u.Order.ID == id {
				select {
				case found <- u:
				default:
				}
			}
		}, alpaca.StreamTradeUpdatesRequest{Since: since})
	}()
	select {
	case u := <-found:
		return u
	case err := <-done:
		t.Fatalf("stream ended before a %s event for %s: %v", kind, id, err)
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatalf("no %s event for %s", kind, id)
	}
	return alpaca.TradeUpdate{}
}
