package exchange_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// calendarMarkets are the two markets every calendar rule is checked on,
// both starting on 2024-11-26 at 14:00 UTC: generated prices, and the real
// bars (whose replay starts there).
func calendarMarkets() map[string]func(t *testing.T) *fixture {
	return map[string]func(t *testing.T) *fixture{
		"generated": func(t *testing.T) *fixture {
			return newFixtureAt(t, exchange.Config{Seed: genSeed, MarketHours: true}, time.Date(2024, 11, 26, 14, 0, 0, 0, time.UTC))
		},
		"bars file": func(t *testing.T) *fixture { return newFixture(t, realConfig(t)) },
	}
}

// TestThanksgivingAndEarlyClose: 2024-11-28 (Thanksgiving) the market is
// closed; 2024-11-29 it opens at 09:30 and closes at 13:00 New York time.
func TestThanksgivingAndEarlyClose(t *testing.T) {
	thanksgiving := time.Date(2024, 11, 28, 15, 0, 0, 0, time.UTC)
	open := time.Date(2024, 11, 29, 14, 30, 0, 0, time.UTC)
	early := time.Date(2024, 11, 29, 18, 0, 0, 0, time.UTC)
	monday := time.Date(2024, 12, 2, 14, 30, 0, 0, time.UTC)
	for name, market := range calendarMarkets() {
		t.Run(name, func(t *testing.T) {
			f := market(t)
			f.goTo(t, thanksgiving)
			f.wantClock(t, false, open, early)
			market := f.place(t, buy("AAPL", "1"))
			day := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.Day))
			gtc := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.GTC))
			for _, o := range []*alpaca.Order{market, day, gtc} {
				if o.Status != "accepted" {
					t.Errorf("%s %s on Thanksgiving: %s, want accepted", o.TimeInForce, o.Type, o.Status)
				}
			}

			f.goTo(t, open.Add(time.Minute))
			f.wantClock(t, true, monday, early)
			f.wantStatus(t, "day order", day.ID, "new", time.Time{})

			f.goTo(t, early.Add(30*time.Minute))
			// The first bar of the day (hourly bars start on the hour).
			bs, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour, Start: open.Add(-30 * time.Minute), End: open})
			if err != nil || len(bs) != 1 {
				t.Fatalf("the bar of the open: %v, %v", bs, err)
			}
			wantOpen := bs[0].Open
			if name == "generated" { // its 14:00 hour began before the open: the open is the 14:30 minute's
				ms, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: open, End: open})
				if err != nil || len(ms) != 1 {
					t.Fatalf("the minute of the open: %v, %v", ms, err)
				}
				wantOpen = ms[0].Open
			}
			f.wantFill(t, "market order queued over the holiday", market.ID, fmtPrice(wantOpen), open)
			f.wantClock(t, false, monday, time.Date(2024, 12, 2, 21, 0, 0, 0, time.UTC))
			f.wantStatus(t, "day order at the early close", day.ID, "expired", early)
			f.wantStatus(t, "gtc order", gtc.ID, "new", time.Time{})
			late := f.place(t, buy("AAPL", "1"))
			if late.Status != "accepted" {
				t.Errorf("market order after the early close: %s, want accepted", late.Status)
			}
		})
	}
}

func (f *fixture) wantClock(t *testing.T, open bool, nextOpen, nextClose time.Time) {
	t.Helper()
	c, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if c.IsOpen != open || !c.NextOpen.Equal(nextOpen) || !c.NextClose.Equal(nextClose) {
		t.Errorf("clock at %v: open %v, next open %v, next close %v; want %v, %v, %v",
			c.Timestamp, c.IsOpen, c.NextOpen.UTC(), c.NextClose.UTC(), open, nextOpen, nextClose)
	}
	if _, off := c.Timestamp.Zone(); off != -5*3600 && off != -4*3600 {
		t.Errorf("clock timestamp %v is not in New York's offset", c.Timestamp)
	}
}

