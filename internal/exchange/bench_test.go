package exchange_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// writeYearOfBars writes a year of regular-hours hourly bars for n symbols
// (a slow random walk) and returns the file.
func writeYearOfBars(b *testing.B, n int) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("symbol,timestamp,open,high,low,close,volume\n")
	start := time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC)
	for s := 0; s < n; s++ {
		sym := symbols(n)[s]
		px := 100.0
		for d := 0; d < 365; d++ {
			day := start.AddDate(0, 0, d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for h := 0; h < 7; h++ {
				o := px
				c := o * (1 + 0.004*math.Sin(float64(d*7+h+s)))
				fmt.Fprintf(&sb, "%s,%s,%.2f,%.2f,%.2f,%.2f,1000\n", sym, day.Add(time.Duration(h)*time.Hour).Format(time.RFC3339),
					o, math.Max(o, c)*1.002, math.Min(o, c)*0.998, c)
				px = c
			}
		}
	}
	path := filepath.Join(b.TempDir(), "bars.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkMatchHourJump: a hundred resting orders over ten symbols, and
// the clock jumps an hour between requests; one op is the request after
// the jump, whose match pass walks that hour's price paths.
func BenchmarkMatchHourJump(b *testing.B) {
	for _, src := range []string{"bars file", "generated"} {
		for _, spread := range []float64{0.2, 0.02} {
			b.Run(fmt.Sprintf("%s/orders %.0f%% away", src, spread*100), func(b *testing.B) {
				cfg := exchange.Config{Seed: 3, MarketHours: src == "bars file"}
				if src == "bars file" {
					cfg.BarsFile = writeYearOfBars(b, 10)
				}
				benchHourJumps(b, cfg, spread)
			})
		}
	}
}

func benchHourJumps(b *testing.B, cfg exchange.Config, spread float64) {
	clk := &fakeClock{now: t0}
	cfg.Now, cfg.Logger = clk.Now, zerolog.Nop()
	ex, err := exchange.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	srv := httptest.NewServer(ex.Handler())
	defer srv.Close()
	tc := tradingClient(srv.URL, "", "")
	h := ex.Handler()
	syms := symbols(10)
	if cfg.BarsFile != "" {
		clk.Advance(24 * time.Hour) // into the file's regular hours
	}
	for i := 0; i < 100; i++ {
		sym := syms[i%10]
		tr, err := dataClient(srv.URL).GetLatestTrade(sym, marketdata.GetLatestTradeRequest{})
		if err != nil {
			b.Fatal(err)
		}
		side, limit := alpaca.Buy, tr.Price*(1-spread)
		if i%2 == 1 {
			side, limit = alpaca.Sell, tr.Price*(1+spread)
		}
		if _, err := tc.PlaceOrder(limitOrder(sym, side, "1", cents(limit), alpaca.GTC)); err != nil {
			b.Fatal(err)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/v2/clock", nil)
	req.Header.Set("APCA-API-KEY-ID", testKey)
	req.Header.Set("APCA-API-SECRET-KEY", testSecret)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(time.Hour)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("clock: %d", rec.Code)
		}
	}
	b.StopTimer()
	open, err := tc.GetOrders(alpaca.GetOrdersRequest{Status: "open", Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(open)), "resting_orders_at_end")
}
