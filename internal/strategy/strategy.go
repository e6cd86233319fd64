// Package strategy holds the trading signal rules. The trader depends only on
// the Strategy interface, so another rule can replace momentum without
// touching the tick loop.
package strategy

import (
	"time"

	"github.com/shopspring/decimal"
)

// Bar is one OHLCV bar. Volume is a decimal too so that feeds reporting
// fractional volume need no special case.
type Bar struct {
	Time                           time.Time
	Open, High, Low, Close, Volume decimal.Decimal
}

// Direction is the side a signal asks for; the values are the ones stored in
// positions.direction.
type Direction string

const (
	// Up asks for a long entry (buy).
	Up Direction = "UP"
	// Down asks for a short entry (sell short).
	Down Direction = "DOWN"
)

// Signal is an entry suggestion for one symbol.
type Signal struct {
	Symbol    string
	Direction Direction
	// Bar is the start of the newest bar evaluated: the signal bar.
	Bar time.Time
	// Price is the close of the signal bar. Orders are priced from the
	// market at order time; Price tells whether the market has moved
	// through the stop since the signal.
	Price       decimal.Decimal
	ChangePct   decimal.Decimal
	VolumeRatio decimal.Decimal
	Reason      string
}

// Strategy turns recent bars into entry signals.
type Strategy interface {
	Name() string
	// Timeframe is an Alpaca bar timeframe string such as "5Min".
	Timeframe() string
	// Lookback is how many bars the caller should request per symbol.
	Lookback() int
	// Evaluate looks at bars ordered oldest first and reports a signal, if any.
	Evaluate(symbol string, bars []Bar) (Signal, bool)
	// Inspect is Evaluate with how near the bars came to a signal, for
	// the scan's log line.
	Inspect(symbol string, bars []Bar) Evaluation
	// Params lists every parameter for the checkpoint's strategy_params;
	// decimals are rendered as strings so that JSON keeps them exact.
	Params() map[string]any
}

// Evaluation is what a rule says about the newest bar of a window.
type Evaluation struct {
	Signal Signal
	Fired  bool
	// Closeness is how near the bars came to a signal: 1 or more fires;
	// 0 when there were too few bars to say.
	Closeness float64
	// Summary says it for a person, e.g. "AAPL +1.20% vol 1.40x: below 2% / 2x".
	Summary string
}
