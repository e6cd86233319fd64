package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// metaCols are the checkpoint columns without the payloads, so listings and
// stats never read the JSON text.
const metaCols = `id, session_id, checkpoint_time, active_positions_count, closed_trades_count,
	created_at, sequence, trigger, duration_ms, size_bytes, checksum`

// newestCheckpointFirst matches position_checkpoints_session_time_idx.
const newestCheckpointFirst = ` ORDER BY checkpoint_time DESC, id DESC`

type metaRaw struct {
	id, active, closed, seq, size sql.NullInt64
	session, at, created, trigger sql.NullString
	checksum                      sql.NullString
	duration                      sql.NullFloat64
}

func (r *metaRaw) dest() []any {
	return []any{&r.id, &r.session, &r.at, &r.active, &r.closed, &r.created, &r.seq, &r.trigger,
		&r.duration, &r.size, &r.checksum}
}

func (r *metaRaw) meta() (db.CheckpointMeta, error) {
	var d decoder
	m := db.CheckpointMeta{
		ID:                   r.id.Int64,
		SessionID:            r.session.String,
		CheckpointTime:       d.time(r.at),
		ActivePositionsCount: int(r.active.Int64),
		ClosedTradesCount:    int(r.closed.Int64),
		CreatedAt:            d.time(r.created),
		Trigger:              r.trigger.String,
		Checksum:             r.checksum.String,
	}
	if r.seq.Valid {
		m.Sequence = &r.seq.Int64
	}
	if r.duration.Valid {
		m.DurationMS = &r.duration.Float64
	}
	if r.size.Valid {
		m.SizeBytes = &r.size.Int64
	}
	if d.err != nil {
		return db.CheckpointMeta{}, fmt.Errorf("checkpoint %d: %w", m.ID, d.err)
	}
	return m, nil
}

func scanMeta(rows *sql.Rows) (db.CheckpointMeta, error) {
	var r metaRaw
	if err := rows.Scan(r.dest()...); err != nil {
		return db.CheckpointMeta{}, err
	}
	return r.meta()
}

func scanCheckpoint(rows *sql.Rows) (db.Checkpoint, error) {
	var r metaRaw
	var positions, account sql.NullString
	if err := rows.Scan(append(r.dest(), &positions, &account)...); err != nil {
		return db.Checkpoint{}, err
	}
	m, err := r.meta()
	if err != nil {
		return db.Checkpoint{}, err
	}
	c := db.Checkpoint{CheckpointMeta: m, PositionsSnapshot: json.RawMessage(positions.String)}
	if account.Valid {
		c.AccountSnapshot = json.RawMessage(account.String)
	}
	return c, nil
}

