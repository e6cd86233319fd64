// Package db holds the store contract shared by the PostgreSQL and SQLite
// drivers. The contract exists so that one conformance suite (dbtest) can
// prove both drivers behave the same; consumers declare the narrower
// interfaces they actually use.
package db

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Session statuses as stored in trading_sessions.status.
const (
	StatusActive    = "active"
	StatusCompleted = "completed"
	StatusCrashed   = "crashed"
)

// Position statuses and directions as stored in positions.
const (
	PositionActive = "active"
	PositionClosed = "closed"

	DirectionUp   = "UP"
	DirectionDown = "DOWN"
)

// Checkpoint triggers.
const (
	TriggerInterval = "interval"
	TriggerShutdown = "shutdown"
	TriggerResume   = "resume"
	TriggerManual   = "manual"
	// TriggerReopen marks the first checkpoint of a completed session
	// reopened on purpose; its account snapshot keeps the previous run's
	// end (previous_run).
	TriggerReopen = "reopen"
)

// Journal order statuses that are ours rather than the broker's. Every other
// status is copied verbatim from the broker (new, accepted, filled, ...).
const (
	OrderIntent    = "intent"    // written, not yet acknowledged by the broker
	OrderAbandoned = "abandoned" // never acknowledged and unknown at the broker
)

// Session is one row of trading_sessions. Pointer and Null* fields are
// nullable columns: rows written by the system this replaces may lack them.
type Session struct {
	ID                    string
	InstanceID            int
	StrategyName          string
	StartTime             time.Time
	EndTime               *time.Time
	Status                string
	Symbols               []string
	DurationMinutes       int
	ScanIntervalSeconds   int
	InitialPortfolioValue decimal.NullDecimal
	FinalPortfolioValue   decimal.NullDecimal
	PnL                   decimal.NullDecimal
	PnLPct                decimal.NullDecimal
	TotalTrades           int
	AllocatedCapital      decimal.NullDecimal
	CreatedAt             time.Time
	UpdatedAt             time.Time

	// Settings is the run configuration (JSON object) a resume restores.
	// Added column; nullable.
	Settings json.RawMessage
}

// SessionEnd carries what is written when a session stops.
type SessionEnd struct {
	Status              string // completed or crashed
	EndTime             time.Time
	FinalPortfolioValue decimal.NullDecimal
	PnL                 decimal.NullDecimal
	PnLPct              decimal.NullDecimal
	TotalTrades         int
}

// SessionFilter narrows ListSessions. Zero values mean "any".
type SessionFilter struct {
	Status     string
	InstanceID int // 0 = any
	Limit      int // 0 = no limit
}

// SessionSummary is a session plus aggregates for `sessions list`.
type SessionSummary struct {
	Session
	ActivePositions int
	Checkpoints     int
	LastCheckpoint  *time.Time
}

// Position is one row of positions.
type Position struct {
	ID              int64
	SessionID       string
	Symbol          string
	EntryTime       time.Time
	EntryPrice      decimal.Decimal
	ExitTime        *time.Time
	ExitPrice       decimal.NullDecimal
	Qty             decimal.Decimal
	Direction       string // UP or DOWN
	Side            string // buy or sell
	StopLoss        decimal.NullDecimal
	TakeProfit      decimal.NullDecimal
	OrderID         string // broker order id of the entry
	Status          string // active or closed
	ExitReason      string
	PnL             decimal.NullDecimal
	PnLPct          decimal.NullDecimal
	DurationMinutes decimal.NullDecimal
	// EntryClientOrderID links the position to its journal entry. Added; nullable.
	EntryClientOrderID string
	// RepairCount counts exit-order repairs, so repaired exits get fresh,
	// deterministic client order ids. Added; default 0.
	RepairCount int
}

// PositionClose is what closes an active position.
type PositionClose struct {
	PositionID      int64
	ExitTime        time.Time
	ExitPrice       decimal.NullDecimal // null when the broker gave no fill
	ExitReason      string
	PnL             decimal.NullDecimal
	PnLPct          decimal.NullDecimal
	DurationMinutes decimal.NullDecimal
}

