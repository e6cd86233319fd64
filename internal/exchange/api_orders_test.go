package exchange_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestReplaceOrder(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		px := decf(f.price(t, "AAPL"))
		old := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", px.Div(dec("2")).Round(2).String(), alpaca.GTC))
		newLimit := px.Mul(dec("0.6")).Round(2)
		n, err := f.tc.ReplaceOrder(old.ID, alpaca.ReplaceOrderRequest{Qty: decp("3"), LimitPrice: &newLimit})
		if err != nil {
			t.Fatal(err)
		}
		if n.Replaces == nil || *n.Replaces != old.ID || n.ID == old.ID || n.ClientOrderID == old.ClientOrderID ||
			!n.Qty.Equal(dec("3")) || !n.LimitPrice.Equal(newLimit) || n.Status != "new" || n.TimeInForce != alpaca.GTC {
			t.Errorf("replacement = %+v", n)
		}
		o := f.order(t, old.ID)
		if o.Status != "replaced" || o.ReplacedBy == nil || *o.ReplacedBy != n.ID || o.ReplacedAt == nil {
			t.Errorf("replaced order = status %s, replaced_by %v, replaced_at %v", o.Status, o.ReplacedBy, o.ReplacedAt)
		}
		if u := f.waitEvent(t, preOpen, "replaced", old.ID); u.Order.Status != "replaced" {
			t.Errorf("replaced event carries status %s", u.Order.Status)
		}
		f.waitEvent(t, preOpen, "new", n.ID)
		_, err = f.tc.ReplaceOrder(old.ID, alpaca.ReplaceOrderRequest{Qty: decp("1")})
		apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
		_, err = f.tc.ReplaceOrder("00000000-0000-4000-8000-000000000000", alpaca.ReplaceOrderRequest{Qty: decp("1")})
		apiErr(t, err, http.StatusNotFound, 40410000)
		_, err = f.tc.ReplaceOrder(n.ID, alpaca.ReplaceOrderRequest{ClientOrderID: f.order(t, n.ID).ClientOrderID})
		apiErr(t, err, http.StatusUnprocessableEntity, 40010001)

		// A replacement the price already reaches fills at once, at the
		// current price (it meets it as its first price).
		marketable := px.Mul(dec("1.05")).Round(2)
		m, err := f.tc.ReplaceOrder(n.ID, alpaca.ReplaceOrderRequest{LimitPrice: &marketable})
		if err != nil {
			t.Fatal(err)
		}
		f.wantFill(t, "marketable replacement", m.ID, px.String(), midMorn)
	})
}

func TestReplaceBracketLeg(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	entry := f.place(t, bracketBuy("AAPL", "1", "110", "90"))
	var stop *alpaca.Order
	for i := range entry.Legs {
		if entry.Legs[i].Type == alpaca.Stop {
			stop = &entry.Legs[i]
		}
	}
	_, err := f.tc.ReplaceOrder(entry.ID, alpaca.ReplaceOrderRequest{Qty: decp("2")})
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	n, err := f.tc.ReplaceOrder(stop.ID, alpaca.ReplaceOrderRequest{StopPrice: decp("95")})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.order(t, entry.ID); len(got.Legs) != 2 || (got.Legs[0].ID != n.ID && got.Legs[1].ID != n.ID) {
		t.Errorf("the entry's legs do not list the replacement: %+v", got.Legs)
	}
	f.setPrice(t, "AAPL", "94")
	f.wantFill(t, "replaced stop leg", n.ID, "94", t0)
	if tp := f.order(t, entry.ID); tp.Legs[0].Status != "canceled" && tp.Legs[1].Status != "canceled" {
		t.Errorf("the take-profit leg was not canceled when the replaced stop filled: %+v", tp.Legs)
	}
}

