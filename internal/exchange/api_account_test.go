package exchange_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestAssetsList(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.place(t, limitOrder("ZZZZ", alpaca.Buy, "1", "1", alpaca.GTC))
	list, err := f.tc.GetAssets(alpaca.GetAssetsRequest{Status: "active", AssetClass: "us_equity"})
	if err != nil {
		t.Fatal(err)
	}
	syms := map[string]string{}
	for _, a := range list {
		syms[a.Symbol] = a.ID
	}
	for _, s := range []string{"AAPL", "MSFT", "SPY", "ZZZZ"} {
		if syms[s] == "" {
			t.Errorf("GET /v2/assets lacks %s: %v", s, syms)
		}
	}
	for _, req := range []alpaca.GetAssetsRequest{{Status: "inactive"}, {AssetClass: "crypto"}, {Exchange: "NYSE"}} {
		if l, err := f.tc.GetAssets(req); err != nil || len(l) != 0 {
			t.Errorf("GetAssets(%+v) = %d assets, %v; want none", req, len(l), err)
		}
	}
	a, err := f.tc.GetAsset(syms["ZZZZ"])
	if err != nil || a.Symbol != "ZZZZ" {
		t.Errorf("asset by id = %+v, %v", a, err)
	}
	_, err = f.tc.GetAsset("00000000-0000-4000-8000-000000000000")
	apiErr(t, err, http.StatusNotFound, 40410000)

	real := newFixture(t, realConfig(t))
	list, err = real.tc.GetAssets(alpaca.GetAssetsRequest{})
	if err != nil || len(list) != 10 {
		t.Fatalf("bars file: %d assets, %v; want its 10 symbols", len(list), err)
	}
}

func TestPositionByAssetIDAndChangeToday(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		f.place(t, buy("AAPL", "4"))
		a, err := f.tc.GetAsset("AAPL")
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.tc.GetPosition(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The last trading day's close: the close of its last base bar.
		prevClose := time.Date(2025, 3, 11, 20, 0, 0, 0, time.UTC)
		last := decf(f.barAt(t, "AAPL", src.res, prevClose.Add(-time.Second)).Close)
		cur := decf(f.price(t, "AAPL"))
		change := cur.Sub(last).Div(last).Round(6)
		if p.Symbol != "AAPL" || p.LastdayPrice == nil || !p.LastdayPrice.Equal(last) || p.ChangeToday == nil || !p.ChangeToday.Equal(change) {
			t.Errorf("position: lastday %v change %v; want %s and %s", p.LastdayPrice, p.ChangeToday, last, change)
		}
		o, err := f.tc.ClosePosition(a.ID, alpaca.ClosePositionRequest{Qty: decimal.NewFromInt(1)})
		if err != nil || o.Symbol != "AAPL" || !o.Qty.Equal(dec("1")) {
			t.Errorf("close by asset id = %+v, %v", o, err)
		}
	})
}

func TestAccountConfigurations(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "100")
	var c map[string]any
	getJSON(t, f.url+"/v2/account/configurations", &c)
	if c["fractional_trading"] != true || c["max_margin_multiplier"] != "2" || c["no_shorting"] != false || c["trade_confirm_email"] != "all" {
		t.Errorf("default configurations = %v", c)
	}
	got, err := f.tc.UpdateAccountConfigurations(alpaca.UpdateAccountConfigurationsRequest{NoShorting: true, FractionalTrading: true})
	if err != nil || !got.NoShorting {
		t.Fatalf("update = %+v, %v", got, err)
	}
	_, err = f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Sell, Type: alpaca.Market, TimeInForce: alpaca.Day})
	apiErr(t, err, http.StatusForbidden, 40310000)
	if a := f.account(t); a.ShortingEnabled {
		t.Error("shorting_enabled with no_shorting")
	}
	f.place(t, buy("AAPL", "2"))
	f.place(t, alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("2"), Side: alpaca.Sell, Type: alpaca.Market, TimeInForce: alpaca.Day}) // closing is no short

	if _, err = f.tc.UpdateAccountConfigurations(alpaca.UpdateAccountConfigurationsRequest{}); err != nil { // fractional_trading false
		t.Fatal(err)
	}
	_, err = f.tc.PlaceOrder(buy("AAPL", "0.5"))
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)

	if st, body := call(t, http.MethodPatch, f.url+"/v2/account/configurations", map[string]any{"max_margin_multiplier": "1", "suspend_trade": true}); st != http.StatusOK {
		t.Fatalf("patch: %d %s", st, body)
	}
	a := f.account(t)
	if !a.BuyingPower.Equal(a.Equity) || !a.TradeSuspendedByUser {
		t.Errorf("margin 1: buying power %s, equity %s, suspended %v", a.BuyingPower, a.Equity, a.TradeSuspendedByUser)
	}
	_, err = f.tc.PlaceOrder(buy("AAPL", "1"))
	apiErr(t, err, http.StatusForbidden, 40310000)
	st, body := call(t, http.MethodPatch, f.url+"/v2/account/configurations", map[string]any{"max_margin_multiplier": "3"})
	wantCode(t, "margin 3", st, body, http.StatusUnprocessableEntity, 42210000)
}

