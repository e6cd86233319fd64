package trader_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// BenchmarkTickPositions10k is issue 16's figure: a tick with 10,000 open
// positions (GAMBLER_BENCH_POSITIONS changes the count), each protected by its two bracket legs, on SQLite. It reports
// the broker requests of a tick (lists and one-by-one lookups) and the
// median tick time; ns/op is the whole measured run.
func BenchmarkTickPositions10k(b *testing.B) {
	const ticks = 5
	n := 10000
	if s := os.Getenv("GAMBLER_BENCH_POSITIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for range b.N {
		w := tradertest.New(b, tradertest.Options{Start: tradertest.Monday.Add(2 * time.Hour),
			Exchange: exchange.Config{InitialCash: decimal.NewFromInt(1_000_000_000)}, Trader: oneSymbol("AAPL")})
		r := w.Start(tradertest.StartOptions{})
		r.Step()
		if err := tradertest.SeedPositions(b.Context(), w.Broker, w.Store, r.Session.ID, n, w.SeedEvery()); err != nil {
			b.Fatal(err)
		}
		r.For(3 * time.Minute)
		active, err := w.Store.ActivePositions(b.Context(), r.Session.ID)
		if err != nil || len(active) != n {
			b.Fatalf("%d active positions (%v), want %d", len(active), err, n)
		}
		lookups := func() int { return w.Requests("GET /v2/orders/") + w.Requests("GET /v2/orders:") }
		lists := func() int { return w.Requests("GET /v2/orders") - lookups() }
		all := func() int { return w.Requests("GET /v2/") + w.Requests("POST /v2/") + w.Requests("DELETE /v2/") }
		l0, k0, a0 := lists(), lookups(), all()
		// A step wakes the trader once; To at the same instant waits until
		// it sleeps again. Only steps that logged a tick (the read-back) are
		// timed: the others are the strategy's bar closes.
		var took []time.Duration
		b.ResetTimer()
		for steps := 0; len(took) < ticks && steps < 20*ticks; steps++ {
			before := len(w.Log.Messages("tick"))
			start := time.Now()
			r.Step()
			r.To(w.Clock.Now())
			dt := time.Since(start)
			if len(w.Log.Messages("tick")) > before {
				took = append(took, dt)
			}
		}
		b.StopTimer()
		if len(took) < ticks {
			b.Fatalf("%d ticks logged, want %d", len(took), ticks)
		}
		// Counted before Stop, whose shutdown pass is not a tick.
		l, k, a := lists()-l0, lookups()-k0, all()-a0
		if err := r.Stop(); err != nil {
			b.Fatal(err)
		}
		slices.Sort(took)
		b.ReportMetric(float64(l)/ticks, "lists/tick")
		b.ReportMetric(float64(k)/ticks, "lookups/tick")
		b.ReportMetric(float64(a)/ticks, "requests/tick")
		b.ReportMetric(float64(took[ticks/2].Microseconds())/1000, "ms/tick-median")
	}
}
