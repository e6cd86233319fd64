package exchange_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// preOpen is 08:00 in New York on Wednesday 12 March 2025 (daylight
// time): the open is at 13:30 UTC and the close at 20:00 UTC.
var (
	preOpen  = time.Date(2025, 3, 12, 12, 0, 0, 0, time.UTC)
	openAt   = time.Date(2025, 3, 12, 13, 30, 0, 0, time.UTC)
	closeAt  = time.Date(2025, 3, 12, 20, 0, 0, 0, time.UTC)
	midMorn  = time.Date(2025, 3, 12, 14, 0, 0, 0, time.UTC)
	dayAfter = time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC)
)

// priceSource is one of the two price sources, under market hours, with
// its base-bar timeframe.
type priceSource struct {
	name string
	cfg  exchange.Config
	res  marketdata.TimeFrame
}

// priceSources are generated prices and the real hourly bars, both
// starting at preOpen.
func priceSources(t *testing.T) []priceSource {
	real := realConfig(t)
	real.Start = preOpen
	return []priceSource{
		{"generated", exchange.Config{Seed: 7, MarketHours: true, Start: preOpen}, marketdata.OneMin},
		{"bars file", real, marketdata.OneHour},
	}
}

// eachSource runs fn as a subtest on a fresh exchange of each source.
func eachSource(t *testing.T, fn func(t *testing.T, f *fixture, src priceSource)) {
	for _, src := range priceSources(t) {
		t.Run(src.name, func(t *testing.T) { fn(t, newFixture(t, src.cfg), src) })
	}
}

// barAt is the base bar of sym that contains at.
func (f *fixture) barAt(t *testing.T, sym string, res marketdata.TimeFrame, at time.Time) marketdata.Bar {
	t.Helper()
	bs, err := f.md.GetBars(sym, marketdata.GetBarsRequest{TimeFrame: res, Start: at.Add(-2 * time.Hour), End: at})
	if err != nil || len(bs) == 0 {
		t.Fatalf("bars of %s before %v: %v (%d)", sym, at, err, len(bs))
	}
	return bs[len(bs)-1]
}

// getJSON sends a GET and decodes a 200 answer into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	st, body := call(t, http.MethodGet, url, nil)
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, st, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// wantCode asserts a raw answer's status and Alpaca error code.
func wantCode(t *testing.T, what string, st int, body []byte, status, code int) {
	t.Helper()
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	if st != status || e.Code != code || e.Message == "" {
		t.Errorf("%s: %d %s, want %d/%d with a message", what, st, body, status, code)
	}
}

func decf(x float64) decimal.Decimal { return decimal.NewFromFloat(x) }