// CreateCheckpoint implements db.Store. duration_ms covers reading the
// positions, encoding and hashing: everything up to the insert, since the
// row cannot record its own commit.
func (s *Store) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	start := time.Now()
	account := bytes.TrimSpace(in.AccountSnapshot)
	if len(account) > 0 && !json.Valid(account) {
		return db.CheckpointMeta{}, fmt.Errorf("create checkpoint of %s: account snapshot is not valid JSON", in.SessionID)
	}
	at := in.CheckpointTime
	if at.IsZero() {
		at = s.now()
	}
	created := s.now()
	var meta db.CheckpointMeta
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		active, err := activePositions(ctx, tx, in.SessionID)
		if err != nil {
			return err
		}
		var closed, seq int64
		// "sequence IS NOT NULL" lets SQLite answer MAX from the partial
		// unique index in one probe instead of walking the whole history.
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM positions WHERE session_id = ?1 AND status = 'closed'),
			(SELECT COALESCE(MAX(sequence), 0) + 1 FROM position_checkpoints
				WHERE session_id = ?1 AND sequence IS NOT NULL)`,
			in.SessionID).Scan(&closed, &seq); err != nil {
			return fmt.Errorf("count positions: %w", mapErr(err))
		}
		positions, err := db.PositionsSnapshot(active)
		if err != nil {
			return err
		}
		size := int64(len(positions) + len(account))
		sum := db.Checksum(positions, account)
		dur := float64(time.Since(start).Microseconds()) / 1000
		res, err := tx.ExecContext(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
			positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, created_at,
			sequence, trigger, duration_ms, size_bytes, checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.SessionID, ts(at), string(positions), nullJSON(account), len(active), closed, ts(created),
			seq, nullStr(in.Trigger), dur, size, sum)
		if err != nil {
			return mapErr(err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		meta = db.CheckpointMeta{
			ID: id, SessionID: in.SessionID, CheckpointTime: at.UTC(), ActivePositionsCount: len(active),
			ClosedTradesCount: int(closed), CreatedAt: created.UTC(), Sequence: &seq, Trigger: in.Trigger,
			DurationMS: &dur, SizeBytes: &size, Checksum: sum,
		}
		return nil
	})
	if err != nil {
		return db.CheckpointMeta{}, fmt.Errorf("create checkpoint of %s: %w", in.SessionID, err)
	}
	return meta, nil
}

// GetCheckpoint implements db.Store.
func (s *Store) GetCheckpoint(ctx context.Context, id int64) (db.Checkpoint, error) {
	return first(ctx, s.r, "get checkpoint "+strconv.FormatInt(id, 10), scanCheckpoint,
		`SELECT `+metaCols+`, positions_snapshot, account_snapshot FROM position_checkpoints WHERE id = ?`, id)
}

// NewestCheckpoint implements db.Store with one index probe.
func (s *Store) NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error) {
	return first(ctx, s.r, fmt.Sprintf("checkpoint %d of %s", offset, sessionID), scanCheckpoint,
		`SELECT `+metaCols+`, positions_snapshot, account_snapshot FROM position_checkpoints
		WHERE session_id = ?`+newestCheckpointFirst+` LIMIT 1 OFFSET ?`, sessionID, max(offset, 0))
}

// ListCheckpoints implements db.Store; limit <= 0 lists all.
func (s *Store) ListCheckpoints(ctx context.Context, sessionID string, limit int) ([]db.CheckpointMeta, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return collect(ctx, s.r, "list checkpoints of "+sessionID, scanMeta,
		`SELECT `+metaCols+` FROM position_checkpoints WHERE session_id = ?`+newestCheckpointFirst+` LIMIT ?`,
		sessionID, limit)
}

// statsQuery reads the session's running aggregates (migration 0002) and
// takes first and last from the two ends of the session's index range, so
// its cost does not depend on the number of checkpoints.
const statsQuery = `SELECT coalesce(st.total, 0),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = ?1
			ORDER BY checkpoint_time LIMIT 1),
		(SELECT checkpoint_time FROM position_checkpoints WHERE session_id = ?1
			ORDER BY checkpoint_time DESC LIMIT 1),
		CASE WHEN st.duration_count > 0 THEN st.duration_sum / st.duration_count END,
		CASE WHEN st.duration_count > 0 THEN st.max_duration_ms END,
		coalesce(st.total_bytes, 0)
	FROM (SELECT 1) one LEFT JOIN checkpoint_stats st ON st.session_id = ?1`

// CheckpointStats implements db.Store.
func (s *Store) CheckpointStats(ctx context.Context, sessionID string) (db.CheckpointStats, error) {
	var (
		st          db.CheckpointStats
		first, last sql.NullString
		avg, mx     sql.NullFloat64
	)
	err := s.r.QueryRowContext(ctx, statsQuery, sessionID).
		Scan(&st.Total, &first, &last, &avg, &mx, &st.TotalBytes)
	if err != nil {
		return db.CheckpointStats{}, fmt.Errorf("checkpoint stats of %s: %w", sessionID, mapErr(err))
	}
	var d decoder
	st.First, st.Last = d.timePtr(first), d.timePtr(last)
	if d.err != nil {
		return db.CheckpointStats{}, fmt.Errorf("checkpoint stats of %s: %w", sessionID, d.err)
	}
	if avg.Valid {
		st.AvgDurationMS = &avg.Float64
	}
	if mx.Valid {
		st.MaxDurationMS = &mx.Float64
	}
	return st, nil
}