// Order is one row of order_journal: an order intent and what the broker
// later said about it.
type Order struct {
	ID                  int64
	SessionID           string
	ClientOrderID       string // unique across the table
	Seq                 int64  // per-session sequence the client id was built from
	BrokerOrderID       string // empty until acknowledged
	ParentClientOrderID string // set for bracket/OCO legs
	Symbol              string
	OrderType           string // market, limit, stop, stop_limit
	OrderClass          string // simple, bracket, oco, oto
	Side                string // buy or sell
	Qty                 decimal.Decimal
	LimitPrice          decimal.NullDecimal
	StopPrice           decimal.NullDecimal
	TakeProfitPrice     decimal.NullDecimal
	StopLossPrice       decimal.NullDecimal
	Status              string
	FilledQty           decimal.Decimal
	FilledAvgPrice      decimal.NullDecimal
	Purpose             string // entry, exit, repair, adopted
	RejectionReason     string
	CreatedAt           time.Time
	SubmittedAt         *time.Time
	AcknowledgedAt      *time.Time
	UpdatedAt           time.Time
}

// OrderUpdate changes the broker-side facts of a journal order.
type OrderUpdate struct {
	ClientOrderID   string
	BrokerOrderID   string // empty = unchanged
	Status          string
	FilledQty       decimal.Decimal
	FilledAvgPrice  decimal.NullDecimal
	RejectionReason string // empty = unchanged
	AcknowledgedAt  *time.Time
	UpdatedAt       time.Time
}

// Fill is one broker execution. FillID is the broker's execution identity
// (or order id + cumulative filled qty when the broker gives none); a fill is
// applied at most once per FillID.
type Fill struct {
	FillID        string
	SessionID     string
	ClientOrderID string
	BrokerOrderID string
	Symbol        string
	Side          string
	Qty           decimal.Decimal
	Price         decimal.Decimal
	FilledAt      time.Time
}

// FillEffect is a fill and everything it changes, applied in one transaction
// or not at all.
type FillEffect struct {
	Fill  Fill
	Order *OrderUpdate // journal update for the filled order, optional
	Open  *Position    // position opened by an entry fill, optional
	Close *PositionClose
}

// Checkpoint is one row of position_checkpoints. PositionsSnapshot and
// AccountSnapshot hold the stored JSON text byte for byte, because the
// checksum is computed over that text.
type Checkpoint struct {
	CheckpointMeta
	PositionsSnapshot json.RawMessage
	AccountSnapshot   json.RawMessage
}

// CheckpointMeta is a checkpoint without its payload, so listings never load
// payloads. Sequence, Trigger, DurationMS, SizeBytes and Checksum are added
// columns and are null on rows written by other tools.
type CheckpointMeta struct {
	ID                   int64
	SessionID            string
	CheckpointTime       time.Time
	ActivePositionsCount int
	ClosedTradesCount    int
	CreatedAt            time.Time
	Sequence             *int64
	Trigger              string
	DurationMS           *float64
	SizeBytes            *int64
	Checksum             string
}

// CheckpointInput is what the caller supplies; the store reads the
// positions itself and writes the row in one transaction with that read,
// or in one statement that checks they are still as read, so the snapshot
// is consistent with the row counts.
type CheckpointInput struct {
	SessionID      string
	CheckpointTime time.Time
	Trigger        string
	// AccountSnapshot is the complete account JSON object (portfolio_value,
	// buying_power, cash, timestamp, strategy_params, ...).
	AccountSnapshot json.RawMessage
}

// CheckpointStats are the raw aggregates; derived figures (span, average
// interval, age) are computed by the checkpoint package.
type CheckpointStats struct {
	Total         int64
	First         *time.Time
	Last          *time.Time
	AvgDurationMS *float64
	MaxDurationMS *float64
	TotalBytes    int64
}

// CheckpointDelete selects checkpoints of one session to delete: all rows
// except the newest Keep (by checkpoint_time, then id), except Protect, and
// when OlderThan is set only rows with checkpoint_time before it.
type CheckpointDelete struct {
	SessionID string
	Keep      int
	OlderThan *time.Time
	Protect   int64 // id never deleted (the newest good checkpoint); 0 = none
	BatchSize int   // rows per DELETE statement; <= 0 means the driver default
	DryRun    bool  // count only
}

// Holder identifies the process that holds a session lease.
type Holder struct {
	Host  string
	PID   int
	Since time.Time
}

// TimeFormat is how SQLite stores times: RFC 3339 in UTC with a fixed nine
// digit fraction, so that text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"
