package db

import (
	"time"

	"github.com/shopspring/decimal"
)

// Where a value point comes from (session_values.source).
const (
	ValueStart      = "start"      // a run of the session began
	ValueFill       = "fill"       // right after a fill the trader recorded
	ValueCheckpoint = "checkpoint" // at a checkpoint, of any trigger
)

// ValuePoint is the session's own value (internal/pnl) at one market
// instant: one row of session_values, which checkpoint cleanup never
// touches, so the equity curve outlives the checkpoints.
type ValuePoint struct {
	ID        int64
	SessionID string
	// MarketTime is the broker's clock: a fill's own time, or the market
	// time of the instant the trader valued the session. RecordedAt is the
	// wall clock when it was written.
	MarketTime time.Time
	RecordedAt time.Time
	Source     string
	FillID     string // the fill a ValueFill point follows; "" otherwise
	// Equity is the starting capital plus Realized and Unrealized; null
	// when the session has no starting capital.
	Equity     decimal.NullDecimal
	Realized   decimal.Decimal
	Unrealized decimal.Decimal
	// PricesStale marks prices carried over from an earlier read;
	// Unpriced lists open symbols with no price at all, which Unrealized
	// leaves out.
	PricesStale bool
	Unpriced    []string
}
