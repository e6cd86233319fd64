package exchange_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestAccountClockAndAssets(t *testing.T) {
	f := newFixture(t, exchange.Config{InitialCash: dec("50000")})
	acct := f.account(t)
	wantDec(t, "cash", acct.Cash, "50000")
	wantDec(t, "equity", acct.Equity, "50000")
	wantDec(t, "portfolio_value", acct.PortfolioValue, "50000")
	if !acct.BuyingPower.IsPositive() || !acct.ShortingEnabled {
		t.Errorf("account not tradable: %+v", acct)
	}

	clock, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if !clock.Timestamp.Equal(t0) || !clock.IsOpen {
		t.Errorf("clock = %+v, want open at %v", clock, t0)
	}

	for _, sym := range []string{"AAPL", "BRK.B", "A"} {
		a, err := f.tc.GetAsset(sym)
		if err != nil {
			t.Fatalf("GetAsset %s: %v", sym, err)
		}
		if a.Symbol != sym || !a.Tradable || !a.Shortable || a.ID == "" {
			t.Errorf("asset %s = %+v", sym, a)
		}
	}
	for _, sym := range []string{"aapl", "AAPL1", "TOOLONG", "BRK.BBB"} {
		_, err := f.tc.GetAsset(sym)
		apiErr(t, err, http.StatusNotFound, 40410000)
	}
}

func TestSpeedRunsMarketClockFaster(t *testing.T) {
	f := newFixture(t, exchange.Config{Speed: 60})
	f.clk.Advance(10 * time.Second)
	clock, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(10 * time.Minute); !clock.Timestamp.Equal(want) {
		t.Errorf("market time after 10s wall at speed 60 = %v, want %v", clock.Timestamp, want)
	}
}

