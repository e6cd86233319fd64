package exchange_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// wantQuoteAround asserts the documented spread: half of it is 1 basis
// point of the price and at least a cent, the bid rounded down and the ask
// up to the cent.
func wantQuoteAround(t *testing.T, what string, q marketdata.Quote, px float64) {
	t.Helper()
	p := decf(px)
	half := decimal.Max(p.Mul(dec("0.0001")).Round(2), dec("0.01"))
	bid, ask := p.Sub(half).RoundFloor(2), p.Add(half).RoundCeil(2)
	if !decf(q.BidPrice).Equal(bid) || !decf(q.AskPrice).Equal(ask) || q.BidSize != 100 || q.AskSize != 100 ||
		q.BidExchange != "V" || q.AskExchange != "V" || q.Tape != "C" || len(q.Conditions) != 1 || q.Conditions[0] != "R" {
		t.Errorf("%s: quote %+v around %v; want bid %s, ask %s, 100 x 100 on V, tape C, condition R", what, q, px, bid, ask)
	}
}

func TestTradesAndQuotesFromThePricePath(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn.Add(time.Hour))
		b := f.barAt(t, "AAPL", src.res, midMorn.Add(time.Second))
		end := b.Timestamp.Add(time.Minute)
		if src.name != "generated" {
			end = b.Timestamp.Add(time.Hour)
		}
		trades, err := f.md.GetTrades("AAPL", marketdata.GetTradesRequest{Start: b.Timestamp, End: end.Add(-time.Nanosecond)})
		if err != nil {
			t.Fatal(err)
		}
		p := pathOf(b, b.Timestamp.UTC(), end.UTC())
		want := []struct {
			at time.Time
			px float64
		}{{p.open, b.Open}, {p.high, b.High}, {p.low, b.Low}, {p.close, b.Close}}
		if p.low.Before(p.high) {
			want[1], want[2] = want[2], want[1]
		}
		if len(trades) != 4 {
			t.Fatalf("%d trades in the bar, want its 4 path points", len(trades))
		}
		var size uint32
		for i, tr := range trades {
			if !tr.Timestamp.Equal(want[i].at) || tr.Price != want[i].px || tr.Exchange != "V" || tr.Tape != "C" ||
				len(tr.Conditions) != 1 || tr.Conditions[0] != "@" || tr.ID != tr.Timestamp.UnixMilli() || tr.ID > 1<<53 {
				t.Errorf("trade %d = %+v, want %v at %v, a regular sale on V, tape C, id its milliseconds", i, tr, want[i].px, want[i].at)
			}
			size += tr.Size
		}
		if uint64(size) != b.Volume {
			t.Errorf("trade sizes add to %d, want the bar's volume %d", size, b.Volume)
		}
		quotes, err := f.md.GetQuotes("AAPL", marketdata.GetQuotesRequest{Start: b.Timestamp, End: end.Add(-time.Nanosecond)})
		if err != nil || len(quotes) != 4 {
			t.Fatalf("quotes: %d, %v", len(quotes), err)
		}
		for i, q := range quotes {
			wantQuoteAround(t, "quote", q, want[i].px)
		}
		lq, err := f.md.GetLatestQuote("AAPL", marketdata.GetLatestQuoteRequest{})
		if err != nil {
			t.Fatal(err)
		}
		wantQuoteAround(t, "latest quote", *lq, f.price(t, "AAPL"))
		multi, err := f.md.GetLatestQuotes([]string{"AAPL", "MSFT"}, marketdata.GetLatestQuoteRequest{})
		if err != nil || len(multi) != 2 {
			t.Errorf("latest quotes: %v, %v", multi, err)
		}
	})
}

