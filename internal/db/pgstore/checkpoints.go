package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// checkpointMetaCols leave out the payloads, so list never reads (or
// detoasts) the JSON: it walks the session's index and fetches ten heap
// rows.
const checkpointMetaCols = `id, session_id, checkpoint_time, active_positions_count, closed_trades_count,
	created_at, sequence, trigger, duration_ms, size_bytes, checksum`

type checkpointRow struct {
	m        db.CheckpointMeta
	trigger  *string
	checksum *string
}

func (r *checkpointRow) dest() []any {
	m := &r.m
	return []any{&m.ID, &m.SessionID, &m.CheckpointTime, &m.ActivePositionsCount, &m.ClosedTradesCount,
		&m.CreatedAt, &m.Sequence, &r.trigger, &m.DurationMS, &m.SizeBytes, &r.checksum}
}

func (r *checkpointRow) meta() db.CheckpointMeta {
	m := r.m
	m.Trigger = derefString(r.trigger)
	m.Checksum = derefString(r.checksum)
	return m
}

func (s *Store) oneCheckpoint(ctx context.Context, what, where string, args ...any) (db.Checkpoint, error) {
	var (
		r                  checkpointRow
		positions, account []byte
	)
	err := s.pool.QueryRow(ctx, `SELECT `+checkpointMetaCols+`, positions_snapshot, account_snapshot
		FROM position_checkpoints `+where, args...).Scan(append(r.dest(), &positions, &account)...)
	if err != nil {
		return db.Checkpoint{}, wrapErr(err, "%s", what)
	}
	c := db.Checkpoint{CheckpointMeta: r.meta(), PositionsSnapshot: positions}
	if account != nil {
		c.AccountSnapshot = account
	}
	return c, nil
}

// GetCheckpoint implements db.Store.
func (s *Store) GetCheckpoint(ctx context.Context, id int64) (db.Checkpoint, error) {
	return s.oneCheckpoint(ctx, fmt.Sprintf("get checkpoint %d", id), `WHERE id = $1`, id)
}

// NewestCheckpoint implements db.Store: an index lookup whatever the
// history length.
func (s *Store) NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error) {
	return s.oneCheckpoint(ctx, fmt.Sprintf("checkpoint %d of session %s", offset, sessionID),
		`WHERE session_id = $1 ORDER BY checkpoint_time DESC, id DESC LIMIT 1 OFFSET $2`,
		sessionID, max(offset, 0))
}

// ListCheckpoints implements db.Store; limit <= 0 lists all.
func (s *Store) ListCheckpoints(ctx context.Context, sessionID string, limit int) ([]db.CheckpointMeta, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	return collect(ctx, s.pool, "list checkpoints of session "+sessionID,
		func(rows pgx.Rows) (db.CheckpointMeta, error) {
			var r checkpointRow
			err := rows.Scan(r.dest()...)
			return r.meta(), err
		},
		`SELECT `+checkpointMetaCols+` FROM position_checkpoints
		WHERE session_id = $1 ORDER BY checkpoint_time DESC, id DESC LIMIT $2`, sessionID, lim)
}

// statsQuery reads the session's running aggregates (migration 0002) and
// takes first and last from the two ends of the session's index range, so
// its cost does not depend on the number of checkpoints.
const statsQuery = `SELECT coalesce(st.total, 0),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = $1
			ORDER BY checkpoint_time LIMIT 1),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = $1
			ORDER BY checkpoint_time DESC LIMIT 1),
		CASE WHEN st.duration_count > 0 THEN (st.duration_sum / st.duration_count)::float8 END,
		CASE WHEN st.duration_count > 0 THEN st.max_duration_ms END,
		coalesce(st.total_bytes, 0)
	FROM (SELECT 1) one LEFT JOIN checkpoint_stats st ON st.session_id = $1`

// CheckpointStats implements db.Store.
func (s *Store) CheckpointStats(ctx context.Context, sessionID string) (db.CheckpointStats, error) {
	var st db.CheckpointStats
	err := s.pool.QueryRow(ctx, statsQuery, sessionID).
		Scan(&st.Total, &st.First, &st.Last, &st.AvgDurationMS, &st.MaxDurationMS, &st.TotalBytes)
	if err != nil {
		return db.CheckpointStats{}, wrapErr(err, "checkpoint stats of session %s", sessionID)
	}
	st.First, st.Last = utcPtr(st.First), utcPtr(st.Last)
	return st, nil
}
