package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

const defaultBatch = 1000

// DeleteCheckpoints implements db.Store. The newest Keep rows are found once,
// as a (checkpoint_time, id) boundary; every batch then deletes the oldest
// matching rows below it in its own short transaction, so a concurrent
// checkpoint waits for one batch at most. Rows created meanwhile are newer
// than the boundary and never deleted.
func (s *Store) DeleteCheckpoints(ctx context.Context, d db.CheckpointDelete) (int64, error) {
	where, args, none, err := s.deletable(ctx, d)
	if err != nil || none {
		return 0, err
	}
	if d.DryRun {
		var n int64
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM position_checkpoints WHERE `+where, args...).
			Scan(&n); err != nil {
			return 0, fmt.Errorf("count deletable checkpoints of %s: %w", d.SessionID, mapErr(err))
		}
		return n, nil
	}
	batch := d.BatchSize
	if batch <= 0 {
		batch = defaultBatch
	}
	q := `DELETE FROM position_checkpoints WHERE id IN (SELECT id FROM position_checkpoints WHERE ` + where +
		` ORDER BY checkpoint_time, id LIMIT ?)`
	args = append(args, batch)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("delete checkpoints of %s: %w", d.SessionID, err)
		}
		res, err := s.w.ExecContext(ctx, q, args...)
		if err != nil {
			return total, fmt.Errorf("delete checkpoints of %s: %w", d.SessionID, mapErr(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("delete checkpoints of %s: %w", d.SessionID, err)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}

// deletable builds the predicate of the rows d selects; none reports that
// Keep covers every row.
func (s *Store) deletable(ctx context.Context, d db.CheckpointDelete) (where string, args []any, none bool, err error) {
	where, args = `session_id = ? AND id <> ?`, []any{d.SessionID, d.Protect}
	if d.Keep > 0 {
		var bt string
		var bid int64
		err := s.r.QueryRowContext(ctx, `SELECT checkpoint_time, id FROM position_checkpoints
			WHERE session_id = ?`+newestCheckpointFirst+` LIMIT 1 OFFSET ?`, d.SessionID, d.Keep-1).Scan(&bt, &bid)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil, true, nil
		}
		if err != nil {
			return "", nil, false, fmt.Errorf("find newest %d checkpoints of %s: %w", d.Keep, d.SessionID, mapErr(err))
		}
		where += ` AND (checkpoint_time < ? OR (checkpoint_time = ? AND id < ?))`
		args = append(args, bt, bt, bid)
	}
	if d.OlderThan != nil {
		where += ` AND checkpoint_time < ?`
		args = append(args, ts(*d.OlderThan))
	}
	return where, args, false, nil
}