func TestTradePagesAndExtendedHoursConditions(t *testing.T) {
	f := newFixture(t, exchange.Config{Seed: 3})
	from, to := t0.Add(-3*time.Hour), t0.Add(-time.Nanosecond) // 07:00 to 10:00 in New York
	all, err := f.md.GetTrades("AAPL", marketdata.GetTradesRequest{Start: from, End: to})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3*60*4 {
		t.Fatalf("%d trades in three hours of minute bars, want 720", len(all))
	}
	// Paged by 100 through next_page_token: the same trades.
	paged, err := f.md.GetTrades("AAPL", marketdata.GetTradesRequest{Start: from, End: to, PageLimit: 100})
	if err != nil || len(paged) != len(all) || paged[len(paged)-1].ID != all[len(all)-1].ID {
		t.Errorf("paged trades: %d, %v", len(paged), err)
	}
	for _, tr := range all {
		regular := !tr.Timestamp.Before(time.Date(2025, 3, 12, 13, 30, 0, 0, time.UTC))
		if form := len(tr.Conditions) == 2 && tr.Conditions[1] == "T"; form == regular {
			t.Fatalf("trade at %v has conditions %v; Form T before the open only", tr.Timestamp, tr.Conditions)
		}
	}
	var desc struct {
		Trades        []struct{ T time.Time } `json:"trades"`
		NextPageToken *string                 `json:"next_page_token"`
	}
	getJSON(t, f.url+"/v2/stocks/AAPL/trades?sort=desc&limit=3&start="+from.Format(time.RFC3339)+"&end="+to.Format(time.RFC3339Nano), &desc)
	if len(desc.Trades) != 3 || !desc.Trades[0].T.Equal(all[len(all)-1].Timestamp) || desc.NextPageToken == nil {
		t.Errorf("desc page = %+v", desc)
	}
}

func TestSingleSymbolMarketData(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		var bars struct {
			Symbol        string                  `json:"symbol"`
			Bars          []struct{ T time.Time } `json:"bars"`
			NextPageToken *string                 `json:"next_page_token"`
		}
		getJSON(t, f.url+"/v2/stocks/AAPL/bars?timeframe=1Day&start=2025-03-03T05:00:00Z&end=2025-03-11T04:00:00Z", &bars)
		// 3 to 11 March, the day at end included: generated prices trade
		// every day; the bars file has the weekdays but 10 March.
		want := map[string]int{"generated": 9, "bars file": 6}[src.name]
		if bars.Symbol != "AAPL" || len(bars.Bars) != want || bars.NextPageToken != nil {
			t.Errorf("single-symbol day bars = %+v; want %d days", bars, want)
		}
		var lt struct {
			Symbol string `json:"symbol"`
			Trade  struct {
				P float64 `json:"p"`
				I int64   `json:"i"`
			} `json:"trade"`
		}
		getJSON(t, f.url+"/v2/stocks/AAPL/trades/latest", &lt)
		if lt.Symbol != "AAPL" || lt.Trade.P != f.price(t, "AAPL") || lt.Trade.I > 1<<53 {
			t.Errorf("latest trade = %+v", lt)
		}
		var lb struct {
			Symbol string                `json:"symbol"`
			Bar    struct{ T time.Time } `json:"bar"`
		}
		getJSON(t, f.url+"/v2/stocks/AAPL/bars/latest", &lb)
		if lb.Symbol != "AAPL" || !lb.Bar.T.Equal(f.barAt(t, "AAPL", src.res, midMorn).Timestamp) {
			t.Errorf("latest bar = %+v", lb)
		}
		var lq struct {
			Symbol string `json:"symbol"`
			Quote  struct {
				BP float64 `json:"bp"`
			} `json:"quote"`
		}
		getJSON(t, f.url+"/v2/stocks/MSFT/quotes/latest", &lq)
		if lq.Symbol != "MSFT" || lq.Quote.BP <= 0 {
			t.Errorf("latest quote = %+v", lq)
		}
		st, body := call(t, http.MethodGet, f.url+"/v2/stocks/aapl/trades/latest", nil)
		wantCode(t, "an invalid symbol", st, body, http.StatusBadRequest, 40010000)
	})
}

