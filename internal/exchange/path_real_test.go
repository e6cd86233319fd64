package exchange_test

import (
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
)

// The AAPL bar of 2024-11-27 14:00 UTC (09:00 New York; it traded from the
// 09:30 open, 14:30 UTC, to 15:00): open 234.66, high 235.585, low 233.84,
// close 234.33. Its open crosses none of the orders below; its low and high
// do. The low is nearer the open, so the path is 234.66 at 14:30:00,
// 233.84 at 14:37:30, 235.585 at 14:45:00, 234.33 at 14:52:30.
var (
	realBarOpen = time.Date(2024, 11, 27, 14, 30, 0, 0, time.UTC)
	realBarLow  = realBarOpen.Add(7*time.Minute + 30*time.Second)
	realBarHigh = realBarOpen.Add(15 * time.Minute)
	// Hours later, in one jump of the clock.
	realLater = time.Date(2024, 11, 27, 20, 0, 0, 0, time.UTC)
)

func TestIntrabarPathRealBars(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"stop on the low", func(t *testing.T, f *fixture) {
			o := f.place(t, stopOrder("AAPL", alpaca.Sell, "1", "234.09"))
			f.goTo(t, realLater)
			f.wantFill(t, "sell stop 234.09", o.ID, "234.09", realBarLow)
		}},
		{"limits on the low and the high", func(t *testing.T, f *fixture) {
			buy := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "234", alpaca.GTC))
			sell := f.place(t, limitOrder("AAPL", alpaca.Sell, "1", "235.25", alpaca.GTC))
			f.goTo(t, realLater)
			f.wantFill(t, "buy limit 234", buy.ID, "234", realBarLow)
			f.wantFill(t, "sell limit 235.25", sell.ID, "235.25", realBarHigh)
		}},
		{"bracket: the stop comes first", func(t *testing.T, f *fixture) {
			o := f.place(t, bracketBuy("AAPL", "10", "235.25", "234.09"))
			if o.Status != "filled" || !o.FilledAvgPrice.Equal(dec("234.66")) {
				t.Fatalf("entry at the open: %s %v", o.Status, o.FilledAvgPrice)
			}
			tp, sl := legsByType(t, o)
			f.goTo(t, realLater)
			f.wantFill(t, "stop-loss leg", sl.ID, "234.09", realBarLow)
			f.wantStatus(t, "take-profit leg", tp.ID, "canceled", realBarLow)
		}},
		{"oco: the stop comes first", func(t *testing.T, f *fixture) {
			f.place(t, buy("AAPL", "10"))
			o := f.place(t, ocoSell("AAPL", "10", "235.25", "234.09"))
			f.goTo(t, realLater)
			f.wantFill(t, "oco stop", o.Legs[0].ID, "234.09", realBarLow)
			f.wantStatus(t, "oco limit", o.ID, "canceled", realBarLow)
			if _, err := f.tc.GetPosition("AAPL"); err == nil {
				t.Error("position still open after the oco's stop")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, realConfig(t))
			f.goTo(t, realBarOpen)
			c.run(t, f)
		})
	}
}

// TestGapRealBars: AAPL closed 2025-04-02 at 216.93 (an after-hours bar)
// and opened 2025-04-03 at 205.575 (13:30 UTC). A sell stop and a buy
// limit at 210, placed overnight, both fill at the open: the stop because
// the open gapped through it, the limit because the open is better.
func TestGapRealBars(t *testing.T) {
	f := newFixture(t, realConfig(t))
	f.goTo(t, time.Date(2025, 4, 2, 21, 30, 0, 0, time.UTC))
	if px := f.price(t, "AAPL"); px != 216.93 {
		t.Fatalf("overnight price %v, want the last close 216.93", px)
	}
	stop := f.place(t, stopOrder("AAPL", alpaca.Sell, "1", "210"))
	limit := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "210", alpaca.GTC))
	if stop.Status != "accepted" || limit.Status != "accepted" {
		t.Fatalf("orders while closed: %s, %s; want accepted", stop.Status, limit.Status)
	}
	open := time.Date(2025, 4, 3, 13, 30, 0, 0, time.UTC)
	f.goTo(t, open.Add(3*time.Hour))
	f.wantFill(t, "sell stop 210", stop.ID, "205.575", open)
	f.wantFill(t, "buy limit 210", limit.ID, "205.575", open)
}

// TestPriceBetweenBarsRealBars: MSFT's bar of 2024-12-18 20:00 UTC (the
// last regular hour) opened at 446.00 and closed at 437.16, with no bar
// after it until the next morning.
func TestPriceBetweenBarsRealBars(t *testing.T) {
	at2040 := time.Date(2024, 12, 18, 20, 40, 0, 0, time.UTC)
	at2104 := time.Date(2024, 12, 18, 21, 4, 0, 0, time.UTC)
	t.Run("always open", func(t *testing.T) {
		cfg := realConfig(t)
		cfg.MarketHours = false
		f := newFixture(t, cfg)
		f.goTo(t, at2040)
		if px := f.price(t, "MSFT"); px != 437.1 {
			t.Errorf("at 20:40 the price is %v, want the bar's low 437.10 (20:30)", px)
		}
		f.goTo(t, at2104)
		if px := f.price(t, "MSFT"); px != 437.16 {
			t.Errorf("at 21:04 the price is %v, want the last close 437.16", px)
		}
		o := f.place(t, buy("MSFT", "1"))
		f.wantFill(t, "market buy at 21:04", o.ID, "437.16", at2104)
	})
	t.Run("market hours", func(t *testing.T) {
		f := newFixture(t, realConfig(t))
		f.goTo(t, at2104)
		if px := f.price(t, "MSFT"); px != 437.16 {
			t.Errorf("at 21:04 the price is %v, want the last close 437.16", px)
		}
		o := f.place(t, buy("MSFT", "1"))
		if o.Status != "accepted" {
			t.Fatalf("market order after the close: %s, want accepted", o.Status)
		}
		open := time.Date(2024, 12, 19, 14, 30, 0, 0, time.UTC)
		f.goTo(t, open.Add(time.Hour))
		bs, err := f.md.GetBars("MSFT", marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour,
			Start: time.Date(2024, 12, 19, 14, 0, 0, 0, time.UTC), End: time.Date(2024, 12, 19, 14, 0, 0, 0, time.UTC)})
		if err != nil || len(bs) != 1 {
			t.Fatalf("the 14:00 bar of 2024-12-19: %v, %v", bs, err)
		}
		f.wantFill(t, "market buy placed after the close", o.ID, fmtPrice(bs[0].Open), open)
	})
}
