package exchange_test

import (
	"math"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
)

const genSeed = 42

// roomyMinute finds, in the hour after t0, a generated minute whose low and
// high both lie at least two cents beyond its open, so orders a cent on
// either side of the open are crossed by the extremes and not by the open.
func roomyMinute(t *testing.T, sym string) marketdata.Bar {
	t.Helper()
	bs := lookAhead(t, genSeed, sym, t0.Add(time.Minute), t0.Add(time.Hour))
	for _, b := range bs {
		if b.Low <= b.Open-0.02 && b.High >= b.Open+0.02 {
			return b
		}
	}
	t.Fatalf("no minute of %s with room on both sides in the hour after %v", sym, t0)
	return marketdata.Bar{}
}

func TestIntrabarPathGeneratedPrices(t *testing.T) {
	b := roomyMinute(t, "MSFT")
	p := pathOf(b, b.Timestamp, b.Timestamp.Add(time.Minute))
	below, above := cents(b.Open-0.01), cents(b.Open+0.01)
	before := b.Timestamp.Add(-time.Second) // the price is still the last minute's close, which is this open
	later := b.Timestamp.Add(10 * time.Minute)
	first, firstAt := "low", p.low // the extreme the path meets first
	if p.high.Before(p.low) {
		first, firstAt = "high", p.high
	}
	cases := []struct {
		name string
		at   time.Time
		run  func(t *testing.T, f *fixture)
	}{
		{"stop on the low", before, func(t *testing.T, f *fixture) {
			o := f.place(t, stopOrder("MSFT", alpaca.Sell, "1", below))
			f.goTo(t, later)
			f.wantFill(t, "sell stop", o.ID, below, p.low)
		}},
		{"limits on the low and the high", before, func(t *testing.T, f *fixture) {
			buy := f.place(t, limitOrder("MSFT", alpaca.Buy, "1", below, alpaca.GTC))
			sell := f.place(t, limitOrder("MSFT", alpaca.Sell, "1", above, alpaca.GTC))
			f.goTo(t, later)
			f.wantFill(t, "buy limit", buy.ID, below, p.low)
			f.wantFill(t, "sell limit", sell.ID, above, p.high)
		}},
		{"bracket: the nearer extreme decides", b.Timestamp, func(t *testing.T, f *fixture) {
			o := f.place(t, bracketBuy("MSFT", "10", above, below))
			if o.Status != "filled" || o.FilledAvgPrice.InexactFloat64() != b.Open {
				t.Fatalf("entry at the open %v: %s %v", b.Open, o.Status, o.FilledAvgPrice)
			}
			tp, sl := legsByType(t, o)
			f.goTo(t, later)
			win, lose, price := sl, tp, below
			if first == "high" {
				win, lose, price = tp, sl, above
			}
			f.wantFill(t, "leg on the "+first, win.ID, price, firstAt)
			f.wantStatus(t, "other leg", lose.ID, "canceled", firstAt)
		}},
		{"oco: the nearer extreme decides", before, func(t *testing.T, f *fixture) {
			f.place(t, buy("MSFT", "10"))
			o := f.place(t, ocoSell("MSFT", "10", above, below))
			f.goTo(t, later)
			win, lose, price := o.Legs[0].ID, o.ID, below
			if first == "high" {
				win, lose, price = o.ID, o.Legs[0].ID, above
			}
			f.wantFill(t, "oco half on the "+first, win, price, firstAt)
			f.wantStatus(t, "other half", lose, "canceled", firstAt)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, exchange.Config{Seed: genSeed})
			f.goTo(t, c.at)
			c.run(t, f)
		})
	}
}

// TestGapGeneratedPrices: generated prices move through the night, so
// under market hours the open is a gap from the last regular close. Orders
// placed after the close between those two prices fill at the open.
func TestGapGeneratedPrices(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for day := 12; day <= 20; day++ { // a weekday whose gap is at least two cents
		closeAt := time.Date(2025, 3, day, 16, 0, 0, 0, ny).UTC()
		next := time.Date(2025, 3, day+1, 9, 30, 0, 0, ny).UTC()
		if wd := closeAt.In(ny).Weekday(); wd == time.Friday || wd == time.Saturday || wd == time.Sunday {
			continue
		}
		last := lookAhead(t, genSeed, "NVDA", closeAt.Add(-time.Minute), closeAt)[0].Close
		open := lookAhead(t, genSeed, "NVDA", next, next.Add(time.Minute))[0].Open
		if math.Abs(open-last) < 0.02 {
			continue
		}
		mid := cents((open + last) / 2)
		down := open < last
		stop := stopOrder("NVDA", alpaca.Sell, "1", mid)
		limit := limitOrder("NVDA", alpaca.Buy, "1", mid, alpaca.GTC)
		if !down {
			stop.Side, limit.Side = alpaca.Buy, alpaca.Sell
		}
		f := newFixture(t, exchange.Config{Seed: genSeed, MarketHours: true})
		f.goTo(t, closeAt.Add(30*time.Minute))
		so, lo := f.place(t, stop), f.place(t, limit)
		if so.Status != "accepted" || lo.Status != "accepted" {
			t.Fatalf("orders after the close: %s, %s; want accepted", so.Status, lo.Status)
		}
		f.goTo(t, next.Add(2*time.Hour))
		f.wantFill(t, "stop the open gapped through", so.ID, fmtPrice(open), next)
		f.wantFill(t, "limit the open is better than", lo.ID, fmtPrice(open), next)
		return
	}
	t.Fatal("no overnight gap of two cents in the days tried")
}

// TestPriceBetweenBarsGeneratedPrices: from the last quarter of a minute
// until the next minute opens, the price is the minute's close, and a
// market order fills there.
func TestPriceBetweenBarsGeneratedPrices(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: genSeed})
	at := t0.Add(50 * time.Second)
	f.goTo(t, at)
	px := f.price(t, "AAPL")
	o := f.place(t, buy("AAPL", "1"))
	f.goTo(t, t0.Add(time.Minute))
	bs, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: t0, End: t0})
	if err != nil || len(bs) != 1 {
		t.Fatalf("the minute of t0: %v, %v", bs, err)
	}
	if px != bs[0].Close {
		t.Errorf("price at t0+50s %v, want the minute's close %v", px, bs[0].Close)
	}
	f.wantFill(t, "market buy at t0+50s", o.ID, fmtPrice(bs[0].Close), at)
}
