package sqlstore

import (
	"context"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// checkpointMetaCols leave out the payloads, so listings never read the
// JSON.
const checkpointMetaCols = `id, session_id, checkpoint_time, active_positions_count, closed_trades_count,
	created_at, sequence, trigger, duration_ms, size_bytes, checksum`

// newestCheckpointFirst matches position_checkpoints_session_time_idx.
const newestCheckpointFirst = ` ORDER BY checkpoint_time DESC, id DESC`

func metaDest(m *db.CheckpointMeta) []any {
	return []any{&m.ID, scanStr(&m.SessionID), scanTime(&m.CheckpointTime), scanInt(&m.ActivePositionsCount),
		scanInt(&m.ClosedTradesCount), scanTime(&m.CreatedAt), scanIntPtr(&m.Sequence), scanStr(&m.Trigger),
		scanFloatPtr(&m.DurationMS), scanIntPtr(&m.SizeBytes), scanStr(&m.Checksum)}
}

func scanMeta(rows Rows) (db.CheckpointMeta, error) {
	var m db.CheckpointMeta
	return m, rows.Scan(metaDest(&m)...)
}

func scanCheckpoint(rows Rows) (db.Checkpoint, error) {
	var c db.Checkpoint
	var positions, account []byte
	if err := rows.Scan(append(metaDest(&c.CheckpointMeta), scanBytes(&positions), scanBytes(&account))...); err != nil {
		return db.Checkpoint{}, err
	}
	c.PositionsSnapshot = positions
	if account != nil {
		c.AccountSnapshot = account
	}
	return c, nil
}

// GetCheckpoint implements db.Store.
func (s *Store) GetCheckpoint(ctx context.Context, id int64) (db.Checkpoint, error) {
	return first(ctx, s, s.d.Read, fmt.Sprintf("get checkpoint %d", id), scanCheckpoint,
		`SELECT `+checkpointMetaCols+`, positions_snapshot, account_snapshot FROM position_checkpoints
		WHERE id = $1`, id)
}

// NewestCheckpoint implements db.Store: one index probe whatever the
// history's length.
func (s *Store) NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error) {
	return first(ctx, s, s.d.Read, fmt.Sprintf("checkpoint %d of session %s", offset, sessionID), scanCheckpoint,
		`SELECT `+checkpointMetaCols+`, positions_snapshot, account_snapshot FROM position_checkpoints
		WHERE session_id = $1`+newestCheckpointFirst+` LIMIT 1 OFFSET $2`, sessionID, max(offset, 0))
}

// ListCheckpoints implements db.Store; limit <= 0 lists all.
func (s *Store) ListCheckpoints(ctx context.Context, sessionID string, limit int) ([]db.CheckpointMeta, error) {
	q := `SELECT ` + checkpointMetaCols + ` FROM position_checkpoints WHERE session_id = $1` + newestCheckpointFirst
	args := []any{sessionID}
	if limit > 0 {
		q, args = q+` LIMIT $2`, append(args, limit)
	}
	return collect(ctx, s, s.d.Read, "list checkpoints of session "+sessionID, scanMeta, q, args...)
}

// statsQuery reads the session's running aggregates (migration 0002) and
// takes first and last from the two ends of the session's index range, so
// its cost does not depend on the number of checkpoints.
const statsQuery = `SELECT coalesce(st.total, 0),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = $1
			ORDER BY checkpoint_time LIMIT 1),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = $1
			ORDER BY checkpoint_time DESC LIMIT 1),
		CASE WHEN st.duration_count > 0 THEN CAST(st.duration_sum AS double precision) / st.duration_count END,
		CASE WHEN st.duration_count > 0 THEN st.max_duration_ms END,
		coalesce(st.total_bytes, 0)
	FROM (SELECT 1 AS one) one LEFT JOIN checkpoint_stats st ON st.session_id = $1`

// CheckpointStats implements db.Store.
func (s *Store) CheckpointStats(ctx context.Context, sessionID string) (db.CheckpointStats, error) {
	var st db.CheckpointStats
	err := s.queryRow(ctx, s.d.Read, "checkpoint stats of session "+sessionID, statsQuery, []any{sessionID},
		scanInt(&st.Total), scanTimePtr(&st.First), scanTimePtr(&st.Last), scanFloatPtr(&st.AvgDurationMS),
		scanFloatPtr(&st.MaxDurationMS), scanInt(&st.TotalBytes))
	return st, err
}
