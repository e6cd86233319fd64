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

// ErrFenced is what a fenced write wraps (through *StaleLeaseError) when
// its lease epoch is no longer the session's: another process took the
// session over, and this one must stop writing and sending.
var ErrFenced = errors.New("the session's lease was taken over")

// StaleLeaseError is a fenced write the store refused: the write carried
// Epoch, the session's lease epoch is Current (-1 when the session row no
// longer exists). Nothing was changed. It wraps ErrFenced.
type StaleLeaseError struct {
	SessionID string
	Epoch     int64
	Current   int64
}

func (e *StaleLeaseError) Unwrap() error { return ErrFenced }

func (e *StaleLeaseError) Error() string {
	if e.Current < 0 {
		return fmt.Sprintf("write refused: session %s no longer exists (this process held lease epoch %d)",
			e.SessionID, e.Epoch)
	}
	return fmt.Sprintf("write refused: session %s was taken over (lease epoch %d, this process holds %d)",
		e.SessionID, e.Current, e.Epoch)
}

// ErrStoreReplaced says that a file the store or its lease depends on is
// no longer the one it opened: the database file, or a lease's lock file,
// was removed or replaced while in use. Nothing this process writes can
// be trusted to land; it must stop.
var ErrStoreReplaced = errors.New("the store's file was removed or replaced while in use")

// ErrBusy says that a statement gave up waiting: for a lock another
// transaction holds (lock_timeout, SQLite's busy_timeout), for its own
// completion (statement_timeout), or it lost a deadlock. The write did not
// happen; it may be tried again.
var ErrBusy = errors.New("the database is busy: a lock or statement timed out")

// ErrPermission says that the database refused the statement for lack of
// privilege (a REVOKE, a read-only file or store): permission denied. The
// database is reachable.
var ErrPermission = errors.New("permission denied")

// ErrDiskFull says that the database could not write for lack of disk
// space.
var ErrDiskFull = errors.New("disk full")
