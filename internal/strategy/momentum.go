package strategy

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// divPrecision is the number of decimal places kept by every division; far
// below anything the thresholds (given in hundredths) can distinguish.
const divPrecision = 16

var hundred = decimal.NewFromInt(100)

// validTimeframes are the Alpaca bar timeframes the strategy accepts.
var validTimeframes = map[string]bool{
	"1Min": true, "5Min": true, "15Min": true, "30Min": true, "1Hour": true, "1Day": true,
}

// MomentumParams configures the momentum rule.
type MomentumParams struct {
	Timeframe         string
	MinBars           int
	VolumeWindow      int
	ChangeBars        int
	MinPriceChangePct decimal.Decimal
	MinVolumeRatio    decimal.Decimal
}

// DefaultMomentumParams returns the parameters of the system gambler replaces.
func DefaultMomentumParams() MomentumParams {
	return MomentumParams{
		Timeframe:         "5Min",
		MinBars:           20,
		VolumeWindow:      20,
		ChangeBars:        5,
		MinPriceChangePct: decimal.NewFromInt(2),
		MinVolumeRatio:    decimal.NewFromInt(2),
	}
}

// Validate reports every invalid parameter at once.
func (p MomentumParams) Validate() error {
	var errs []error
	if !validTimeframes[p.Timeframe] {
		errs = append(errs, fmt.Errorf("timeframe %q: want one of 1Min, 5Min, 15Min, 30Min, 1Hour, 1Day", p.Timeframe))
	}
	for _, w := range []struct {
		name string
		v    int
	}{{"min bars", p.MinBars}, {"volume window", p.VolumeWindow}, {"change bars", p.ChangeBars}} {
		if w.v <= 0 {
			errs = append(errs, fmt.Errorf("%s %d: must be positive", w.name, w.v))
		}
	}
	if p.ChangeBars > p.MinBars {
		errs = append(errs, fmt.Errorf("change bars %d: must not exceed min bars %d", p.ChangeBars, p.MinBars))
	}
	// The last bar must always have a complete volume window, otherwise a
	// series of MinBars bars could never produce a ratio.
	if p.VolumeWindow > p.MinBars {
		errs = append(errs, fmt.Errorf("volume window %d: must not exceed min bars %d", p.VolumeWindow, p.MinBars))
	}
	if !p.MinPriceChangePct.IsPositive() {
		errs = append(errs, fmt.Errorf("min price change pct %s: must be positive", p.MinPriceChangePct))
	}
	if !p.MinVolumeRatio.IsPositive() {
		errs = append(errs, fmt.Errorf("min volume ratio %s: must be positive", p.MinVolumeRatio))
	}
	if len(errs) > 0 {
		return fmt.Errorf("momentum params: %w", errors.Join(errs...))
	}
	return nil
}

// Momentum signals a strong price move over the last ChangeBars bars that
// comes with unusually high volume.
//
// The volume ratio of bar i is its volume divided by the mean volume of the
// VolumeWindow bars ending at i (bar i included). Like the pandas
// rolling(window).mean() of the replaced system, a bar with fewer than
// VolumeWindow bars of history in the input has no ratio, and neither has a
// bar whose window mean is zero; bars without a ratio are left out of the
// mean ratio (pandas skips NaN and the infinite 0-mean case is treated the
// same way). No ratio among the change bars means no signal.
type Momentum struct {
	p MomentumParams
}

var _ Strategy = (*Momentum)(nil)

// NewMomentum validates p and builds the strategy.
func NewMomentum(p MomentumParams) (*Momentum, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Momentum{p: p}, nil
}

// Name implements Strategy.
func (m *Momentum) Name() string { return "momentum" }

// Timeframe implements Strategy.
func (m *Momentum) Timeframe() string { return m.p.Timeframe }

// Lookback is enough bars for every change bar to have a complete volume
// window (24 with the defaults), and never fewer than MinBars. Evaluate still
// signals from MinBars bars on.
func (m *Momentum) Lookback() int {
	return max(m.p.MinBars, m.p.ChangeBars+m.p.VolumeWindow-1)
}

