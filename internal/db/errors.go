package db

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) when a row that was asked for by key does
// not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a write violates a uniqueness rule:
// a second active position for a symbol, a duplicate client_order_id, a
// duplicate session id.
var ErrConflict = errors.New("conflict")

// ErrImmutable is returned when something tries to change a checkpoint row.
var ErrImmutable = errors.New("checkpoint rows are immutable")

// LeaseHeldError says that another process trades the session.
type LeaseHeldError struct {
	SessionID string
	Holder    Holder
}

func (e *LeaseHeldError) Error() string {
	if e.Holder.Host == "" && e.Holder.PID == 0 {
		return fmt.Sprintf("session %s is being traded by another process", e.SessionID)
	}
	return fmt.Sprintf("session %s is being traded by pid %d on host %s (since %s)",
		e.SessionID, e.Holder.PID, e.Holder.Host, e.Holder.Since.UTC().Format("2006-01-02T15:04:05Z"))
}

// SymbolClaimedError says that another session holds the claim on a symbol:
// on one broker account positions net per symbol, so two sessions must
// never hold the same one. It is a conflict (errors.Is ErrConflict).
type SymbolClaimedError struct {
	Claim SymbolClaim
}

func (e *SymbolClaimedError) Unwrap() error { return ErrConflict }

func (e *SymbolClaimedError) Error() string {
	return fmt.Sprintf("symbol %s is claimed by session %s (instance %d) since %s",
		e.Claim.Symbol, e.Claim.SessionID, e.Claim.InstanceID, e.Claim.ClaimedAt.UTC().Format("2006-01-02T15:04:05Z"))
}

// ErrCorrupt says that the database file is damaged: SQLite found pages or
// a header it cannot read. The message says how to check the file.
var ErrCorrupt = errors.New("the database file is damaged")
