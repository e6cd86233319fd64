package db

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// CheckpointPoint is one checkpoint of a session's value history: what an
// equity curve needs, without the payloads.
type CheckpointPoint struct {
	ID             int64
	Sequence       *int64 // null on rows written by other tools
	CheckpointTime time.Time
	// PortfolioValue and Cash come from account_snapshot; they are null when
	// the snapshot is missing, is not a JSON object, lacks the key or holds
	// something that is not a decimal.
	PortfolioValue decimal.NullDecimal
	Cash           decimal.NullDecimal
	// MarketTime is account_snapshot's market_time: the broker's clock at
	// the checkpoint, which the simulated exchange runs faster than the
	// wall clock. Null on rows written before the field existed and when
	// the value is not an RFC 3339 string.
	MarketTime *time.Time
	// SessionEquity is account_snapshot's session_equity: the session's
	// own value (internal/pnl), null on rows written before it existed,
	// without a starting capital, or when it is not a decimal.
	SessionEquity decimal.NullDecimal
	// SessionPrices are session_prices, the prices its open positions were
	// valued at (nil when absent), and SessionPricesStale is
	// session_prices_stale: some were carried over from an earlier read.
	SessionPrices      map[string]decimal.Decimal
	SessionPricesStale bool
}

// JSONDecimal reads a decimal from the text of one JSON value: a number,
// taken from its exact text (float64 would round money), or a string
// holding one, as other tools write. Anything else is null. Both drivers
// extract the value's JSON text in SQL and decode it here, so they agree.
func JSONDecimal(raw []byte) decimal.NullDecimal {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return decimal.NullDecimal{}
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return decimal.NullDecimal{}
		}
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(d)
}

// JSONTime reads an RFC 3339 time, in UTC, from the text of one JSON string
// value; anything else is nil. Like JSONDecimal, it is the driver-neutral
// half of extracting a snapshot key in SQL.
func JSONTime(raw []byte) *time.Time {
	var s string
	if err := json.Unmarshal(bytes.TrimSpace(raw), &s); err != nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