func TestNotionalMarketOrder(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		o := f.place(t, alpaca.PlaceOrderRequest{Symbol: "MSFT", Notional: decp("1000"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day})
		if o.Qty != nil || o.Notional == nil || !o.Notional.Equal(dec("1000")) || o.Status != "filled" {
			t.Fatalf("notional order = qty %v, notional %v, status %s", o.Qty, o.Notional, o.Status)
		}
		px := decf(f.price(t, "MSFT"))
		if !o.FilledAvgPrice.Equal(px) {
			t.Errorf("filled at %s, want the current price %s", o.FilledAvgPrice, px)
		}
		want := dec("1000").DivRound(px, 12).Truncate(9)
		if !o.FilledQty.Equal(want) {
			t.Errorf("filled_qty = %s, want 1000/%s truncated to 9 places = %s", o.FilledQty, px, want)
		}
		pos, err := f.tc.GetPosition("MSFT")
		if err != nil || !pos.Qty.Equal(want) {
			t.Errorf("position %v, %v; want %s shares", pos, err, want)
		}
		for name, req := range map[string]alpaca.PlaceOrderRequest{
			"with qty":   {Symbol: "MSFT", Notional: decp("1000"), Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day},
			"limit":      {Symbol: "MSFT", Notional: decp("1000"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: decp("1"), TimeInForce: alpaca.Day},
			"gtc":        {Symbol: "MSFT", Notional: decp("1000"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC},
			"under 1":    {Symbol: "MSFT", Notional: decp("0.5"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day},
			"no qty":     {Symbol: "MSFT", Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day},
			"bracket":    {Symbol: "MSFT", Notional: decp("1000"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, OrderClass: alpaca.Bracket},
			"over power": {Symbol: "MSFT", Notional: decp("900000"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day},
		} {
			_, err := f.tc.PlaceOrder(req)
			if name == "over power" {
				apiErr(t, err, http.StatusForbidden, 40310000)
				continue
			}
			apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
		}
	})
}

// trailPath replays the rule for a sell trailing stop with trail_price
// trail placed at `at` (the open of a base bar, which sets its mark):
// each later path point first meets the stop (a fill at the stop, or at
// the point's price when it is a bar's open), then raises the mark.
func trailPath(bars []marketdata.Bar, spans func(marketdata.Bar) (time.Time, time.Time), trail decimal.Decimal) (decimal.Decimal, time.Time, bool) {
	var hwm decimal.Decimal
	for i, b := range bars {
		s, e := spans(b)
		p := pathOf(b, s, e)
		points := []struct {
			at   time.Time
			px   float64
			jump bool
		}{{p.open, b.Open, true}, {p.high, b.High, false}, {p.low, b.Low, false}, {p.close, b.Close, false}}
		if b.Open-b.Low < b.High-b.Open {
			points[1], points[2] = struct {
				at   time.Time
				px   float64
				jump bool
			}{p.low, b.Low, false}, struct {
				at   time.Time
				px   float64
				jump bool
			}{p.high, b.High, false}
		}
		for j, pt := range points {
			px := decf(pt.px)
			if i == 0 && j == 0 {
				hwm = px
				continue
			}
			if stop := hwm.Sub(trail); px.LessThanOrEqual(stop) {
				if pt.jump {
					return px, pt.at, true
				}
				return stop, pt.at, true
			}
			if px.GreaterThan(hwm) {
				hwm = px
			}
		}
	}
	return decimal.Decimal{}, time.Time{}, false
}

func TestTrailingStopOnThePricePath(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		// A trail of a third of the last bar's range: the path soon meets it.
		before := f.barAt(t, "AAPL", src.res, midMorn)
		trail := decf(before.High - before.Low).Mul(dec("0.3")).Round(2)
		if !trail.IsPositive() {
			trail = dec("0.01")
		}
		o := f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("5"), Side: alpaca.Sell, Type: alpaca.TrailingStop,
			TrailPrice: &trail, TimeInForce: alpaca.GTC})
		end := midMorn.Add(2 * time.Hour)
		if src.name == "generated" {
			end = midMorn.Add(30 * time.Minute)
		}
		f.goTo(t, end)
		bs, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: src.res, Start: midMorn, End: end.Add(-time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		length := time.Minute
		if src.name != "generated" {
			length = time.Hour
		}
		spans := func(b marketdata.Bar) (time.Time, time.Time) { return b.Timestamp.UTC(), b.Timestamp.UTC().Add(length) }
		if o.HWM == nil || !o.HWM.Equal(decf(bs[0].Open)) || o.StopPrice == nil || !o.StopPrice.Equal(o.HWM.Sub(trail)) {
			t.Fatalf("trailing stop at placement: hwm %v stop %v, want the open %v and %v less", o.HWM, o.StopPrice, bs[0].Open, trail)
		}
		price, at, ok := trailPath(bs, spans, trail)
		if !ok {
			t.Fatalf("the path from %v to %v never reaches the trail of %s", midMorn, end, trail)
		}
		f.wantFill(t, "trailing stop", o.ID, price.String(), at)
	})
}

func TestTrailingStopMovesWithThePrice(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	buy := f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.TrailingStop,
		TrailPercent: decp("5"), TimeInForce: alpaca.GTC})
	f.setPrice(t, "AAPL", "90") // a buy's mark follows the low: stop 94.50
	if o := f.order(t, buy.ID); !o.HWM.Equal(dec("90")) || !o.StopPrice.Equal(dec("94.5")) {
		t.Errorf("buy trailing stop after a fall: hwm %v stop %v, want 90 and 94.5", o.HWM, o.StopPrice)
	}
	n, err := f.tc.ReplaceOrder(buy.ID, alpaca.ReplaceOrderRequest{Trail: decp("10")})
	if err != nil {
		t.Fatal(err)
	}
	if !n.TrailPercent.Equal(dec("10")) || !n.HWM.Equal(dec("90")) || !n.StopPrice.Equal(dec("99")) {
		t.Errorf("replaced trail: percent %v hwm %v stop %v, want 10, 90, 99", n.TrailPercent, n.HWM, n.StopPrice)
	}
	f.setPrice(t, "AAPL", "99.5")
	f.wantFill(t, "buy trailing stop", n.ID, "99.5", t0)
	for name, req := range map[string]alpaca.PlaceOrderRequest{
		"both trails": {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.TrailingStop, TrailPrice: decp("1"), TrailPercent: decp("1"), TimeInForce: alpaca.GTC},
		"no trail":    {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.TrailingStop, TimeInForce: alpaca.GTC},
		"percent 100": {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.TrailingStop, TrailPercent: decp("100"), TimeInForce: alpaca.GTC},
		"ioc":         {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.TrailingStop, TrailPrice: decp("1"), TimeInForce: alpaca.IOC},
		"on a limit":  {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.Limit, LimitPrice: decp("1"), TrailPrice: decp("1"), TimeInForce: alpaca.GTC},
	} {
		_, err := f.tc.PlaceOrder(req)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	}
}

