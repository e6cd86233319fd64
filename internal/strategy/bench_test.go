package strategy_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/strategy"
)

// randomWalk returns n bars of a seeded random walk with occasional volume
// bursts.
func randomWalk(rng *rand.Rand, n int) []strategy.Bar {
	bars := make([]strategy.Bar, n)
	price := int64(5000 + rng.IntN(50000))
	for i := range bars {
		open := price
		// Steps up to 1.5% a bar, so that many series pass the change
		// threshold and the volume ratios get computed too.
		price = max(100, price+price*(int64(rng.IntN(301))-150)/10000)
		vol := int64(1000 + rng.IntN(1000))
		if rng.IntN(10) == 0 {
			vol *= 5
		}
		bars[i] = strategy.Bar{
			Time:   t0.Add(time.Duration(i) * 5 * time.Minute),
			Open:   decimal.New(open, -2),
			High:   decimal.New(max(open, price), -2),
			Low:    decimal.New(min(open, price), -2),
			Close:  decimal.New(price, -2),
			Volume: decimal.NewFromInt(vol),
		}
	}
	return bars
}

// BenchmarkEvaluate500Symbols is one tick of a 500-symbol universe: one op
// evaluates every symbol once.
func BenchmarkEvaluate500Symbols(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	symbols := make([]string, 500)
	series := make([][]strategy.Bar, 500)
	for i := range symbols {
		symbols[i] = fmt.Sprintf("S%03d", i)
		series[i] = randomWalk(rng, 25)
	}
	m := newMomentum(b, strategy.DefaultMomentumParams())
	b.ReportAllocs()
	signals := 0
	for b.Loop() {
		signals = 0
		for i, sym := range symbols {
			if _, ok := m.Evaluate(sym, series[i]); ok {
				signals++
			}
		}
	}
	b.ReportMetric(float64(signals), "signals/op")
}
