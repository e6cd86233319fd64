package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// Fenced implements db.Store.
func (s *Store) Fenced(f db.Fence) db.Store {
	v := *s
	v.fence = &f
	return &v
}

// session says how a fenced write touches the session row: writes that
// update it lock it for update from the start.
type session bool

const (
	sharesSession  session = false
	updatesSession session = true
)

// write runs a write that matters. On the store itself a single statement
// runs as it is; on a fenced view it runs in a transaction that first
// checks the fence.
func (s *Store) write(ctx context.Context, what string, how session, fn func(Querier) error) error {
	if s.fence == nil {
		return fn(s.d.Write)
	}
	return s.tx(ctx, what, func(q Querier) error {
		if err := s.checkFence(ctx, q, how); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return fn(q)
	})
}

// fencedTx runs a transaction that matters; on a fenced view it checks the
// fence first.
func (s *Store) fencedTx(ctx context.Context, what string, fn func(Querier) error) error {
	return s.tx(ctx, what, func(q Querier) error {
		if s.fence != nil {
			if err := s.checkFence(ctx, q, sharesSession); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return fn(q)
	})
}

// checkFence reads the session's lease epoch, locking the row until the
// transaction ends so that a takeover's increment waits for this write
// (or this write for it, and then sees the new epoch), and refuses a
// stale one.
func (s *Store) checkFence(ctx context.Context, q Querier, how session) error {
	f := s.fence
	lock := s.d.LockShared
	if how == updatesSession {
		lock = s.d.LockForUpdate
	}
	var epoch int64
	err := s.queryRow(ctx, q, "check the lease epoch of session "+f.SessionID,
		`SELECT lease_epoch FROM trading_sessions WHERE session_id = $1`+lock, []any{f.SessionID}, scanInt(&epoch))
	if errors.Is(err, db.ErrNotFound) {
		return &db.StaleLeaseError{SessionID: f.SessionID, Epoch: f.Epoch, Current: -1}
	}
	if err != nil {
		return err
	}
	if epoch != f.Epoch {
		return &db.StaleLeaseError{SessionID: f.SessionID, Epoch: f.Epoch, Current: epoch}
	}
	return nil
}
