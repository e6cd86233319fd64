package strategy_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/strategy"
)

func TestMomentumEvaluate(t *testing.T) {
	def := strategy.DefaultMomentumParams()
	sixBars := def
	sixBars.ChangeBars = 6

	// A jump on bar 18, just before the default 5-bar window, then flat.
	jumpBefore := func() []strategy.Bar {
		bars := withVolume(flat(24, 110, 1000), 18, 24, 5000)
		bars[18].Open = decimal.NewFromInt(100)
		for i := range 18 {
			bars[i].Open, bars[i].Close = decimal.NewFromInt(100), decimal.NewFromInt(100)
		}
		return bars
	}

	tests := []struct {
		name       string
		params     strategy.MomentumParams
		bars       []strategy.Bar
		wantSignal bool
		wantDir    strategy.Direction
		wantChange string // checked when not empty
		wantRatio  string // checked when not empty
	}{
		{name: "UP", bars: spike(t, "103"), wantSignal: true, wantDir: strategy.Up, wantChange: "3"},
		{name: "DOWN", bars: spike(t, "97"), wantSignal: true, wantDir: strategy.Down, wantChange: "-3"},
		{name: "no price move", bars: spike(t, "100.5")},
		{name: "price move without volume", bars: withMove(t, flat(24, 100, 1000), "110")},
		{name: "both exactly at the limit UP", bars: exactTwo(t, "102"),
			wantSignal: true, wantDir: strategy.Up, wantChange: "2", wantRatio: "2"},
		{name: "both exactly at the limit DOWN", bars: exactTwo(t, "98"),
			wantSignal: true, wantDir: strategy.Down, wantChange: "-2", wantRatio: "2"},
		{name: "change just below the limit", bars: exactTwo(t, "101.99")},
		{name: "change just below the limit DOWN", bars: exactTwo(t, "98.01")},
		{name: "volume ratio just below the limit",
			bars: withVolume(exactTwo(t, "102"), 9, 10, 1)},
		{name: "19 bars", bars: spike(t, "110")[5:]},
		{name: "empty", bars: nil},
		{name: "all volumes zero", bars: withMove(t, flat(24, 100, 0), "110")},
		{name: "zero-mean windows are skipped, the rest count",
			bars:       withVolume(withMove(t, flat(24, 100, 0), "103"), 23, 24, 100),
			wantSignal: true, wantDir: strategy.Up, wantRatio: "20"},
		// With exactly 20 bars only the last bar has a full 20-bar window.
		// Bars 15-18 carry a huge volume but no ratio: no signal.
		{name: "20 bars, spike only in incomplete windows",
			bars: withVolume(withVolume(withMove(t, flat(20, 100, 100), "103"), 15, 19, 10000), 19, 20, 100)},
		// Bar 19 alone has ratio 300*20/2200 = 2.7272...; averaged with four
		// ratios of 1 from partial windows it would fall below 2.
		{name: "20 bars, only the complete window counts",
			bars:       withVolume(withMove(t, flat(20, 100, 100), "103"), 19, 20, 300),
			wantSignal: true, wantDir: strategy.Up, wantRatio: "2.7272727272727273"},
		{name: "jump before the 5-bar window", bars: jumpBefore()},
		{name: "jump inside a 6-bar window", params: sixBars, bars: jumpBefore(),
			wantSignal: true, wantDir: strategy.Up, wantChange: "10"},
		{name: "zero first open", bars: func() []strategy.Bar {
			b := spike(t, "103")
			b[19].Open = decimal.Zero
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			if p.Timeframe == "" {
				p = def
			}
			sig, ok := newMomentum(t, p).Evaluate("AAPL", tt.bars)
			if ok != tt.wantSignal {
				t.Fatalf("signal = %v (%+v), want %v", ok, sig, tt.wantSignal)
			}
			if !ok {
				return
			}
			if sig.Symbol != "AAPL" || sig.Direction != tt.wantDir {
				t.Errorf("signal %s %s, want AAPL %s", sig.Symbol, sig.Direction, tt.wantDir)
			}
			if last := tt.bars[len(tt.bars)-1].Close; !sig.Price.Equal(last) {
				t.Errorf("price %s, want last close %s", sig.Price, last)
			}
			if tt.wantChange != "" && !sig.ChangePct.Equal(dec(t, tt.wantChange)) {
				t.Errorf("change %s%%, want %s%%", sig.ChangePct, tt.wantChange)
			}
			if tt.wantRatio != "" && !sig.VolumeRatio.Equal(dec(t, tt.wantRatio)) {
				t.Errorf("volume ratio %s, want %s", sig.VolumeRatio, tt.wantRatio)
			}
			if !strings.Contains(sig.Reason, string(tt.wantDir)) {
				t.Errorf("reason %q does not name the direction", sig.Reason)
			}
		})
	}
}

