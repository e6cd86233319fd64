package bench

import (
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/strategy"
)

const strategyTicks = 200

// strategyCost times the default strategy over TickSymbols symbols of
// Lookback bars each, as one tick evaluates them, on one goroutine.
func (r *runner) strategyCost(res *tickResult) error {
	m, err := strategy.NewMomentum(strategy.DefaultMomentumParams())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bars := make([][]strategy.Bar, r.cfg.TickSymbols)
	for s := range bars {
		price := 50 + rng.Float64()*200
		at := t0
		for range m.Lookback() {
			o := price
			price *= 1 + (rng.Float64()-0.5)/100
			bars[s] = append(bars[s], strategy.Bar{Time: at,
				Open: decimal.NewFromFloat(o).Round(2), Close: decimal.NewFromFloat(price).Round(2),
				High: decimal.NewFromFloat(max(o, price)).Round(2), Low: decimal.NewFromFloat(min(o, price)).Round(2),
				Volume: decimal.NewFromInt(int64(1000 + rng.IntN(5000)))})
			at = at.Add(5 * time.Minute)
		}
	}
	syms := make([]string, len(bars))
	for i := range syms {
		syms[i] = symbol(i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ds, _ := timeN(strategyTicks, func() error {
		for i, b := range bars {
			m.Evaluate(syms[i], b)
		}
		return nil
	})
	runtime.ReadMemStats(&after)
	res.strategyCPU.addRep(ds)
	res.strategyAllocs = float64(after.Mallocs-before.Mallocs) / strategyTicks
	res.strategyBytes = float64(after.TotalAlloc-before.TotalAlloc) / strategyTicks
	return nil
}
