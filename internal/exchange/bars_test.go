package exchange_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/realdata"
)

func symbols(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("S%c%c", 'A'+i/26, 'A'+i%26)
	}
	return out
}

func TestMultiBarsPaginationAcrossSymbols(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: 7})
	syms := symbols(30)
	start, end := t0.Add(-10*time.Hour), t0
	bars, err := f.md.GetMultiBars(syms, marketdata.GetBarsRequest{
		TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), Start: start, End: end, PageLimit: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != len(syms) {
		t.Fatalf("got bars for %d symbols, want %d", len(bars), len(syms))
	}
	for _, s := range syms {
		bs := bars[s]
		if len(bs) != 120 {
			t.Fatalf("%s: %d bars, want 120 (10h of 5Min)", s, len(bs))
		}
		for i, b := range bs {
			if want := start.Add(time.Duration(i) * 5 * time.Minute); !b.Timestamp.Equal(want) {
				t.Fatalf("%s bar %d at %v, want %v", s, i, b.Timestamp, want)
			}
			if b.Low > math.Min(b.Open, b.Close) || b.High < math.Max(b.Open, b.Close) || b.Volume == 0 || b.Low <= 0 {
				t.Fatalf("%s bar %d inconsistent: %+v", s, i, b)
			}
		}
	}

	// Raw pages: every page but the last carries a token; the last says null.
	q := url.Values{"symbols": {strings.Join(syms, ",")}, "timeframe": {"5Min"},
		"start": {start.Format(time.RFC3339)}, "end": {end.Format(time.RFC3339)}, "limit": {"1000"}}
	pages, total := 0, 0
	for {
		status, body := call(t, http.MethodGet, f.url+"/v2/stocks/bars?"+q.Encode(), nil)
		if status != http.StatusOK {
			t.Fatalf("bars: %d %s", status, body)
		}
		var page struct {
			Bars map[string][]json.RawMessage `json:"bars"`
			Next *string                      `json:"next_page_token"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, bs := range page.Bars {
			total += len(bs)
		}
		if page.Next == nil {
			if !strings.Contains(string(body), `"next_page_token":null`) {
				t.Fatalf("last page does not send next_page_token null: %s", body[len(body)-60:])
			}
			break
		}
		if *page.Next == "" {
			t.Fatal("empty next_page_token")
		}
		q.Set("page_token", *page.Next)
	}
	if pages != 4 || total != 3600 {
		t.Errorf("pages = %d, bars = %d; want 4 pages, 3600 bars", pages, total)
	}
}

func TestBarsAreDeterministicPerSeed(t *testing.T) {
	get := func(seed int64, clk *fakeClock, tf marketdata.TimeFrame) []marketdata.Bar {
		f := newFixture(t, exchange.Config{Seed: seed, Now: clk.Now})
		// End is inclusive: stop just before the bar that starts at t0.
		bs, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: tf, Start: t0.Add(-3 * time.Hour), End: t0.Add(-time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		return bs
	}
	a := get(1, &fakeClock{now: t0}, marketdata.OneMin)
	// A later restart (clock further on) serves the same history.
	b := get(1, &fakeClock{now: t0.Add(5 * time.Hour)}, marketdata.OneMin)
	c := get(2, &fakeClock{now: t0}, marketdata.OneMin)
	if len(a) != 180 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed served different bars (%d vs %d)", len(a), len(b))
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds served the same bars")
	}
	hours := get(1, &fakeClock{now: t0}, marketdata.OneHour)
	if len(hours) != 3 || hours[0].Open != a[0].Open || hours[2].Close != a[179].Close {
		t.Errorf("1Hour bars do not aggregate 1Min bars: %+v", hours)
	}
	var vol uint64
	for _, m := range a[:60] {
		vol += m.Volume
	}
	if hours[0].Volume != vol {
		t.Errorf("hour volume %d, minutes sum %d", hours[0].Volume, vol)
	}
}

func TestBarsQueryOptions(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	desc, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(15, marketdata.Min),
		Start: t0.Add(-time.Hour), End: t0, Sort: marketdata.SortDesc})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc) != 4 || !desc[0].Timestamp.Equal(t0.Add(-15*time.Minute)) || !desc[3].Timestamp.Equal(t0.Add(-time.Hour)) {
		t.Errorf("desc bars = %+v", desc)
	}
	// History exists from the first tick, without a start.
	hist, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), TotalLimit: 25})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 25 || !hist[24].Timestamp.Equal(t0.Add(-5*time.Minute)) {
		t.Errorf("history without start: %d bars, last %v", len(hist), hist[len(hist)-1].Timestamp)
	}
	// Start 15:00 ten days back: nine whole UTC days follow, today's is still forming.
	days, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: t0.AddDate(0, 0, -10), End: t0})
	if err != nil || len(days) != 9 {
		t.Errorf("1Day bars: %d, %v", len(days), err)
	}
	for _, bad := range []string{"timeframe=7Sec&symbols=AAPL", "timeframe=1Min&symbols=aapl", "timeframe=1Min", "timeframe=1Min&symbols=AAPL&limit=0", "timeframe=1Min&symbols=AAPL&page_token=zz"} {
		status, body := call(t, http.MethodGet, f.url+"/v2/stocks/bars?"+bad, nil)
		var e struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Code == 0 || e.Message == "" {
			t.Errorf("%s: %d %s, want 400 with an error body", bad, status, body)
		}
	}
}

func TestLatestBarsAndTrades(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: 3})
	f.clk.Advance(30 * time.Second)
	latest, err := f.md.GetLatestBars([]string{"AAPL", "MSFT"}, marketdata.GetLatestBarRequest{})
	if err != nil {
		t.Fatal(err)
	}
	mins, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: t0.Add(-time.Minute), End: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 2 || len(mins) != 1 || latest["AAPL"] != mins[0] {
		t.Errorf("latest bar %+v, want the last complete minute %+v", latest["AAPL"], mins)
	}
	trade, err := f.md.GetLatestTrade("AAPL", marketdata.GetLatestTradeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	status, body := call(t, http.MethodGet, f.url+"/sim/v1/price?symbol=AAPL", nil)
	var px struct{ Price string }
	if status != http.StatusOK || json.Unmarshal(body, &px) != nil {
		t.Fatalf("admin price: %d %s", status, body)
	}
	if strconv.FormatFloat(trade.Price, 'f', -1, 64) != strings.TrimRight(strings.TrimRight(px.Price, "0"), ".") {
		t.Errorf("latest trade %v, current price %s", trade.Price, px.Price)
	}
	// Half way through a minute the price has reached the second of the
	// minute's extremes (its path runs open, nearer extreme, farther
	// extreme, close at :00, :15, :30 and :45).
	f.clk.Advance(30 * time.Second)
	forming, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneMin, Start: t0, End: t0})
	if err != nil || len(forming) != 1 {
		t.Fatalf("the minute of t0: %+v, %v", forming, err)
	}
	b := forming[0]
	farther := b.Low // high first on a tie
	if b.Open-b.Low < b.High-b.Open {
		farther = b.High
	}
	if trade.Price != farther {
		t.Errorf("price at t0+30s %v, want the minute's farther extreme %v (bar %+v)", trade.Price, farther, b)
	}
}

// momentumAt tells whether the default momentum strategy (docs/design.md, Trading loop) fires at bar
// i: over the last 5 bars |change| >= 2% and mean volume ratio (volume /
// 20-bar rolling mean) >= 2. It returns the change in percent too.
func momentumAt(bs []marketdata.Bar, i int) (bool, float64) {
	ratio := 0.0
	for j := i - 4; j <= i; j++ {
		mean := 0.0
		for k := j - 19; k <= j; k++ {
			mean += float64(bs[k].Volume) / 20
		}
		ratio += float64(bs[j].Volume) / mean / 5
	}
	change := (bs[i].Close - bs[i-4].Open) / bs[i-4].Open * 100
	return math.Abs(change) >= 2 && ratio >= 2, change
}

func momentumSignals(bs []marketdata.Bar) int {
	n := 0
	for i := 24; i < len(bs); i++ {
		if ok, _ := momentumAt(bs, i); ok {
			n++
		}
	}
	return n
}

func TestMomentumBurstsTriggerTheStrategy(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: 42})
	syms := []string{"AAPL", "MSFT", "NVDA", "TSLA"}
	bars, err := f.md.GetMultiBars(syms, marketdata.GetBarsRequest{
		TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), Start: t0.Add(-24 * time.Hour), End: t0})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range syms {
		n := momentumSignals(bars[s])
		total += n
		if n == 0 {
			t.Errorf("%s: no momentum signal in a day of 5Min bars", s)
		}
		if n > 100 {
			t.Errorf("%s: %d signals in a day: bursts are not occasional", s, n)
		}
	}
	t.Logf("%d signals over 4 symbols x 24h", total)
}

func TestVolatilityCalibratedOnRealBars(t *testing.T) {
	path := realdata.BarsFile(t)
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer fh.Close()
	var real []float64
	prev := map[string]float64{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		rec := strings.Split(sc.Text(), ",")
		c, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			continue // header
		}
		if p, ok := prev[rec[0]]; ok {
			real = append(real, math.Log(c/p))
		}
		prev[rec[0]] = c
	}
	f := newFixture(t, exchange.Config{Seed: 5})
	bars, err := f.md.GetMultiBars([]string{"AAPL", "AMD", "SPY"}, marketdata.GetBarsRequest{
		TimeFrame: marketdata.OneHour, Start: t0.AddDate(0, 0, -30), End: t0})
	if err != nil {
		t.Fatal(err)
	}
	var gen []float64
	for _, bs := range bars {
		for i := 1; i < len(bs); i++ {
			gen = append(gen, math.Log(bs[i].Close/bs[i-1].Close))
		}
	}
	r, g := stddev(real), stddev(gen)
	if g < r/2 || g > r*2 {
		t.Errorf("hourly volatility: generated %.4f, real %.4f", g, r)
	}
}

func stddev(xs []float64) float64 {
	var s, ss float64
	for _, x := range xs {
		s += x
		ss += x * x
	}
	m := s / float64(len(xs))
	return math.Sqrt(ss/float64(len(xs)) - m*m)
}

func TestAdminBurstMakesTheStrategyFire(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: 11})
	fiveMin := func() []marketdata.Bar {
		bs, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), TotalLimit: 30})
		if err != nil || len(bs) != 30 {
			t.Fatalf("5Min bars: %d, %v", len(bs), err)
		}
		return bs
	}
	if fired, change := momentumAt(fiveMin(), 29); fired {
		t.Fatalf("precondition: seed 11 already has a signal at t0 (change %.2f%%); pick another seed", change)
	}
	f.setPrice(t, "AAPL", "100")
	st, body := call(t, http.MethodPost, f.url+"/sim/v1/burst", map[string]any{"symbol": "AAPL", "change_pct": 3})
	if st != http.StatusOK || !strings.Contains(string(body), `"price":"103"`) {
		t.Fatalf("burst: %d %s", st, body)
	}
	bs := fiveMin()
	fired, change := momentumAt(bs, 29)
	if !fired || change < 2 {
		t.Fatalf("no momentum signal after a +3%% burst: change %.2f%%, bars %+v", change, bs[25:])
	}
	trade, err := f.md.GetLatestTrade("AAPL", marketdata.GetLatestTradeRequest{})
	if err != nil || trade.Price != 103 {
		t.Errorf("price after the burst: %+v, %v", trade, err)
	}
	// A down burst fires the short side.
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/burst", map[string]any{"symbol": "MSFT", "change_pct": -3}); st != http.StatusOK {
		t.Fatalf("burst: %d %s", st, body)
	}
	ms, err := f.md.GetBars("MSFT", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(5, marketdata.Min), TotalLimit: 30})
	if err != nil {
		t.Fatal(err)
	}
	if fired, change := momentumAt(ms, len(ms)-1); !fired || change > -2 {
		t.Errorf("down burst: fired %v, change %.2f%%", fired, change)
	}
}

func TestBarsFollowAdminPrice(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	f.setPrice(t, "AAPL", "123.45")
	f.clk.Advance(time.Minute)
	latest, err := f.md.GetLatestBar("AAPL", marketdata.GetLatestBarRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if latest.Open != 123.45 || !latest.Timestamp.Equal(t0) {
		t.Errorf("bar of the minute the price was set: %+v", latest)
	}
	if latest.High < math.Max(latest.Open, latest.Close) || latest.Low > math.Min(latest.Open, latest.Close) {
		t.Errorf("inconsistent adjusted bar: %+v", latest)
	}
}
