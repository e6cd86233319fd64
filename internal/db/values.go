package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Where a value point comes from (session_values.source).
const (
	ValueStart      = "start"      // a run of the session began
	ValueCheckpoint = "checkpoint" // at a checkpoint, of any trigger
	ValueEnd        = "end"        // a run ended cleanly: the session's final value then
)

// ValuePoint is the session's own value (internal/pnl) at one market
// instant, with the prices its open positions were valued at: one row of
// session_values, which checkpoint cleanup never touches, so the equity
// curve outlives the checkpoints.
type ValuePoint struct {
	ID        int64
	SessionID string
	// MarketTime is the broker's clock at the instant the trader valued
	// the session; RecordedAt is the wall clock when it was written.
	MarketTime time.Time
	RecordedAt time.Time
	Source     string
	// Equity is the starting capital plus Realized and Unrealized; null
	// when the session has no starting capital.
	Equity     decimal.NullDecimal
	Realized   decimal.Decimal
	Unrealized decimal.Decimal
	// Prices are the prices of the open symbols Unrealized used;
	// PricesStale marks some of them carried over from an earlier read.
	Prices      map[string]decimal.Decimal
	PricesStale bool
}

// EncodePrices writes prices as a JSON object of symbol to decimal
// string, the layout of a checkpoint's session_prices; none is null.
func EncodePrices(prices map[string]decimal.Decimal) ([]byte, error) {
	if len(prices) == 0 {
		return nil, nil
	}
	text := make(map[string]string, len(prices))
	for sym, px := range prices {
		text[sym] = px.String()
	}
	b, err := json.Marshal(text)
	if err != nil {
		return nil, fmt.Errorf("encode prices: %w", err)
	}
	return b, nil
}

// JSONPrices reads a JSON object of symbol to decimal (a string, or a
// number taken from its exact text); entries that are not decimals are
// left out, and anything but an object is no prices.
func JSONPrices(raw []byte) map[string]decimal.Decimal {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(raw), &obj); err != nil || len(obj) == 0 {
		return nil
	}
	out := make(map[string]decimal.Decimal, len(obj))
	for sym, v := range obj {
		if d := JSONDecimal(v); d.Valid {
			out[sym] = d.Decimal
		}
	}
	return out
}
