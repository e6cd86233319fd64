package exchange_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func legsByType(t *testing.T, o *alpaca.Order) (tp, sl alpaca.Order) {
	t.Helper()
	if len(o.Legs) != 2 {
		t.Fatalf("order %s has %d legs, want 2", o.ID, len(o.Legs))
	}
	for _, l := range o.Legs {
		switch l.Type {
		case alpaca.Limit:
			tp = l
		case alpaca.Stop, alpaca.StopLimit:
			sl = l
		}
	}
	if tp.ID == "" || sl.ID == "" {
		t.Fatalf("legs are not one limit and one stop: %+v", o.Legs)
	}
	return tp, sl
}

func TestBracketLifeCycle(t *testing.T) {
	cases := []struct {
		name       string
		side       alpaca.Side
		tp, sl     string
		exitPrice  string
		filledLeg  string // "tp" or "sl"
		wantCash   string
		entryPrice string
	}{
		{"long take-profit", alpaca.Buy, "104", "98", "104.5", "tp", "100045", "100"},
		{"long stop-loss", alpaca.Buy, "104", "98", "97.5", "sl", "99975", "100"},
		{"short take-profit", alpaca.Sell, "96", "102", "95", "tp", "100050", "100"},
		{"short stop-loss", alpaca.Sell, "96", "102", "103", "sl", "99970", "100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, exchange.Config{})
			f.setPrice(t, "MSFT", c.entryPrice)
			o, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{
				Symbol: "MSFT", Qty: decp("10"), Side: c.side, Type: alpaca.Market, TimeInForce: alpaca.GTC,
				OrderClass: alpaca.Bracket, ClientOrderID: "br-1",
				TakeProfit: &alpaca.TakeProfit{LimitPrice: decp(c.tp)},
				StopLoss:   &alpaca.StopLoss{StopPrice: decp(c.sl)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != "filled" || o.OrderClass != alpaca.Bracket || o.ClientOrderID != "br-1" {
				t.Fatalf("entry = %+v", o)
			}
			tp, sl := legsByType(t, o)
			if tp.Status != "new" || sl.Status != "new" || tp.Side == c.side {
				t.Fatalf("legs after entry fill: tp %s/%s sl %s", tp.Status, tp.Side, sl.Status)
			}
			wantDec(t, "tp limit", *tp.LimitPrice, c.tp)
			wantDec(t, "sl stop", *sl.StopPrice, c.sl)

			f.setPrice(t, "MSFT", c.exitPrice)
			tpNow, slNow := f.order(t, tp.ID), f.order(t, sl.ID)
			filled, canceled := tpNow, slNow
			if c.filledLeg == "sl" {
				filled, canceled = slNow, tpNow
			}
			if filled.Status != "filled" || canceled.Status != "canceled" || canceled.CanceledAt == nil {
				t.Fatalf("after exit: filled leg %s, other leg %s", filled.Status, canceled.Status)
			}
			wantDec(t, "exit fill", *filled.FilledAvgPrice, c.exitPrice)
			if _, err := f.tc.GetPosition("MSFT"); err == nil {
				t.Error("position still open after the bracket exit")
			}
			acct := f.account(t)
			wantDec(t, "cash", acct.Cash, c.wantCash)
			parent := f.order(t, o.ID)
			if len(parent.Legs) != 2 {
				t.Errorf("GET order lost its legs: %+v", parent.Legs)
			}
		})
	}
}

func TestBracketLimitEntryHoldsLegs(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AMD", "100")
	o, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{
		Symbol: "AMD", Qty: decp("3"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: decp("95"), TimeInForce: alpaca.GTC,
		OrderClass: alpaca.Bracket,
		TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("99")},
		StopLoss:   &alpaca.StopLoss{StopPrice: decp("90"), LimitPrice: decp("89")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tp, sl := legsByType(t, o)
	if o.Status != "new" || tp.Status != "held" || sl.Status != "held" || sl.Type != alpaca.StopLimit {
		t.Fatalf("resting bracket: entry %s, tp %s, sl %s/%s", o.Status, tp.Status, sl.Status, sl.Type)
	}
	if err := f.tc.CancelOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	if tp, sl := f.order(t, tp.ID), f.order(t, sl.ID); tp.Status != "canceled" || sl.Status != "canceled" {
		t.Errorf("canceling the entry left legs %s/%s", tp.Status, sl.Status)
	}
	apiErr(t, f.tc.CancelOrder(o.ID), http.StatusUnprocessableEntity, 42210000)
}

func TestLimitStopAndStopLimit(t *testing.T) {
	f := newFixture(t, exchange.Config{SlippageBps: dec("0")})
	f.setPrice(t, "NVDA", "100")
	place := func(side alpaca.Side, typ alpaca.OrderType, limit, stop string) *alpaca.Order {
		t.Helper()
		req := alpaca.PlaceOrderRequest{Symbol: "NVDA", Qty: decp("1"), Side: side, Type: typ, TimeInForce: alpaca.GTC}
		if limit != "" {
			req.LimitPrice = decp(limit)
		}
		if stop != "" {
			req.StopPrice = decp(stop)
		}
		o, err := f.tc.PlaceOrder(req)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "new" {
			t.Fatalf("%s %s should rest at 100, got %s", side, typ, o.Status)
		}
		return o
	}
	limitBuy := place(alpaca.Buy, alpaca.Limit, "95", "")
	stopBuy := place(alpaca.Buy, alpaca.Stop, "", "105")
	stopLimitSell := place(alpaca.Sell, alpaca.StopLimit, "89", "90")

	f.setPrice(t, "NVDA", "94")
	if o := f.order(t, limitBuy.ID); o.Status != "filled" || !o.FilledAvgPrice.Equal(dec("94")) {
		t.Errorf("limit buy 95 at 94: %s %v", o.Status, o.FilledAvgPrice)
	}
	if o := f.order(t, stopBuy.ID); o.Status != "new" {
		t.Errorf("stop buy 105 at 94: %s", o.Status)
	}
	f.setPrice(t, "NVDA", "106")
	if o := f.order(t, stopBuy.ID); o.Status != "filled" || !o.FilledAvgPrice.Equal(dec("106")) {
		t.Errorf("stop buy 105 at 106: %s %v", o.Status, o.FilledAvgPrice)
	}
	f.setPrice(t, "NVDA", "88") // stop triggered but below the limit
	if o := f.order(t, stopLimitSell.ID); o.Status != "new" {
		t.Errorf("stop-limit sell 90/89 at 88: %s", o.Status)
	}
	f.setPrice(t, "NVDA", "89.5")
	if o := f.order(t, stopLimitSell.ID); o.Status != "filled" || !o.FilledAvgPrice.Equal(dec("89.5")) {
		t.Errorf("triggered stop-limit sell at 89.5: %s %v", o.Status, o.FilledAvgPrice)
	}
}

func TestOCOAndOTO(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "META", "100")
	if _, err := f.tc.PlaceOrder(buy("META", "10")); err != nil {
		t.Fatal(err)
	}
	oco, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{
		Symbol: "META", Qty: decp("10"), Side: alpaca.Sell, Type: alpaca.Limit, TimeInForce: alpaca.GTC,
		OrderClass: alpaca.OCO,
		TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("110")},
		StopLoss:   &alpaca.StopLoss{StopPrice: decp("95")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if oco.Status != "new" || len(oco.Legs) != 1 || oco.Legs[0].Status != "new" {
		t.Fatalf("oco = %s with legs %+v", oco.Status, oco.Legs)
	}
	f.setPrice(t, "META", "94")
	if p, l := f.order(t, oco.ID), f.order(t, oco.Legs[0].ID); p.Status != "canceled" || l.Status != "filled" {
		t.Fatalf("after the stop: limit %s, stop %s", p.Status, l.Status)
	}

	oto, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{
		Symbol: "META", Qty: decp("2"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC,
		OrderClass: alpaca.OTO, StopLoss: &alpaca.StopLoss{StopPrice: decp("90")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if oto.Status != "filled" || len(oto.Legs) != 1 || oto.Legs[0].Status != "new" || oto.Legs[0].Side != alpaca.Sell {
		t.Fatalf("oto = %+v", oto)
	}
}

func TestDuplicateClientOrderID(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	req := alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: decp("50"), TimeInForce: alpaca.Day, ClientOrderID: "sess-1-0001"}
	first, err := f.tc.PlaceOrder(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.tc.PlaceOrder(req)
	if ae := apiErr(t, err, http.StatusUnprocessableEntity, 40010001); ae.Message != "client_order_id must be unique" {
		t.Errorf("message = %q", ae.Message)
	}
	if err := f.tc.CancelOrder(first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.tc.PlaceOrder(req)
	apiErr(t, err, http.StatusUnprocessableEntity, 40010001)

	got, err := f.tc.GetOrderByClientOrderID("sess-1-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != first.ID || got.Status != "canceled" {
		t.Errorf("by client id = %s/%s, want %s/canceled", got.ID, got.Status, first.ID)
	}
	_, err = f.tc.GetOrderByClientOrderID("nope")
	apiErr(t, err, http.StatusNotFound, 40410000)
}

func TestInvalidOrders(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	bracket := func(mod func(*alpaca.PlaceOrderRequest)) alpaca.PlaceOrderRequest {
		r := alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market,
			TimeInForce: alpaca.GTC, OrderClass: alpaca.Bracket,
			TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("104")}, StopLoss: &alpaca.StopLoss{StopPrice: decp("98")}}
		mod(&r)
		return r
	}
	cases := map[string]alpaca.PlaceOrderRequest{
		"bracket without stop":       bracket(func(r *alpaca.PlaceOrderRequest) { r.StopLoss = nil }),
		"bracket without take":       bracket(func(r *alpaca.PlaceOrderRequest) { r.TakeProfit = nil }),
		"fractional bracket":         bracket(func(r *alpaca.PlaceOrderRequest) { r.Qty = decp("1.5") }),
		"take profit below entry":    bracket(func(r *alpaca.PlaceOrderRequest) { r.TakeProfit.LimitPrice = decp("99") }),
		"stop above entry":           bracket(func(r *alpaca.PlaceOrderRequest) { r.StopLoss.StopPrice = decp("101") }),
		"zero qty":                   bracket(func(r *alpaca.PlaceOrderRequest) { r.Qty = decp("0"); r.OrderClass = "" }),
		"negative qty":               bracket(func(r *alpaca.PlaceOrderRequest) { r.Qty = decp("-3"); r.OrderClass = "" }),
		"lower-case symbol":          bracket(func(r *alpaca.PlaceOrderRequest) { r.Symbol = "aapl" }),
		"symbol with digits":         bracket(func(r *alpaca.PlaceOrderRequest) { r.Symbol = "A1" }),
		"limit without limit price":  bracket(func(r *alpaca.PlaceOrderRequest) { r.Type = alpaca.Limit }),
		"missing time in force":      bracket(func(r *alpaca.PlaceOrderRequest) { r.TimeInForce = "" }),
		"unknown side":               bracket(func(r *alpaca.PlaceOrderRequest) { r.Side = "hold" }),
		"client order id too long":   bracket(func(r *alpaca.PlaceOrderRequest) { r.ClientOrderID = fmt.Sprintf("%0129d", 1) }),
		"oco of market type":         bracket(func(r *alpaca.PlaceOrderRequest) { r.OrderClass = alpaca.OCO; r.Side = alpaca.Sell }),
		"oto with both legs":         bracket(func(r *alpaca.PlaceOrderRequest) { r.OrderClass = alpaca.OTO }),
		"stop order without stop":    bracket(func(r *alpaca.PlaceOrderRequest) { r.Type = alpaca.Stop; r.OrderClass = "" }),
		"trailing stops unsupported": bracket(func(r *alpaca.PlaceOrderRequest) { r.OrderClass = ""; r.TrailPercent = decp("1") }),
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f.tc.PlaceOrder(req)
			apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
		})
	}
	if orders, err := f.tc.GetOrders(alpaca.GetOrdersRequest{Status: "all"}); err != nil || len(orders) != 0 {
		t.Errorf("rejected orders were recorded: %d, %v", len(orders), err)
	}
	_, err := f.tc.GetOrder("00000000-0000-0000-0000-000000000000")
	apiErr(t, err, http.StatusNotFound, 40410000)
	apiErr(t, f.tc.CancelOrder("missing"), http.StatusNotFound, 40410000)
}

func TestListOrdersFilters(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	f.setPrice(t, "MSFT", "300")
	var ids []string
	for i, sym := range []string{"AAPL", "MSFT", "AAPL", "MSFT"} {
		f.clk.Advance(time.Minute)
		req := alpaca.PlaceOrderRequest{Symbol: sym, Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Limit,
			LimitPrice: decp("10"), TimeInForce: alpaca.GTC, ClientOrderID: fmt.Sprintf("c%d", i)}
		if i == 3 {
			req.Type, req.LimitPrice = alpaca.Market, nil
		}
		o, err := f.tc.PlaceOrder(req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	f.clk.Advance(time.Minute)
	bracket, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy,
		Type: alpaca.Market, TimeInForce: alpaca.GTC, OrderClass: alpaca.Bracket,
		TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("110")}, StopLoss: &alpaca.StopLoss{StopPrice: decp("90")}})
	if err != nil {
		t.Fatal(err)
	}

	list := func(req alpaca.GetOrdersRequest) []string {
		t.Helper()
		orders, err := f.tc.GetOrders(req)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(orders))
		for i, o := range orders {
			out[i] = o.ID
			if req.Nested && o.ID == bracket.ID && len(o.Legs) != 2 {
				t.Errorf("nested bracket has %d legs", len(o.Legs))
			}
		}
		return out
	}
	same := func(name string, got, want []string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	same("open nested", list(alpaca.GetOrdersRequest{Status: "open", Nested: true}), []string{ids[2], ids[1], ids[0]})
	same("closed nested", list(alpaca.GetOrdersRequest{Status: "closed", Nested: true}), []string{bracket.ID, ids[3]})
	same("all asc limit 2", list(alpaca.GetOrdersRequest{Status: "all", Direction: "asc", Limit: 2, Nested: true}), ids[:2])
	same("symbols", list(alpaca.GetOrdersRequest{Status: "all", Symbols: []string{"MSFT"}, Nested: true}), []string{ids[3], ids[1]})
	same("after/until", list(alpaca.GetOrdersRequest{Status: "all", Nested: true,
		After: t0.Add(90 * time.Second), Until: t0.Add(210 * time.Second)}), []string{ids[2], ids[1]})
	if got := list(alpaca.GetOrdersRequest{Status: "all"}); len(got) != 7 {
		t.Errorf("flat listing has %d orders, want 7 (legs listed on their own)", len(got))
	}

	if err := f.tc.CancelAllOrders(); err != nil {
		t.Fatal(err)
	}
	same("open after cancel all", list(alpaca.GetOrdersRequest{Status: "open"}), []string{})
	if o := f.order(t, ids[0]); o.Status != "canceled" {
		t.Errorf("order after cancel all: %s", o.Status)
	}
}

func TestExitOrdersHoldPositionQty(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "SPY", "500")
	o, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: decp("4"), Side: alpaca.Buy, Type: alpaca.Market,
		TimeInForce: alpaca.GTC, OrderClass: alpaca.Bracket,
		TakeProfit: &alpaca.TakeProfit{LimitPrice: decp("520")}, StopLoss: &alpaca.StopLoss{StopPrice: decp("490")}})
	if err != nil {
		t.Fatal(err)
	}
	pos, err := f.tc.GetPosition("SPY")
	if err != nil {
		t.Fatal(err)
	}
	wantDec(t, "qty_available with both legs live", pos.QtyAvailable, "0")
	_, err = f.tc.ClosePosition("SPY", alpaca.ClosePositionRequest{})
	apiErr(t, err, http.StatusForbidden, 40310000)
	_, err = f.tc.CloseAllPositions(alpaca.CloseAllPositionsRequest{})
	apiErr(t, err, http.StatusForbidden, 40310000)

	if err := f.tc.CancelOrder(o.Legs[0].ID); err != nil {
		t.Fatal(err)
	}
	if a, b := f.order(t, o.Legs[0].ID), f.order(t, o.Legs[1].ID); a.Status != "canceled" || b.Status != "canceled" {
		t.Fatalf("canceling one bracket leg: %s/%s, want both canceled", a.Status, b.Status)
	}
	if _, err := f.tc.ClosePosition("SPY", alpaca.ClosePositionRequest{}); err != nil {
		t.Fatalf("close after canceling the legs: %v", err)
	}
}

func TestImmediateOrCancel(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	o, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: decp("90"), TimeInForce: alpaca.IOC})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "canceled" {
		t.Errorf("unmarketable IOC: %s, want canceled", o.Status)
	}
	o, err = f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: decp("101"), TimeInForce: alpaca.FOK})
	if err != nil || o.Status != "filled" {
		t.Errorf("marketable FOK: %+v, %v", o, err)
	}
}