func TestCalendarEndpoint(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	days, err := f.tc.GetCalendar(alpaca.GetCalendarRequest{Start: time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := []alpaca.CalendarDay{{Date: "2024-11-27", Open: "09:30", Close: "16:00"}, {Date: "2024-11-29", Open: "09:30", Close: "13:00"}, {Date: "2024-12-02", Open: "09:30", Close: "16:00"}}
	if len(days) != len(want) {
		t.Fatalf("calendar = %+v, want %+v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, days[i], want[i])
		}
	}
	var raw []map[string]string
	st, body := call(t, http.MethodGet, f.url+"/v2/calendar?start=2024-11-27&end=2024-12-02", nil)
	if st != http.StatusOK || json.Unmarshal(body, &raw) != nil || len(raw) != 3 {
		t.Fatalf("raw calendar: %d %s", st, body)
	}
	wantRaw := []map[string]string{
		{"session_open": "0400", "session_close": "2000", "settlement_date": "2024-11-29"}, // T+1 skips Thanksgiving
		{"session_open": "0400", "session_close": "1700", "settlement_date": "2024-12-02"},
		{"session_open": "0400", "session_close": "2000", "settlement_date": "2024-12-03"},
	}
	for i, w := range wantRaw {
		for k, v := range w {
			if raw[i][k] != v {
				t.Errorf("%s %s = %q, want %q", raw[i]["date"], k, raw[i][k], v)
			}
		}
	}
	// Holidays of 2025 by the NYSE's rules: New Year's Day, Martin Luther
	// King Jr. Day, Washington's Birthday, Good Friday, Memorial Day,
	// Juneteenth, Independence Day, Labor Day, Thanksgiving, Christmas, and
	// the national day of mourning of 9 January.
	year, err := f.tc.GetCalendar(alpaca.GetCalendarRequest{Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(year) != 250 {
		t.Errorf("2025 has %d trading days, want 250", len(year))
	}
	early := map[string]bool{}
	for _, d := range year {
		if d.Close != "16:00" {
			early[d.Date+" "+d.Close] = true
		}
	}
	for _, d := range []string{"2025-07-03 13:00", "2025-11-28 13:00", "2025-12-24 13:00"} {
		if !early[d] || len(early) != 3 {
			t.Errorf("early closes of 2025 = %v, want 3 July, 28 November and 24 December at 13:00", early)
			break
		}
	}
	if st, _ := call(t, http.MethodGet, f.url+"/v2/calendar?start=tomorrow", nil); st != http.StatusBadRequest {
		t.Errorf("bad start: %d, want 400", st)
	}
}

// TestDayOrdersExpire: under market hours a day order not filled by the
// close is expired (status and stream event expired), its bracket legs
// with it; gtc orders stay. Without market hours nothing expires.
func TestDayOrdersExpire(t *testing.T) {
	closes := map[string]time.Time{
		"generated": time.Date(2024, 11, 26, 21, 0, 0, 0, time.UTC),
		"bars file": time.Date(2024, 11, 26, 21, 0, 0, 0, time.UTC),
	}
	for name, market := range calendarMarkets() {
		t.Run(name, func(t *testing.T) {
			f := market(t)
			f.goTo(t, time.Date(2024, 11, 26, 15, 0, 0, 0, time.UTC))
			day := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.Day))
			gtc := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.GTC))
			br := limitOrder("AAPL", alpaca.Buy, "1", "2", alpaca.Day)
			br.OrderClass, br.TakeProfit, br.StopLoss = alpaca.Bracket, &alpaca.TakeProfit{LimitPrice: decp("1000")}, &alpaca.StopLoss{StopPrice: decp("1")}
			bracket := f.place(t, br)
			f.goTo(t, closes[name].Add(-time.Second))
			f.wantStatus(t, "day order before the close", day.ID, "new", time.Time{})
			f.goTo(t, closes[name].Add(3*time.Hour))
			f.wantStatus(t, "day order", day.ID, "expired", closes[name])
			f.wantStatus(t, "day bracket", bracket.ID, "expired", closes[name])
			for _, l := range bracket.Legs {
				f.wantStatus(t, "held leg of the day bracket", l.ID, "expired", closes[name])
			}
			f.wantStatus(t, "gtc order", gtc.ID, "new", time.Time{})
			if u := f.waitEvent(t, time.Date(2024, 11, 26, 0, 0, 0, 0, time.UTC), "expired", day.ID); u.Order.Status != "expired" {
				t.Errorf("expired event carries status %s", u.Order.Status)
			}
		})
	}
	f := newFixture(t, exchange.Config{})
	o := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "1", alpaca.Day))
	f.clk.Advance(72 * time.Hour)
	f.wantStatus(t, "day order without market hours", o.ID, "new", time.Time{})
}

// TestExtendedHours: an extended_hours day limit order trades after the
// close and expires at the after-hours close; a regular one waits.
func TestExtendedHours(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: genSeed, MarketHours: true})
	evening := time.Date(2025, 3, 12, 22, 0, 0, 0, time.UTC) // 18:00 New York
	f.goTo(t, evening)
	px := f.price(t, "AAPL")
	req := limitOrder("AAPL", alpaca.Buy, "1", cents(px*1.05), alpaca.Day)
	regular := f.place(t, req)
	req.ExtendedHours = true
	ext := f.place(t, req)
	if regular.Status != "accepted" || ext.Status != "filled" {
		t.Errorf("after hours: regular %s (want accepted), extended %s (want filled)", regular.Status, ext.Status)
	}
	req.LimitPrice = decp("1")
	resting := f.place(t, req)
	f.goTo(t, evening.Add(3*time.Hour))
	f.wantStatus(t, "extended order at 20:00", resting.ID, "expired", time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC))
	req.Type, req.LimitPrice = alpaca.Market, nil
	_, err := f.tc.PlaceOrder(req)
	apiErr(t, err, http.StatusUnprocessableEntity, 42210000)
}
