package exchange_test

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// TestTimeframeRefusedFinerThanTheData: an hourly bars file serves no
// minute bars: Alpaca's 400 error, naming the file's resolution.
func TestTimeframeRefusedFinerThanTheData(t *testing.T) {
	f := newFixture(t, realConfig(t))
	for _, tf := range []string{"1Min", "5Min", "30Min", "59T"} {
		st, body := call(t, http.MethodGet, f.url+"/v2/stocks/bars?symbols=AAPL&timeframe="+tf, nil)
		var e struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if st != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Code != 40010000 || !strings.Contains(e.Message, "1Hour") {
			t.Errorf("%s on hourly data: %d %s, want 400 naming 1Hour", tf, st, body)
		}
	}
	_, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin})
	if err == nil || !strings.Contains(err.Error(), "1Hour") {
		t.Errorf("official client asking 1Min: %v", err)
	}
}

var newYork = func() *time.Location {
	l, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return l
}()

// aggregate folds bars into one, as Alpaca aggregates.
func aggregate(bs []marketdata.Bar) marketdata.Bar {
	out := bs[0]
	for _, b := range bs[1:] {
		out.High, out.Low = math.Max(out.High, b.High), math.Min(out.Low, b.Low)
		out.Close = b.Close
		out.Volume += b.Volume
	}
	return out
}

// checkAggregates asks for day, week and month bars and compares each with
// the base bars it covers (by New York date), stamped at New York
// midnight.
func checkAggregates(t *testing.T, f *fixture, base marketdata.TimeFrame, from, to time.Time, names ...string) {
	t.Helper()
	fine, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: base, Start: from, End: to})
	if err != nil {
		t.Fatal(err)
	}
	tfs := map[string]marketdata.TimeFrame{"1Day": marketdata.OneDay, "1Week": marketdata.NewTimeFrame(1, marketdata.Week),
		"1Month": marketdata.NewTimeFrame(1, marketdata.Month)}
	for _, name := range names {
		tf := tfs[name]
		groups := map[time.Time][]marketdata.Bar{}
		for _, b := range fine {
			k := nyPeriod(name, b.Timestamp)
			groups[k] = append(groups[k], b)
		}
		got, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: tf, Start: from, End: to})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) == 0 {
			t.Errorf("%s: no bars", name)
		}
		for _, b := range got {
			g := groups[b.Timestamp]
			if len(g) == 0 {
				t.Errorf("%s bar stamped %v: no base bars start that New York period", name, b.Timestamp)
				continue
			}
			if want := aggregate(g); b.Open != want.Open || b.High != want.High || b.Low != want.Low || b.Close != want.Close || b.Volume != want.Volume {
				t.Errorf("%s bar %v = %+v, want %+v", name, b.Timestamp, b, want)
			}
		}
	}
}

// nyPeriod is the start of the New York day, week (from Monday) or month
// that holds t.
func nyPeriod(name string, t time.Time) time.Time {
	y, m, d := t.In(newYork).Date()
	switch name {
	case "1Week":
		day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
		d -= (int(day.Weekday()) + 6) % 7
	case "1Month":
		d = 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, newYork).UTC()
}

func TestAggregatedBarsRealData(t *testing.T) {
	f := newFixture(t, realConfig(t))
	f.goTo(t, time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC))
	// Whole months of November 2024 (from the file's first bar) to January 2025.
	checkAggregates(t, f, marketdata.OneHour, time.Date(2024, 11, 1, 4, 0, 0, 0, time.UTC), time.Date(2025, 1, 31, 23, 0, 0, 0, time.UTC), "1Day", "1Week", "1Month")
	days, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay,
		Start: time.Date(2024, 11, 27, 5, 0, 0, 0, time.UTC), End: time.Date(2024, 11, 30, 5, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || !days[0].Timestamp.Equal(time.Date(2024, 11, 27, 5, 0, 0, 0, time.UTC)) ||
		!days[1].Timestamp.Equal(time.Date(2024, 11, 29, 5, 0, 0, 0, time.UTC)) || days[0].Open != 234.66 || days[0].Close != 234.99 {
		t.Errorf("days around Thanksgiving: %+v; want 27 and 29 November, stamped 05:00Z (New York midnight)", days)
	}
	hours, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour,
		Start: time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 11, 27, 15, 0, 0, 0, time.UTC)})
	if err != nil || len(hours) != 2 || !hours[0].Timestamp.Equal(time.Date(2024, 11, 27, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("hourly bars keep the file's stamps (bar start, UTC): %+v, %v", hours, err)
	}
}

func TestAggregatedBarsGeneratedPrices(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: genSeed})
	// Two weeks of minutes, Monday 24 February to Sunday 9 March in New
	// York; 9 March, when daylight time begins, has 23 hours.
	checkAggregates(t, f, marketdata.OneMin, time.Date(2025, 2, 24, 5, 0, 0, 0, time.UTC), time.Date(2025, 3, 10, 3, 59, 0, 0, time.UTC), "1Day", "1Week")
}