func TestSnapshots(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		f.goTo(t, midMorn)
		s, err := f.md.GetSnapshot("AAPL", marketdata.GetSnapshotRequest{})
		if err != nil {
			t.Fatal(err)
		}
		px := f.price(t, "AAPL")
		if s.LatestTrade == nil || s.LatestTrade.Price != px || s.LatestQuote == nil || s.MinuteBar == nil || s.DailyBar == nil || s.PrevDailyBar == nil {
			t.Fatalf("snapshot = %+v", s)
		}
		wantQuoteAround(t, "snapshot quote", *s.LatestQuote, px)
		if last := f.barAt(t, "AAPL", src.res, midMorn); !s.MinuteBar.Timestamp.Equal(last.Timestamp) {
			t.Errorf("minuteBar at %v, want the last base bar %v", s.MinuteBar.Timestamp, last.Timestamp)
		}
		days, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: time.Date(2025, 3, 11, 4, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 11, 4, 0, 0, 0, time.UTC)})
		if err != nil || len(days) != 1 {
			t.Fatalf("day bar of 11 March: %v, %v", days, err)
		}
		if *s.PrevDailyBar != days[0] || !s.DailyBar.Timestamp.Equal(time.Date(2025, 3, 12, 4, 0, 0, 0, time.UTC)) || s.DailyBar.Close != s.MinuteBar.Close {
			t.Errorf("day bars: prev %+v (want %+v), today %+v", s.PrevDailyBar, days[0], s.DailyBar)
		}
		multi, err := f.md.GetSnapshots([]string{"AAPL", "MSFT"}, marketdata.GetSnapshotRequest{})
		if err != nil || len(multi) != 2 || multi["AAPL"].LatestTrade.Price != px {
			t.Errorf("snapshots = %v, %v", multi, err)
		}
	})
}

func TestWeekAndMonthBars(t *testing.T) {
	eachSource(t, func(t *testing.T, f *fixture, src priceSource) {
		weeks, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(1, marketdata.Week),
			Start: time.Date(2025, 1, 6, 5, 0, 0, 0, time.UTC), End: time.Date(2025, 2, 24, 5, 0, 0, 0, time.UTC)})
		if err != nil || len(weeks) != 8 {
			t.Fatalf("weeks: %d, %v", len(weeks), err)
		}
		for _, w := range weeks {
			if ny := w.Timestamp.In(nyLoc(t)); ny.Weekday() != time.Monday || ny.Hour() != 0 {
				t.Errorf("week bar at %v: not a New York Monday midnight", ny)
			}
		}
		// A week aggregates its days.
		days, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneDay, Start: weeks[1].Timestamp, End: weeks[2].Timestamp.Add(-time.Second)})
		if err != nil || len(days) == 0 {
			t.Fatal(days, err)
		}
		hi, vol := 0.0, uint64(0)
		for _, d := range days {
			hi, vol = math.Max(hi, d.High), vol+d.Volume
		}
		if weeks[1].Open != days[0].Open || weeks[1].Close != days[len(days)-1].Close || weeks[1].High != hi || weeks[1].Volume != vol {
			t.Errorf("week %+v does not aggregate its days %+v", weeks[1], days)
		}
		months, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(1, marketdata.Month),
			Start: time.Date(2024, 12, 1, 5, 0, 0, 0, time.UTC), End: time.Date(2025, 2, 1, 5, 0, 0, 0, time.UTC)})
		if err != nil || len(months) != 3 {
			t.Fatalf("months: %d, %v", len(months), err)
		}
		for _, m := range months {
			if ny := m.Timestamp.In(nyLoc(t)); ny.Day() != 1 || ny.Hour() != 0 {
				t.Errorf("month bar at %v", ny)
			}
		}
	})
}

func nyLoc(t *testing.T) *time.Location {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return ny
}
