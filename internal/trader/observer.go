package trader

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/pnl"
)

// Observer is told what the trader does, so that the caller can export it
// (as metrics) without the trader knowing how. Calls come from the
// goroutine that runs the trader.
type Observer interface {
	// CheckpointCreated reports a written checkpoint: when, how long the
	// write took and how large the snapshot is.
	CheckpointCreated(at time.Time, took time.Duration, sizeBytes int64)
	CheckpointFailed()
	CheckpointRestored()
	ActivePositions(n int)
	Account(portfolioValue, cash decimal.Decimal)
	// SessionValue reports the session's own value (internal/pnl), as
	// opposed to the account's, which other sessions may share.
	SessionValue(f pnl.Figures)
	// OrderStatus reports a status journaled for an order: intent, new,
	// accepted, filled, canceled, rejected, abandoned and so on.
	OrderStatus(status string)
	// FillApplied reports a fill recorded for the first time.
	FillApplied()
	// StoreUp reports whether the store answered the last call.
	StoreUp(up bool)
}

// noObserver is the Observer when nobody listens.
type noObserver struct{}

func (noObserver) CheckpointCreated(time.Time, time.Duration, int64) {}
func (noObserver) CheckpointFailed()                                 {}
func (noObserver) CheckpointRestored()                               {}
func (noObserver) ActivePositions(int)                               {}
func (noObserver) Account(decimal.Decimal, decimal.Decimal)          {}
func (noObserver) SessionValue(pnl.Figures)                          {}
func (noObserver) OrderStatus(string)                                {}
func (noObserver) FillApplied()                                      {}
func (noObserver) StoreUp(bool)                                      {}
