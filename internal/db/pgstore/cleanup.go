package pgstore

import (
	"context"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gambler-trader/gambler/internal/db"
)

const defaultDeleteBatch = 250

// The rows to delete are those after the cursor (checkpoint_time, id) in
// newest-first order, before the age limit, and not protected. The cursor
// starts just past the newest Keep rows and walks down the index one batch
// at a time, so no batch rescans the dead entries of the batches before it.
const (
	deleteWhere = `session_id = $1 AND checkpoint_time <= $2 AND (checkpoint_time < $2 OR id < $3)
		AND checkpoint_time < $4 AND id <> $5`
	countDeletable = `SELECT count(*) FROM position_checkpoints WHERE ` + deleteWhere
	deleteBatch    = `WITH victims AS (
			SELECT id, checkpoint_time FROM position_checkpoints WHERE ` + deleteWhere + `
			ORDER BY checkpoint_time DESC, id DESC LIMIT $6
		), gone AS (
			DELETE FROM position_checkpoints WHERE id IN (SELECT id FROM victims) RETURNING 1
		)
		SELECT (SELECT count(*) FROM gone), v.checkpoint_time, v.id
		FROM (SELECT checkpoint_time, id FROM victims ORDER BY checkpoint_time, id LIMIT 1) v`
	keepBoundary = `SELECT checkpoint_time, id FROM position_checkpoints WHERE session_id = $1
		ORDER BY checkpoint_time DESC, id DESC LIMIT 1 OFFSET $2`
)

var infinity = pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}

// DeleteCheckpoints implements db.Store. Each batch is its own autocommit
// statement, so millions of rows never hold one long lock and a concurrent
// create waits at most one batch.
func (s *Store) DeleteCheckpoints(ctx context.Context, d db.CheckpointDelete) (int64, error) {
	cursorTime, cursorID := infinity, int64(math.MaxInt64)
	if d.Keep > 0 {
		var t pgtype.Timestamptz
		err := s.pool.QueryRow(ctx, keepBoundary, d.SessionID, d.Keep-1).Scan(&t, &cursorID)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, nil // no more than Keep rows
		}
		if err != nil {
			return 0, wrapErr(err, "delete checkpoints of session %s", d.SessionID)
		}
		cursorTime = t
	}
	olderThan := infinity
	if d.OlderThan != nil {
		olderThan = pgtype.Timestamptz{Time: d.OlderThan.UTC(), Valid: true}
	}
	if d.DryRun {
		var n int64
		err := s.pool.QueryRow(ctx, countDeletable, d.SessionID, cursorTime, cursorID, olderThan, d.Protect).
			Scan(&n)
		return n, wrapErr(err, "count deletable checkpoints of session %s", d.SessionID)
	}
	batch := d.BatchSize
	if batch <= 0 {
		batch = defaultDeleteBatch
	}
	var total int64
	for {
		var n int64
		err := s.pool.QueryRow(ctx, deleteBatch, d.SessionID, cursorTime, cursorID, olderThan, d.Protect, batch).
			Scan(&n, &cursorTime, &cursorID)
		if errors.Is(err, pgx.ErrNoRows) {
			return total, nil
		}
		if err != nil {
			return total, wrapErr(err, "delete checkpoints of session %s (%d deleted)", d.SessionID, total)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}