func TestActivities(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		var fills []*alpaca.Order
		for i := 0; i < 3; i++ {
			fills = append(fills, f.place(t, buy("AAPL", fmt.Sprint(i+1))))
			f.clk.Advance(time.Minute)
		}
		acts, err := f.tc.GetAccountActivities(alpaca.GetAccountActivitiesRequest{ActivityTypes: []string{"FILL"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(acts) != 3 {
			t.Fatalf("%d FILL activities, want 3", len(acts))
		}
		for i, a := range acts { // newest first
			o := fills[2-i]
			if a.OrderID != o.ID || !a.Qty.Equal(*o.Qty) || !a.Price.Equal(*o.FilledAvgPrice) || !a.TransactionTime.Equal(*o.FilledAt) ||
				a.Type != "fill" || a.Side != "buy" || a.Symbol != "AAPL" || !a.LeavesQty.IsZero() || !a.CumQty.Equal(*o.Qty) {
				t.Errorf("activity %d = %+v, want the fill of %s", i, a, o.ID)
			}
		}
		csd, err := f.tc.GetAccountActivities(alpaca.GetAccountActivitiesRequest{ActivityTypes: []string{"CSD"}})
		if err != nil || len(csd) != 1 || !csd[0].NetAmount.Equal(dec("100000")) || csd[0].Date.String() != "2025-03-12" {
			t.Fatalf("CSD = %+v, %v", csd, err)
		}
		// Pages of two, oldest first, by page_token.
		var ids []string
		token := ""
		for {
			var page []struct {
				ID string `json:"id"`
			}
			getJSON(t, f.url+"/v2/account/activities?direction=asc&page_size=2&page_token="+token, &page)
			for _, p := range page {
				ids = append(ids, p.ID)
			}
			if len(page) < 2 {
				break
			}
			token = page[len(page)-1].ID
		}
		if len(ids) != 4 || ids[0] != csd[0].ID || ids[3] != acts[0].ID {
			t.Errorf("paged activities = %v", ids)
		}
		var byType, byDate []any
		getJSON(t, f.url+"/v2/account/activities/FILL?page_size=1", &byType)
		getJSON(t, f.url+"/v2/account/activities?date=2025-03-11", &byDate)
		if len(byType) != 1 || len(byDate) != 0 {
			t.Errorf("by type %d (want 1), on 11 March %d (want 0)", len(byType), len(byDate))
		}
	})
}

func TestPortfolioHistory(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		o := f.place(t, buy("AAPL", "10"))
		f.goTo(t, closeAt.Add(5*time.Minute))
		h, err := f.tc.GetPortfolioHistory(alpaca.GetPortfolioHistoryRequest{Period: "1W", TimeFrame: alpaca.Day1})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Timestamp) != 5 || len(h.Equity) != 5 || !h.BaseValue.Equal(dec("100000")) {
			t.Fatalf("1W of 1D: %d points, base %s; want 5 trading days from 100000", len(h.Timestamp), h.BaseValue)
		}
		if got := time.Unix(h.Timestamp[4], 0).UTC(); !got.Equal(time.Date(2025, 3, 12, 4, 0, 0, 0, time.UTC)) {
			t.Errorf("the last day is stamped %v, want New York midnight", got)
		}
		// The last day is valued at the close: cash plus the shares at the
		// close's price.
		close := decf(f.barAt(t, "AAPL", src.res, closeAt.Add(-time.Second)).Close)
		want := dec("100000").Sub(o.FilledAvgPrice.Mul(dec("10"))).Add(close.Mul(dec("10"))).Round(2)
		if !h.Equity[4].Equal(want) || !h.ProfitLoss[4].Equal(want.Sub(dec("100000"))) || !h.Equity[3].Equal(dec("100000")) {
			t.Errorf("equity %v, want ... 100000, %s", h.Equity, want)
		}
		var intra struct {
			Timestamp []int64   `json:"timestamp"`
			Equity    []float64 `json:"equity"`
		}
		getJSON(t, f.url+"/v2/account/portfolio/history?period=1D&timeframe=15Min", &intra)
		if len(intra.Timestamp) != 26 || time.Unix(intra.Timestamp[0], 0).UTC() != openAt {
			t.Errorf("1D of 15Min: %d points from %v; want 26 from the open", len(intra.Timestamp), time.Unix(intra.Timestamp[0], 0).UTC())
		}
		st, body := call(t, http.MethodGet, f.url+"/v2/account/portfolio/history?period=1A&timeframe=1Min&intraday_reporting=continuous", nil)
		wantCode(t, "too many points", st, body, http.StatusUnprocessableEntity, 42210000)
	})
}