// Params implements Strategy.
func (m *Momentum) Params() map[string]any {
	return map[string]any{
		"strategy":             m.Name(),
		"timeframe":            m.p.Timeframe,
		"min_bars":             m.p.MinBars,
		"volume_window":        m.p.VolumeWindow,
		"change_bars":          m.p.ChangeBars,
		"min_price_change_pct": m.p.MinPriceChangePct.String(),
		"min_volume_ratio":     m.p.MinVolumeRatio.String(),
	}
}

// Evaluate implements Strategy. bars must be ordered oldest first.
func (m *Momentum) Evaluate(symbol string, bars []Bar) (Signal, bool) {
	ev := m.Inspect(symbol, bars)
	return ev.Signal, ev.Fired
}

// Inspect implements Strategy.
func (m *Momentum) Inspect(symbol string, bars []Bar) Evaluation {
	n := len(bars)
	if n < m.p.MinBars {
		return Evaluation{Summary: fmt.Sprintf("%s: %d of %d bars", symbol, n, m.p.MinBars)}
	}
	first, last := bars[n-m.p.ChangeBars], bars[n-1]
	if !first.Open.IsPositive() {
		return Evaluation{Summary: symbol + ": no price"}
	}
	change := last.Close.Sub(first.Open).Mul(hundred).DivRound(first.Open, divPrecision)
	ratio, ok := m.meanVolumeRatio(bars)
	if !ok {
		return Evaluation{Summary: fmt.Sprintf("%s %s%%: no volume", symbol, signed(change))}
	}
	byChange := change.Abs().Div(m.p.MinPriceChangePct).InexactFloat64()
	byVolume := ratio.Div(m.p.MinVolumeRatio).InexactFloat64()
	ev := Evaluation{Closeness: min(byChange, byVolume),
		Summary: fmt.Sprintf("%s %s%% vol %sx", symbol, signed(change), ratio.StringFixed(2))}
	if change.Abs().LessThan(m.p.MinPriceChangePct) || ratio.LessThan(m.p.MinVolumeRatio) {
		ev.Summary += fmt.Sprintf(": below %s%% / %sx", m.p.MinPriceChangePct, m.p.MinVolumeRatio)
		return ev
	}
	dir := Up
	if change.IsNegative() {
		dir = Down
	}
	ev.Fired = true
	ev.Signal = Signal{
		Symbol:      symbol,
		Direction:   dir,
		Bar:         last.Time,
		Price:       last.Close,
		ChangePct:   change,
		VolumeRatio: ratio,
		Reason: fmt.Sprintf("momentum %s: %s%% over %d bars, volume %sx the %d-bar mean",
			dir, change.StringFixed(2), m.p.ChangeBars, ratio.StringFixed(2), m.p.VolumeWindow),
	}
	return ev
}

// signed renders a percentage with its sign and two decimals.
func signed(d decimal.Decimal) string {
	if d.IsNegative() {
		return d.StringFixed(2)
	}
	return "+" + d.StringFixed(2)
}

// meanVolumeRatio averages the volume ratios of the last ChangeBars bars that
// have one; ok is false when none has.
func (m *Momentum) meanVolumeRatio(bars []Bar) (decimal.Decimal, bool) {
	n, w := len(bars), m.p.VolumeWindow
	start := n - m.p.ChangeBars
	// Slide one running sum over the windows of the change bars instead of
	// summing each window afresh.
	lo := max(0, start-w+1)
	sum := decimal.Zero
	for _, b := range bars[lo:start] {
		sum = sum.Add(b.Volume)
	}
	window := decimal.NewFromInt(int64(w))
	total, count := decimal.Zero, 0
	for i := start; i < n; i++ {
		sum = sum.Add(bars[i].Volume)
		if i-w >= lo {
			sum = sum.Sub(bars[i-w].Volume)
		}
		if i+1 < w || !sum.IsPositive() {
			continue
		}
		// volume / (sum / w) == volume * w / sum, with a single division.
		total = total.Add(bars[i].Volume.Mul(window).DivRound(sum, divPrecision))
		count++
	}
	if count == 0 {
		return decimal.Zero, false
	}
	return total.DivRound(decimal.NewFromInt(int64(count)), divPrecision), true
}
