package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// DeleteCheckpoints implements db.Store. The newest Keep rows are found
// once, as a (checkpoint_time, id) boundary. Each batch then deletes the
// newest matching rows below a cursor that starts at the boundary and
// walks down the index, one autocommit statement per batch: no batch
// rescans what the batches before it deleted, millions of rows never hold
// one long lock, and a concurrent create waits for one batch at most. Rows
// created meanwhile are newer than the boundary and never deleted.
//
// The cursor's time is passed back exactly as the database returned it,
// so that a row another tool wrote in another text format still compares
// equal to itself.
func (s *Store) DeleteCheckpoints(ctx context.Context, d db.CheckpointDelete) (int64, error) {
	what := "delete checkpoints of session " + d.SessionID
	var cursorTime any
	var cursorID int64
	if d.Keep > 0 {
		err := s.queryRow(ctx, s.d.Read, what, `SELECT checkpoint_time, id FROM position_checkpoints
			WHERE session_id = $1`+newestCheckpointFirst+` LIMIT 1 OFFSET $2`, []any{d.SessionID, d.Keep - 1},
			&cursorTime, &cursorID)
		if errors.Is(err, db.ErrNotFound) {
			return 0, nil // no more than Keep rows
		}
		if err != nil {
			return 0, err
		}
	}
	var olderThan any
	if d.OlderThan != nil {
		olderThan = s.time(*d.OlderThan)
	}
	where := func(args *[]any) string {
		arg := func(v any) string {
			*args = append(*args, v)
			return "$" + strconv.Itoa(len(*args))
		}
		conds := []string{"session_id = " + arg(d.SessionID), "id <> " + arg(d.Protect)}
		if cursorTime != nil {
			t, id := arg(cursorTime), arg(cursorID)
			conds = append(conds, "(checkpoint_time < "+t+" OR (checkpoint_time = "+t+" AND id < "+id+"))")
		}
		if olderThan != nil {
			conds = append(conds, "checkpoint_time < "+arg(olderThan))
		}
		return strings.Join(conds, " AND ")
	}
	if d.DryRun {
		var args []any
		var n int64
		err := s.queryRow(ctx, s.d.Read, "count deletable checkpoints of session "+d.SessionID,
			`SELECT count(*) FROM position_checkpoints WHERE `+where(&args), args, &n)
		return n, err
	}
	batch := d.BatchSize
	if batch <= 0 {
		batch = s.d.DeleteBatch
	}
	var total int64
	for {
		var args []any
		cond := where(&args)
		args = append(args, batch)
		q := `DELETE FROM position_checkpoints WHERE id IN (SELECT id FROM position_checkpoints WHERE ` + cond +
			newestCheckpointFirst + ` LIMIT $` + strconv.Itoa(len(args)) + `) RETURNING checkpoint_time, id`
		n, err := s.deleteBatch(ctx, q, args, &cursorTime, &cursorID)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s (%d deleted): %w", what, total, err)
		}
		if n < int64(batch) {
			return total, nil
		}
	}
}

// deleteBatch runs one batch and moves the cursor to the oldest row it
// deleted.
func (s *Store) deleteBatch(ctx context.Context, q string, args []any, cursorTime *any, cursorID *int64) (int64, error) {
	type deleted struct {
		at any
		id int64
	}
	gone, err := collect(ctx, s, s.d.Write, "delete batch", func(rows Rows) (deleted, error) {
		var d deleted
		return d, rows.Scan(&d.at, &d.id)
	}, q, args...)
	for _, g := range gone {
		// Rows come back in no promised order; the cursor is the oldest.
		if *cursorTime == nil || older(g.at, g.id, *cursorTime, *cursorID) {
			*cursorTime, *cursorID = g.at, g.id
		}
	}
	return int64(len(gone)), err
}

// older orders two (checkpoint_time, id) keys as the database does: times
// as times, text (SQLite's) as text.
func older(at any, id int64, than any, thanID int64) bool {
	switch a := at.(type) {
	case time.Time:
		if b, ok := than.(time.Time); ok && !a.Equal(b) {
			return a.Before(b)
		}
	case string:
		if b, ok := than.(string); ok && a != b {
			return a < b
		}
	case []byte:
		if b, ok := than.([]byte); ok && !bytes.Equal(a, b) {
			return bytes.Compare(a, b) < 0
		}
	}
	return id < thanID
}
