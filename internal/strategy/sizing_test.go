package strategy_test

import (
	"testing"

	"github.com/gambler-trader/gambler/internal/strategy"
)

func TestQty(t *testing.T) {
	tests := []struct{ size, price, want string }{
		{"10000", "150", "66"},
		{"10000", "100", "100"},
		{"10000", "3", "3333"},
		{"10000", "0.3333", "30003"},
		{"10000", "10001", "0"},
		{"10000", "0", "0"},
		{"10000", "-5", "0"},
		{"0", "5", "0"},
		// Just under a whole number: truncation, not rounding at 16 places.
		{"99.9999999999999999999", "1", "99"},
	}
	for _, tt := range tests {
		got := strategy.Qty(dec(t, tt.size), dec(t, tt.price))
		if !got.Equal(dec(t, tt.want)) {
			t.Errorf("Qty(%s, %s) = %s, want %s", tt.size, tt.price, got, tt.want)
		}
	}
}

func TestExits(t *testing.T) {
	tests := []struct {
		name                 string
		dir                  strategy.Direction
		entry, sl, tp        string
		wantStop, wantTarget string
	}{
		{"UP round numbers", strategy.Up, "100", "2", "4", "98", "104"},
		{"DOWN mirrored", strategy.Down, "100", "2", "4", "102", "96"},
		{"UP to cents", strategy.Up, "123.456", "2", "4", "120.99", "128.39"},
		{"DOWN to cents", strategy.Down, "123.456", "2", "4", "125.93", "118.52"},
		{"half cent rounds away from zero", strategy.Up, "100.25", "2", "4", "98.25", "104.26"},
		{"sub-dollar UP keeps 4 decimals", strategy.Up, "0.5123", "2", "4", "0.5021", "0.5328"},
		{"sub-dollar DOWN keeps 4 decimals", strategy.Down, "0.5123", "2", "4", "0.5225", "0.4918"},
		{"sub-dollar stop, dollar target", strategy.Up, "0.99", "2", "4", "0.9702", "1.03"},
		{"rounds up to a dollar", strategy.Up, "0.9804", "2", "2", "0.9608", "1"},
		{"fractional percentages", strategy.Up, "250", "1.5", "3.25", "246.25", "258.13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stop, target := strategy.Exits(tt.dir, dec(t, tt.entry), dec(t, tt.sl), dec(t, tt.tp))
			if !stop.Equal(dec(t, tt.wantStop)) || !target.Equal(dec(t, tt.wantTarget)) {
				t.Errorf("Exits = stop %s target %s, want %s %s", stop, target, tt.wantStop, tt.wantTarget)
			}
			for _, p := range []string{stop.String(), target.String()} {
				if d := dec(t, p); d.Exponent() < -4 || (d.Abs().Cmp(dec(t, "1")) >= 0 && d.Exponent() < -2) {
					t.Errorf("%s has more decimals than Alpaca accepts", p)
				}
			}
		})
	}
}

func TestRoundPrice(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1", "1"}, {"1.005", "1.01"}, {"12.3449", "12.34"},
		{"0.99994", "0.9999"}, {"0.99996", "1"}, {"0.00005", "0.0001"}, {"0.123456", "0.1235"},
	}
	for _, tt := range tests {
		if got := strategy.RoundPrice(dec(t, tt.in)); !got.Equal(dec(t, tt.want)) {
			t.Errorf("RoundPrice(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
