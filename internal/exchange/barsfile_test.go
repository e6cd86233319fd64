package exchange_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestBarsFileReplay(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("symbol,timestamp,open,high,low,close,volume\n")
	start := time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC)
	for i := 0; i < 150; i++ {
		ts := start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
		p := 100 + float64(i)
		fmt.Fprintf(&sb, "AAPL,%s,%.2f,%.2f,%.2f,%.2f,%d\n", ts, p, p+2, p-1, p+1, 1000+i)
	}
	path := filepath.Join(t.TempDir(), "bars.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: t0}
	f := newFixture(t, exchange.Config{BarsFile: path, Now: clk.Now, Speed: 3600})
	clock, err := f.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	replayStart := start.Add(100 * time.Hour)
	if !clock.Timestamp.Equal(replayStart) {
		t.Fatalf("replay starts at %v, want %v (after 100 bars of history)", clock.Timestamp, replayStart)
	}
	bars, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 100 || bars[0].Open != 100 || bars[99].Close != 200 || bars[99].Volume != 1099 {
		t.Fatalf("replayed history: %d bars, first %+v, last %+v", len(bars), bars[0], bars[len(bars)-1])
	}
	// A start years before the data walks long empty stretches; pages end
	// early and the client follows their tokens to every bar.
	far, err := f.md.GetBars("AAPL", marketdata.GetBarsRequest{TimeFrame: marketdata.OneHour, Start: start.AddDate(-25, 0, 0)})
	if err != nil || len(far) != 100 {
		t.Fatalf("1Hour bars from years before the file: %d, %v", len(far), err)
	}
	o, err := f.tc.PlaceOrder(buy("AAPL", "1"))
	if err != nil {
		t.Fatal(err)
	}
	wantDec(t, "fill at the forming bar's open", *o.FilledAvgPrice, "200")
	clk.Advance(2 * time.Second) // two market hours
	trade, err := f.md.GetLatestTrade("AAPL", marketdata.GetLatestTradeRequest{})
	if err != nil || trade.Price != 202 {
		t.Errorf("latest trade two hours on: %+v, %v", trade, err)
	}
	_, err = f.tc.GetAsset("MSFT")
	apiErr(t, err, http.StatusNotFound, 40410000)
}