func TestMomentumThresholdsAreParameters(t *testing.T) {
	bars := spike(t, "101") // change 1%, volume ratio about 3.6
	p := strategy.DefaultMomentumParams()
	if _, ok := newMomentum(t, p).Evaluate("X", bars); ok {
		t.Fatal("1% move fired with a 2% threshold")
	}
	p.MinPriceChangePct = decimal.NewFromInt(1)
	if _, ok := newMomentum(t, p).Evaluate("X", bars); !ok {
		t.Fatal("1% move did not fire with a 1% threshold")
	}
	p.MinVolumeRatio = decimal.NewFromInt(4)
	if _, ok := newMomentum(t, p).Evaluate("X", bars); ok {
		t.Fatal("volume ratio 3.6 fired with a threshold of 4")
	}
}

func TestNewMomentumValidation(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*strategy.MomentumParams)
		wantErr string // empty: valid
	}{
		{name: "defaults", modify: func(*strategy.MomentumParams) {}},
		{name: "1Hour", modify: func(p *strategy.MomentumParams) { p.Timeframe = "1Hour" }},
		{name: "1Day", modify: func(p *strategy.MomentumParams) { p.Timeframe = "1Day" }},
		{name: "windows equal to min bars", modify: func(p *strategy.MomentumParams) { p.ChangeBars = 20 }},
		{name: "unknown timeframe", modify: func(p *strategy.MomentumParams) { p.Timeframe = "5m" }, wantErr: "timeframe"},
		{name: "empty timeframe", modify: func(p *strategy.MomentumParams) { p.Timeframe = "" }, wantErr: "timeframe"},
		{name: "zero min bars", modify: func(p *strategy.MomentumParams) { p.MinBars = 0 }, wantErr: "min bars 0"},
		{name: "negative volume window", modify: func(p *strategy.MomentumParams) { p.VolumeWindow = -1 }, wantErr: "volume window -1"},
		{name: "zero change bars", modify: func(p *strategy.MomentumParams) { p.ChangeBars = 0 }, wantErr: "change bars 0"},
		{name: "change bars above min bars", modify: func(p *strategy.MomentumParams) { p.ChangeBars = 21 }, wantErr: "change bars 21"},
		{name: "volume window above min bars", modify: func(p *strategy.MomentumParams) { p.VolumeWindow = 21 }, wantErr: "volume window 21"},
		{name: "zero change threshold", modify: func(p *strategy.MomentumParams) { p.MinPriceChangePct = decimal.Zero }, wantErr: "min price change pct"},
		{name: "negative ratio threshold", modify: func(p *strategy.MomentumParams) { p.MinVolumeRatio = decimal.NewFromInt(-2) }, wantErr: "min volume ratio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := strategy.DefaultMomentumParams()
			tt.modify(&p)
			m, err := strategy.NewMomentum(p)
			if tt.wantErr == "" {
				if err != nil || m == nil {
					t.Fatalf("NewMomentum: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewMomentumReportsEveryError(t *testing.T) {
	_, err := strategy.NewMomentum(strategy.MomentumParams{})
	if err == nil {
		t.Fatal("zero params accepted")
	}
	for _, want := range []string{"timeframe", "min bars", "volume window", "change bars", "min price change pct", "min volume ratio"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestMomentumDescribesItself(t *testing.T) {
	p := strategy.DefaultMomentumParams()
	p.Timeframe = "1Hour"
	p.MinPriceChangePct = dec(t, "2.5")
	m := newMomentum(t, p)
	var s strategy.Strategy = m
	if s.Name() != "momentum" || s.Timeframe() != "1Hour" {
		t.Errorf("name %q timeframe %q", s.Name(), s.Timeframe())
	}
	want := map[string]any{
		"strategy": "momentum", "timeframe": "1Hour", "min_bars": 20, "volume_window": 20,
		"change_bars": 5, "min_price_change_pct": "2.5", "min_volume_ratio": "2",
	}
	got := s.Params()
	if len(got) != len(want) {
		t.Errorf("params %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("params[%q] = %#v, want %#v", k, got[k], v)
		}
	}
}

func TestMomentumLookback(t *testing.T) {
	p := strategy.DefaultMomentumParams()
	if got := newMomentum(t, p).Lookback(); got != 24 {
		t.Errorf("default lookback %d, want 24 (5 change bars, each with a full 20-bar window)", got)
	}
	p.MinBars = 40
	if got := newMomentum(t, p).Lookback(); got != 40 {
		t.Errorf("lookback %d, want min bars 40", got)
	}
}

func TestDefaultMomentumParams(t *testing.T) {
	p := strategy.DefaultMomentumParams()
	if p.Timeframe != "5Min" || p.MinBars != 20 || p.VolumeWindow != 20 || p.ChangeBars != 5 ||
		!p.MinPriceChangePct.Equal(decimal.NewFromInt(2)) || !p.MinVolumeRatio.Equal(decimal.NewFromInt(2)) {
		t.Errorf("defaults %+v differ from the replaced system's", p)
	}
}
