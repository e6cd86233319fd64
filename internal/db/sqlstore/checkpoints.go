package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// createAttempts bounds the retries of a create whose sequence number a
// concurrent create of the same session took first.
const createAttempts = 10

// snapshotQuery reads the closed count and the active positions in one
// statement, so that both come from one snapshot of the table even where
// each statement of a transaction sees its own (PostgreSQL's read
// committed). The LEFT JOIN yields one row with null position columns
// when nothing is open. Decimals are read as text, which is all the snapshot needs and, on
// PostgreSQL, far cheaper to decode than binary numeric.
const snapshotQuery = `SELECT c.closed, p.id, p.symbol, p.entry_time, CAST(p.entry_price AS text),
		CAST(p.qty AS text), p.direction, p.side, CAST(p.stop_loss AS text), CAST(p.take_profit AS text),
		p.order_id, p.status
	FROM (SELECT count(*) AS closed FROM positions WHERE session_id = $1 AND status = 'closed') c
	LEFT JOIN positions p ON p.session_id = $1 AND p.status = 'active'
	ORDER BY p.entry_time, p.id`

// CreateCheckpoint implements db.Store: one transaction reads the
// positions and inserts the row with the next sequence. duration_ms covers
// reading, encoding and hashing, up to the insert: the row cannot record
// its own commit.
func (s *Store) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	what := "create checkpoint of session " + in.SessionID
	account := bytes.TrimSpace(in.AccountSnapshot)
	if len(account) > 0 && !json.Valid(account) {
		return db.CheckpointMeta{}, fmt.Errorf("%s: the account snapshot is not valid JSON", what)
	}
	var (
		m   db.CheckpointMeta
		err error
	)
	for range createAttempts {
		err = s.fencedTx(ctx, what, func(q Querier) error {
			m, err = s.insertCheckpoint(ctx, q, in, account)
			return err
		})
		// The only unique key a create can hit is the session's sequence.
		if !errors.Is(err, db.ErrConflict) {
			break
		}
	}
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	return m, nil
}

func (s *Store) insertCheckpoint(ctx context.Context, q Querier, in db.CheckpointInput,
	account []byte) (db.CheckpointMeta, error) {
	what := "create checkpoint of session " + in.SessionID
	start := time.Now()
	closed, active, err := s.readSnapshot(ctx, q, in.SessionID)
	if err != nil {
		return db.CheckpointMeta{}, fmt.Errorf("%s: %w", what, err)
	}
	positions, err := db.PositionsSnapshot(active)
	if err != nil {
		return db.CheckpointMeta{}, fmt.Errorf("%s: %w", what, err)
	}
	size := int64(len(positions) + len(account))
	durationMS := float64(time.Since(start).Microseconds()) / 1000
	m := db.CheckpointMeta{
		SessionID: in.SessionID, CheckpointTime: s.orNow(in.CheckpointTime), ActivePositionsCount: len(active),
		ClosedTradesCount: closed, CreatedAt: s.now(), Trigger: in.Trigger, DurationMS: &durationMS,
		SizeBytes: &size, Checksum: db.Checksum(positions, account),
	}
	var seq int64
	// RETURNING gives the times back as the database keeps them
	// (PostgreSQL to the microsecond).
	err = s.queryRow(ctx, q, what, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
			positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, created_at,
			sequence, trigger, duration_ms, size_bytes, checksum)
		VALUES ($1, $2, $3, $4, $5, $6, $7,
			(SELECT coalesce(max(sequence), 0) + 1 FROM position_checkpoints
				WHERE session_id = $1 AND sequence IS NOT NULL),
			$8, $9, $10, $11)
		RETURNING id, sequence, checkpoint_time, created_at`,
		[]any{m.SessionID, s.time(m.CheckpointTime), s.d.JSON(positions), s.json(account), m.ActivePositionsCount,
			m.ClosedTradesCount, s.time(m.CreatedAt), nullStr(m.Trigger), durationMS, size, m.Checksum},
		&m.ID, scanInt(&seq), scanTime(&m.CheckpointTime), scanTime(&m.CreatedAt))
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	m.Sequence = &seq
	return m, nil
}

// readSnapshot reads the session's closed count and what the snapshot
// holds of its active positions.
func (s *Store) readSnapshot(ctx context.Context, q Querier, sessionID string) (int, []db.Position, error) {
	var closed int
	var active []db.Position
	_, err := collect(ctx, s, q, "read positions", func(rows Rows) (struct{}, error) {
		var (
			p  = db.Position{SessionID: sessionID}
			id *int64
		)
		err := rows.Scan(scanInt(&closed), scanIntPtr(&id), scanStr(&p.Symbol), scanTime(&p.EntryTime),
			scanDec(&p.EntryPrice), scanDec(&p.Qty), scanStr(&p.Direction), scanStr(&p.Side),
			scanNullDec(&p.StopLoss), scanNullDec(&p.TakeProfit), scanStr(&p.OrderID), scanStr(&p.Status))
		if err == nil && id != nil {
			p.ID = *id
			active = append(active, p)
		}
		return struct{}{}, err
	}, snapshotQuery, sessionID)
	return closed, active, err
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