func TestAuctionOrders(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		opg := f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("2"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.OPG})
		loo := f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("2"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: decp("1"), TimeInForce: alpaca.OPG})
		cls := f.place(t, alpaca.PlaceOrderRequest{Symbol: "MSFT", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.CLS})
		if opg.Status != "new" || cls.Status != "new" {
			t.Errorf("auction orders before the open: %s, %s; want new", opg.Status, cls.Status)
		}
		f.goTo(t, openAt.Add(-time.Minute)) // 09:29: opg closed to new orders
		_, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.OPG})
		apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
		if o := f.order(t, opg.ID); o.Status != "new" {
			t.Errorf("opg order filled before the open: %s", o.Status)
		}
		f.goTo(t, midMorn)
		open := f.barAt(t, "AAPL", src.res, openAt)
		f.wantFill(t, "opg market order", opg.ID, fmtPrice(open.Open), openAt)
		f.wantStatus(t, "opg limit below the auction", loo.ID, "canceled", openAt)

		f.goTo(t, closeAt.Add(-5*time.Minute)) // 15:55: cls closed to new orders
		_, err = f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "MSFT", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.CLS})
		apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
		f.goTo(t, closeAt.Add(5*time.Minute))
		last := f.barAt(t, "MSFT", src.res, closeAt.Add(-time.Second))
		f.wantFill(t, "cls market order", cls.ID, fmtPrice(last.Close), closeAt)

		f.goTo(t, time.Date(2025, 3, 12, 23, 30, 0, 0, time.UTC)) // 19:30: queued for tomorrow
		next := f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.OPG})
		f.goTo(t, time.Date(2025, 3, 13, 14, 5, 0, 0, time.UTC))
		f.wantFill(t, "opg queued after 19:00", next.ID, fmtPrice(f.barAt(t, "AAPL", src.res, openAt.Add(24*time.Hour)).Open), openAt.Add(24*time.Hour))
	})
}

func TestAuctionOrderShapes(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	for name, req := range map[string]alpaca.PlaceOrderRequest{
		"stop opg":     {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Stop, StopPrice: decp("1"), TimeInForce: alpaca.OPG},
		"bracket cls":  {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.CLS, OrderClass: alpaca.Bracket, TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("1000")}, StopLoss: &alpaca.StopLoss{StopPrice: decp("1")}},
		"extended opg": {Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: decp("1"), TimeInForce: alpaca.OPG, ExtendedHours: true},
	} {
		_, err := f.tc.PlaceOrder(req)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	}
}

func TestListOrdersDateOnlyAfterUntil(t *testing.T) {
	f := newFixture(t, exchange.Config{Start: preOpen})
	early := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.GTC))
	f.goTo(t, dayAfter.Add(14*time.Hour)) // 13 March, 10:00 in New York
	late := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.GTC))
	for q, want := range map[string][]string{
		"after=2025-03-13":                  {late.ID},
		"until=2025-03-13":                  {early.ID},
		"after=2025-03-12&until=2025-03-13": {early.ID},
		"after=2025-03-14":                  {},
	} {
		var got []struct {
			ID string `json:"id"`
		}
		getJSON(t, f.url+"/v2/orders?status=all&"+q, &got)
		ids := []string{}
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if len(ids) != len(want) || (len(ids) > 0 && ids[0] != want[0]) {
			t.Errorf("%s: %v, want %v (dates are New York midnights)", q, ids, want)
		}
	}
	st, body := call(t, http.MethodGet, f.url+"/v2/orders?after=12-03-2025", nil)
	wantCode(t, "a malformed date", st, body, http.StatusUnprocessableEntity, 42210000)
}
