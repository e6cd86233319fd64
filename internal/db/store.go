package db

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Store is the contract both drivers implement and dbtest verifies. Every
// method is one transaction unless it says otherwise. Methods that take a key
// return an error wrapping ErrNotFound when the row is missing.
type Store interface {
	// Driver names the implementation: "postgres" or "sqlite".
	Driver() string
	// SchemaVersion is the newest applied migration version.
	SchemaVersion(ctx context.Context) (int64, error)
	Close() error

	// CreateSession inserts s; a duplicate ID gives ErrConflict.
	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, id string) (Session, error)
	// LatestSession is the most recently started session of any status.
	// Sessions are ordered, here and in ListSessions and LatestResumable,
	// by start_time, then created_at, then session_id, all descending.
	LatestSession(ctx context.Context) (Session, error)
	// LatestResumable is the most recently started session that is not
	// completed, optionally of one instance (instanceID 0 = any).
	LatestResumable(ctx context.Context, instanceID int) (Session, error)
	// ListSessions lists sessions newest first.
	ListSessions(ctx context.Context, f SessionFilter) ([]SessionSummary, error)
	// SetSessionStatus changes status (and updated_at) only.
	SetSessionStatus(ctx context.Context, id, status string, at time.Time) error
	// SetSessionSettings replaces the stored run settings JSON.
	SetSessionSettings(ctx context.Context, id string, settings []byte, at time.Time) error
	// EndSession writes status, end_time, final value, pnl, pnl_pct, trades.
	EndSession(ctx context.Context, id string, end SessionEnd) error

	// AcquireLease makes this process the single writer of a session until
	// Release. A second holder, in this or another process, gets an error
	// wrapping *LeaseHeldError that names the current holder.
	AcquireLease(ctx context.Context, sessionID string, h Holder) (Lease, error)
	// LeaseHolder reports whether a live process holds the session's lease.
	LeaseHolder(ctx context.Context, sessionID string) (Holder, bool, error)
	// Fenced returns a view of this store whose writes that matter run only
	// while f.Epoch is still f.SessionID's lease epoch: InsertOrder,
	// UpdateOrder, ApplyFill, OpenPosition, ClosePosition, SetPositionQty,
	// IncrementRepairCount, ClaimSymbol, TakeOverClaim, ReleaseIdleClaims,
	// CreateCheckpoint, AppendValuePoint, EndSession, SetSessionStatus and
	// SetSessionSettings. Each checks the epoch inside its own transaction,
	// locking the session row against a takeover until it commits, and
	// refuses, changing nothing, with an error wrapping *StaleLeaseError
	// (errors.Is ErrFenced) once another AcquireLease has moved the epoch
	// on. Reads and the other methods behave as on the store itself. The
	// view shares the store's connections: closing it does nothing; close
	// the store.
	Fenced(f Fence) Store

	// OpenPosition inserts an active position and returns its id. A second
	// active position for the same (session, symbol) gives ErrConflict.
	OpenPosition(ctx context.Context, p Position) (int64, error)
	// ClosePosition closes an active position. A position that is not
	// active (closed already, by this process or another) gives
	// ErrConflict: the caller's view of it is stale. An unknown id gives
	// ErrNotFound.
	ClosePosition(ctx context.Context, c PositionClose) error
	// SetPositionQty adjusts an active position's quantity (reconcile),
	// with ClosePosition's errors.
	SetPositionQty(ctx context.Context, positionID int64, qty decimal.Decimal, at time.Time) error
	// IncrementRepairCount bumps repair_count and returns the new value.
	IncrementRepairCount(ctx context.Context, positionID int64) (int, error)
	// ActivePositions lists the session's active positions oldest first:
	// by entry_time, then id (insertion order among equal entry times),
	// the order of Positions.
	ActivePositions(ctx context.Context, sessionID string) ([]Position, error)
	// Positions lists every position of the session, oldest first (by
	// entry_time, then id).
	Positions(ctx context.Context, sessionID string) ([]Position, error)

	// NextOrderSeq is one more than the highest journal seq of the session.
	NextOrderSeq(ctx context.Context, sessionID string) (int64, error)
	// InsertOrder journals an order (normally with status "intent") before
	// it is sent. A duplicate ClientOrderID gives ErrConflict.
	InsertOrder(ctx context.Context, o Order) (int64, error)
	UpdateOrder(ctx context.Context, u OrderUpdate) error
	GetOrder(ctx context.Context, clientOrderID string) (Order, error)
	// SessionOrders lists the session's journal, oldest first; with
	// openOnly, only orders not in a terminal status (filled, canceled,
	// expired, rejected, abandoned, replaced, done_for_day).
	SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]Order, error)
	// OtherSessionIDs returns the ids of every session except sessionID,
	// oldest first, so reconcile can tell another session's
	// client_order_id prefix from ours.
	OtherSessionIDs(ctx context.Context, sessionID string) ([]string, error)

	// ClaimSymbol reserves symbol for the session before it enters. Claiming
	// a symbol the session already holds succeeds; one that another session
	// holds gives an error wrapping *SymbolClaimedError naming it.
	ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error
	// ReleaseIdleClaims drops the session's claims on symbols in which it
	// has neither an active position nor an order in a non-terminal status,
	// and returns those symbols.
	ReleaseIdleClaims(ctx context.Context, sessionID string) ([]string, error)
	// TakeOverClaim moves the claim on symbol from one session to another,
	// for a claim its holder can no longer use. It gives ErrNotFound when
	// fromSessionID no longer holds the claim or toSessionID does not exist.
	TakeOverClaim(ctx context.Context, symbol, fromSessionID, toSessionID string, at time.Time) error
	// SymbolClaims lists every claim, by symbol.
	SymbolClaims(ctx context.Context) ([]SymbolClaim, error)

	// ApplyFill applies a fill and its effects atomically, exactly once per
	// FillID: applied is false (and nothing changes) when that FillID was
	// applied before. When an effect fails (opening a second active
	// position, closing one that is not active, updating an unknown order)
	// nothing changes, not even the fill row, and the error is the
	// effect's: the same fill can be applied once the cause is gone.
	ApplyFill(ctx context.Context, e FillEffect) (applied bool, err error)
	Fills(ctx context.Context, sessionID string) ([]Fill, error)

	// CreateCheckpoint reads the session's active positions and closed
	// count and writes the snapshot row in one transaction. It assigns the
	// next per-session sequence, builds positions_snapshot with
	// PositionsSnapshot, computes size_bytes (len of both JSON texts) and the
	// checksum with Checksum, and records duration_ms.
	CreateCheckpoint(ctx context.Context, in CheckpointInput) (CheckpointMeta, error)
	GetCheckpoint(ctx context.Context, id int64) (Checkpoint, error)
	// NewestCheckpoint returns the session's checkpoint at position offset
	// counting from the newest (0 = newest), ordered by checkpoint_time
	// DESC, id DESC. ErrNotFound past the end.
	NewestCheckpoint(ctx context.Context, sessionID string, offset int) (Checkpoint, error)
	// ListCheckpoints returns metadata only, newest first.
	ListCheckpoints(ctx context.Context, sessionID string, limit int) ([]CheckpointMeta, error)
	// CheckpointSeries returns every checkpoint of the session, oldest
	// first (checkpoint_time, then id), with the account snapshot's
	// portfolio_value, cash, market_time and session_equity extracted in
	// the same single query, exactly.
	// An unknown session has an empty series.
	CheckpointSeries(ctx context.Context, sessionID string) ([]CheckpointPoint, error)
	// CheckpointStats aggregates in SQL; it never loads payloads.
	CheckpointStats(ctx context.Context, sessionID string) (CheckpointStats, error)
	// DeleteCheckpoints deletes (or with DryRun counts) in batches and
	// returns the number of rows.
	DeleteCheckpoints(ctx context.Context, d CheckpointDelete) (int64, error)

	// AppendValuePoint appends one point to the session's value series
	// and returns its id; a RecordedAt of zero is now. An unknown session
	// gives ErrNotFound. Nothing but the session's deletion removes
	// points: DeleteCheckpoints leaves them.
	AppendValuePoint(ctx context.Context, p ValuePoint) (int64, error)
	// ValueSeries returns the session's value points oldest first (by
	// market_time, then id), decimals exact. An unknown session has an
	// empty series.
	ValueSeries(ctx context.Context, sessionID string) ([]ValuePoint, error)
}

// Fence is what a fenced write carries: the session and the lease epoch
// its writer holds (Lease.Epoch).
type Fence struct {
	SessionID string
	Epoch     int64
}

// Lease is a held single-writer lease on a session.
type Lease interface {
	Holder() Holder
	// Epoch is the session's lease epoch this lease took: every
	// AcquireLease increments it, so a fence built from it (Fence{SessionID,
	// Epoch}) goes stale the moment another process takes the session.
	Epoch() int64
	// Alive checks that the lease is still held and, when the store lost it
	// (a PostgreSQL connection that died with an outage), takes it again,
	// and that the session row still names this holder and epoch. It
	// returns an error wrapping *LeaseHeldError when another process took
	// the session meanwhile, and one wrapping ErrStoreReplaced when the
	// database file or the lease's lock file (SQLite) was removed or
	// replaced: in both cases the caller must stop writing, and every later
	// Alive says the same. Other errors (an unreachable database) may pass.
	Alive(ctx context.Context) error
	// Release gives the lease up; it is safe to call more than once.
	Release(ctx context.Context) error
}