func TestWatchlists(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	wl, err := f.tc.CreateWatchlist(alpaca.CreateWatchlistRequest{Name: "tech", Symbols: []string{"AAPL", "MSFT", "AAPL"}})
	if err != nil || len(wl.Assets) != 2 || wl.Name != "tech" || wl.AccountID == "" {
		t.Fatalf("create = %+v, %v", wl, err)
	}
	_, err = f.tc.CreateWatchlist(alpaca.CreateWatchlistRequest{Name: "tech"})
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	_, err = f.tc.CreateWatchlist(alpaca.CreateWatchlistRequest{Name: "bad", Symbols: []string{"aapl"}})
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	if wl, err = f.tc.AddSymbolToWatchlist(wl.ID, alpaca.AddSymbolToWatchlistRequest{Symbol: "NVDA"}); err != nil || len(wl.Assets) != 3 {
		t.Fatalf("add = %+v, %v", wl, err)
	}
	_, err = f.tc.AddSymbolToWatchlist(wl.ID, alpaca.AddSymbolToWatchlistRequest{Symbol: "NVDA"})
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
	if err := f.tc.RemoveSymbolFromWatchlist(wl.ID, alpaca.RemoveSymbolFromWatchlistRequest{Symbol: "AAPL"}); err != nil {
		t.Fatal(err)
	}
	if wl, err = f.tc.UpdateWatchlist(wl.ID, alpaca.UpdateWatchlistRequest{Name: "chips", Symbols: []string{"NVDA", "AMD"}}); err != nil || wl.Name != "chips" || len(wl.Assets) != 2 {
		t.Fatalf("update = %+v, %v", wl, err)
	}
	var byName struct {
		ID     string `json:"id"`
		Assets []struct {
			Symbol string `json:"symbol"`
		} `json:"assets"`
	}
	getJSON(t, f.url+"/v2/watchlists:by_name?name=chips", &byName)
	if byName.ID != wl.ID || len(byName.Assets) != 2 || byName.Assets[1].Symbol != "AMD" {
		t.Errorf("by name = %+v", byName)
	}
	if st, body := call(t, http.MethodPost, f.url+"/v2/watchlists:by_name?name=chips", map[string]string{"symbol": "TSLA"}); st != http.StatusOK {
		t.Errorf("add by name: %d %s", st, body)
	}
	list, err := f.tc.GetWatchlists()
	if err != nil || len(list) != 1 || list[0].Assets != nil {
		t.Errorf("list = %+v, %v; want one watchlist without assets", list, err)
	}
	if st, _ := call(t, http.MethodDelete, f.url+"/v2/watchlists:by_name?name=chips", nil); st != http.StatusNoContent {
		t.Errorf("delete by name: %d", st)
	}
	_, err = f.tc.GetWatchlist(wl.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
	err = f.tc.DeleteWatchlist(wl.ID)
	apiErr(t, err, http.StatusNotFound, 40410000)
}
