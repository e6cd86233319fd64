package strategy_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/strategy"
)

var t0 = time.Date(2025, 3, 3, 14, 30, 0, 0, time.UTC)

func dec(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}
	return d
}

// flat returns n five-minute bars at one price, each with the given volume.
func flat(n int, price, volume int64) []strategy.Bar {
	bars := make([]strategy.Bar, n)
	for i := range bars {
		p := decimal.NewFromInt(price)
		bars[i] = strategy.Bar{
			Time: t0.Add(time.Duration(i) * 5 * time.Minute),
			Open: p, High: p, Low: p, Close: p,
			Volume: decimal.NewFromInt(volume),
		}
	}
	return bars
}

// withVolume sets the volume of bars[from:to].
func withVolume(bars []strategy.Bar, from, to int, volume int64) []strategy.Bar {
	for i := from; i < to; i++ {
		bars[i].Volume = decimal.NewFromInt(volume)
	}
	return bars
}

// withMove makes the last bar close at closePrice, everything else unchanged.
func withMove(t testing.TB, bars []strategy.Bar, closePrice string) []strategy.Bar {
	t.Helper()
	last := &bars[len(bars)-1]
	last.Close = dec(t, closePrice)
	last.High = decimal.Max(last.High, last.Close)
	last.Low = decimal.Min(last.Low, last.Close)
	return bars
}

// spike is 24 bars at 100 with volume 1000, the last five at volume 5000:
// a volume ratio well above 2 (about 3.6).
func spike(t testing.TB, closePrice string) []strategy.Bar {
	return withMove(t, withVolume(flat(24, 100, 1000), 19, 24, 5000), closePrice)
}

// exactTwo is 24 bars at 100 whose last five have a volume ratio of exactly
// 2: each of their 20-bar windows sums to 1000 (mean 50) and each has
// volume 100. Volumes: bars 0-8 100, bars 9-18 0, bars 19-23 100.
func exactTwo(t testing.TB, closePrice string) []strategy.Bar {
	bars := withVolume(flat(24, 100, 100), 9, 19, 0)
	return withMove(t, bars, closePrice)
}

func newMomentum(t testing.TB, p strategy.MomentumParams) *strategy.Momentum {
	t.Helper()
	m, err := strategy.NewMomentum(p)
	if err != nil {
		t.Fatalf("NewMomentum: %v", err)
	}
	return m
}