func TestMarketHours(t *testing.T) {
	saturday := time.Date(2025, 3, 15, 15, 0, 0, 0, time.UTC)
	clk := &fakeClock{now: saturday}
	f := newFixture(t, exchange.Config{MarketHours: true, Now: clk.Now})
	clock, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if clock.IsOpen {
		t.Error("market open on a Saturday")
	}
	// Monday 17 March 2025 09:30 in New York is 13:30 UTC (daylight time).
	if want := time.Date(2025, 3, 17, 13, 30, 0, 0, time.UTC); !clock.NextOpen.Equal(want) {
		t.Errorf("next_open = %v, want %v", clock.NextOpen, want)
	}
	if want := time.Date(2025, 3, 17, 20, 0, 0, 0, time.UTC); !clock.NextClose.Equal(want) {
		t.Errorf("next_close = %v, want %v", clock.NextClose, want)
	}
	o, err := f.tc.PlaceOrder(buy("AAPL", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "accepted" {
		t.Fatalf("market order while closed: status %s, want accepted", o.Status)
	}
	clk.Advance(clock.NextOpen.Sub(saturday) + time.Minute)
	if got := f.order(t, o.ID); got.Status != "filled" {
		t.Errorf("after the open: status %s, want filled", got.Status)
	}
}

func TestMarketOrdersPositionsAndCash(t *testing.T) {
	f := newFixture(t, exchange.Config{SlippageBps: dec("10")})
	f.setPrice(t, "AAPL", "100")

	o, err := f.tc.PlaceOrder(buy("AAPL", "10"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "filled" || o.FilledAt == nil || o.FilledAvgPrice == nil {
		t.Fatalf("market order not filled: %+v", o)
	}
	wantDec(t, "filled_avg_price", *o.FilledAvgPrice, "100.1")
	wantDec(t, "filled_qty", o.FilledQty, "10")

	f.setPrice(t, "AAPL", "110")
	pos, err := f.tc.GetPosition("AAPL")
	if err != nil {
		t.Fatal(err)
	}
	wantDec(t, "qty", pos.Qty, "10")
	wantDec(t, "avg_entry_price", pos.AvgEntryPrice, "100.1")
	wantDec(t, "market_value", *pos.MarketValue, "1100")
	wantDec(t, "unrealized_pl", *pos.UnrealizedPL, "99")
	if pos.Side != "long" {
		t.Errorf("side = %s", pos.Side)
	}
	acct := f.account(t)
	wantDec(t, "cash", acct.Cash, "98999")
	wantDec(t, "equity", acct.Equity, "100099")
	wantDec(t, "long_market_value", acct.LongMarketValue, "1100")

	half, err := f.tc.ClosePosition("AAPL", alpaca.ClosePositionRequest{Percentage: dec("50")})
	if err != nil {
		t.Fatal(err)
	}
	if half.Side != alpaca.Sell || !half.FilledQty.Equal(dec("5")) {
		t.Fatalf("close 50%%: %+v", half)
	}
	wantDec(t, "close fill", *half.FilledAvgPrice, "109.89")
	if _, err := f.tc.ClosePosition("AAPL", alpaca.ClosePositionRequest{Qty: dec("5")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.tc.GetPosition("AAPL")
	apiErr(t, err, http.StatusNotFound, 40410000)
	_, err = f.tc.ClosePosition("AAPL", alpaca.ClosePositionRequest{})
	apiErr(t, err, http.StatusNotFound, 40410000)
	positions, err := f.tc.GetPositions()
	if err != nil || len(positions) != 0 {
		t.Fatalf("positions = %v, %v", positions, err)
	}
}

func TestShortSelling(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "TSLA", "200")
	req := buy("TSLA", "5")
	req.Side = alpaca.Sell
	if _, err := f.tc.PlaceOrder(req); err != nil {
		t.Fatal(err)
	}
	pos, err := f.tc.GetPosition("TSLA")
	if err != nil {
		t.Fatal(err)
	}
	wantDec(t, "qty", pos.Qty, "-5")
	if pos.Side != "short" {
		t.Errorf("side = %s, want short", pos.Side)
	}
	f.setPrice(t, "TSLA", "190")
	acct := f.account(t)
	wantDec(t, "cash", acct.Cash, "101000")
	wantDec(t, "short_market_value", acct.ShortMarketValue, "-950")
	wantDec(t, "equity", acct.Equity, "100050")
	closed, err := f.tc.CloseAllPositions(alpaca.CloseAllPositionsRequest{})
	if err != nil || len(closed) != 1 || closed[0].Side != alpaca.Buy {
		t.Fatalf("close all = %+v, %v", closed, err)
	}
	if ps, _ := f.tc.GetPositions(); len(ps) != 0 {
		t.Errorf("positions left: %+v", ps)
	}
}

func TestInsufficientBuyingPower(t *testing.T) {
	f := newFixture(t, exchange.Config{InitialCash: dec("1000")})
	f.setPrice(t, "AAPL", "100")
	_, err := f.tc.PlaceOrder(buy("AAPL", "30"))
	apiErr(t, err, http.StatusForbidden, 40310000)
	if _, err := f.tc.PlaceOrder(buy("AAPL", "10")); err != nil {
		t.Fatalf("affordable order: %v", err)
	}
}

func TestAuth(t *testing.T) {
	f := newFixture(t, exchange.Config{KeyID: "kid", Secret: "sec"})
	if _, err := f.tc.GetAccount(); err != nil {
		t.Fatalf("right key: %v", err)
	}
	for _, c := range []*alpaca.Client{tradingClient(f.url, "kid", "wrong"), tradingClient(f.url, "other", "sec")} {
		_, err := c.GetAccount()
		apiErr(t, err, http.StatusUnauthorized, 40110000)
	}
	if st, _ := call(t, http.MethodGet, f.url+"/v2/stocks/bars/latest?symbols=AAPL", nil); st != http.StatusUnauthorized {
		t.Errorf("market data without keys: %d, want 401", st)
	}
}
