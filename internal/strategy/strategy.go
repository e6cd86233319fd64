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
	// Price is the close of the last evaluated bar, the reference for sizing.
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
	// Params lists every parameter for the checkpoint's strategy_params;
	// decimals are rendered as strings so that JSON keeps them exact.
	Params() map[string]any
}
