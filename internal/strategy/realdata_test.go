package strategy_test

import (
	"math/big"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/realdata"
	"github.com/gambler-trader/gambler/internal/strategy"
)

func rat(d decimal.Decimal) *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}

// exactBar holds the fields of a bar the rule reads, as exact rationals.
type exactBar struct{ open, close, volume *big.Rat }

func toExact(bars []strategy.Bar) []exactBar {
	out := make([]exactBar, len(bars))
	for i, b := range bars {
		out[i] = exactBar{rat(b.Open), rat(b.Close), rat(b.Volume)}
	}
	return out
}

// exactMomentum recomputes the default rule from scratch in exact rational
// arithmetic: each ratio from its own window sum, no sliding, no rounding.
func exactMomentum(bars []exactBar) (change, ratio *big.Rat, hasRatio bool) {
	n := len(bars)
	first, last := bars[n-5].open, bars[n-1].close
	change = new(big.Rat).Sub(last, first)
	change.Mul(change, big.NewRat(100, 1)).Quo(change, first)
	sum, count := new(big.Rat), 0
	for i := n - 5; i < n; i++ {
		if i < 19 {
			continue
		}
		window := new(big.Rat)
		for j := i - 19; j <= i; j++ {
			window.Add(window, bars[j].volume)
		}
		if window.Sign() == 0 {
			continue
		}
		mean := new(big.Rat).Quo(window, big.NewRat(20, 1))
		sum.Add(sum, new(big.Rat).Quo(bars[i].volume, mean))
		count++
	}
	if count == 0 {
		return change, nil, false
	}
	return change, sum.Quo(sum, big.NewRat(int64(count), 1)), true
}

func TestMomentumOnRealHourlyBars(t *testing.T) {
	bySymbol := realdata.Load(t, realdata.BarsFile(t))
	if len(bySymbol) != 10 {
		t.Fatalf("%d symbols in the data, want 10", len(bySymbol))
	}
	p := strategy.DefaultMomentumParams()
	p.Timeframe = "1Hour"
	m := newMomentum(t, p)
	two := big.NewRat(2, 1)
	tolerance := big.NewRat(1, 1_000_000_000_000)

	total, windows := 0, 0
	for sym, bars := range bySymbol {
		exact := toExact(bars)
		signals, longestQuiet, quiet := 0, 0, 0
		for end := m.Lookback(); end <= len(bars); end++ {
			window := bars[end-m.Lookback() : end]
			windows++
			sig, ok := m.Evaluate(sym, window)

			change, ratio, hasRatio := exactMomentum(exact[end-m.Lookback() : end])
			absChange := new(big.Rat).Abs(change)
			want := hasRatio && absChange.Cmp(two) >= 0 && ratio.Cmp(two) >= 0
			if ok != want {
				t.Fatalf("%s at %s: signal %v, exact recomputation says %v (change %s, ratio %v)",
					sym, window[len(window)-1].Time, ok, want, change.FloatString(6), ratio)
			}
			if !ok {
				quiet++
				longestQuiet = max(longestQuiet, quiet)
				continue
			}
			quiet = 0
			signals++
			wantDir := strategy.Up
			if change.Sign() < 0 {
				wantDir = strategy.Down
			}
			if sig.Direction != wantDir || sig.Symbol != sym || !sig.Price.Equal(window[len(window)-1].Close) {
				t.Errorf("%s at %s: signal %+v, want %s at the last close", sym, window[len(window)-1].Time, sig, wantDir)
			}
			for _, c := range []struct{ got, want *big.Rat }{{rat(sig.ChangePct), change}, {rat(sig.VolumeRatio), ratio}} {
				if diff := new(big.Rat).Sub(c.got, c.want); new(big.Rat).Abs(diff).Cmp(tolerance) > 0 {
					t.Errorf("%s at %s: %s differs from exact %s", sym, window[len(window)-1].Time, c.got.FloatString(12), c.want.FloatString(12))
				}
			}
		}
		t.Logf("%s: %d signals over %d bars, longest stretch without one: %d bars", sym, signals, len(bars), longestQuiet)
		// About 7 hourly bars a trading day: a month is roughly 150 bars.
		if longestQuiet < 150 {
			t.Errorf("%s: longest stretch without a signal is %d bars, want long quiet stretches (>= 150)", sym, longestQuiet)
		}
		total += signals
	}
	t.Logf("total: %d signals over %d windows", total, windows)
	if total == 0 || total*10 >= windows {
		t.Errorf("%d signals over %d windows: want some, and fewer than 10%%", total, windows)
	}
}
