package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// seqIndex is the unique index that makes the per-session sequence unique.
const seqIndex = "position_checkpoints_session_seq_idx"

// createAttempts bounds retries when a concurrent create took the same
// sequence number.
const createAttempts = 3

// The snapshot is read in a REPEATABLE READ transaction so that the active
// positions and the closed count come from one snapshot.
const (
	beginSnapshot    = `BEGIN ISOLATION LEVEL REPEATABLE READ`
	selectClosed     = `SELECT count(*) FROM positions WHERE session_id = $1 AND status = 'closed'`
	selectActive     = `SELECT ` + positionCols + ` FROM positions WHERE session_id = $1 AND status = 'active'`
	insertCheckpoint = `INSERT INTO position_checkpoints (session_id, checkpoint_time, positions_snapshot,
			account_snapshot, active_positions_count, closed_trades_count, created_at, sequence, trigger,
			duration_ms, size_bytes, checksum)
		SELECT $1, $2, $3, $4, $5, $6, $7,
			(SELECT coalesce(max(sequence), 0) + 1 FROM position_checkpoints WHERE session_id = $1),
			$8, $9, $10, $11
		RETURNING id, sequence`
)

// CreateCheckpoint implements db.Store in two round trips on one
// connection: [BEGIN; read closed count; read active positions], then, once
// the snapshot JSON is built here with db.PositionsSnapshot (so it matches
// the SQLite store byte for byte), [INSERT; COMMIT].
func (s *Store) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	for attempt := 1; ; attempt++ {
		m, err := s.createCheckpoint(ctx, in)
		if err == nil {
			return m, nil
		}
		if attempt == createAttempts || !isUniqueViolationOn(err, seqIndex) {
			return db.CheckpointMeta{}, wrapErr(err, "create checkpoint of session %s", in.SessionID)
		}
	}
}

func (s *Store) createCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	start := time.Now()
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	// A connection left inside a transaction is destroyed by Release, so an
	// error anywhere below cannot leak an open transaction into the pool.
	defer pc.Release()
	conn := pc.Conn()

	closed, active, err := readSnapshot(ctx, conn, in.SessionID)
	if err != nil {
		rollback(ctx, conn)
		return db.CheckpointMeta{}, err
	}
	positions, err := db.PositionsSnapshot(active)
	if err != nil {
		rollback(ctx, conn)
		return db.CheckpointMeta{}, err
	}
	account := bytes.TrimSpace(in.AccountSnapshot)
	m := db.CheckpointMeta{
		SessionID: in.SessionID,
		// PostgreSQL keeps microseconds; report what is stored.
		CheckpointTime:       orNow(in.CheckpointTime, s.now).Truncate(time.Microsecond),
		ActivePositionsCount: len(active),
		ClosedTradesCount:    closed,
		CreatedAt:            s.now().Truncate(time.Microsecond),
		Trigger:              in.Trigger,
		Checksum:             db.Checksum(positions, account),
	}
	size := int64(len(positions) + len(account))
	m.SizeBytes = &size
	durationMS := float64(time.Since(start).Microseconds()) / 1000
	m.DurationMS = &durationMS

	b := &pgx.Batch{}
	b.Queue(insertCheckpoint, m.SessionID, m.CheckpointTime, positions, nullJSON(account),
		m.ActivePositionsCount, m.ClosedTradesCount, m.CreatedAt, nullString(m.Trigger), durationMS, size,
		m.Checksum).QueryRow(func(row pgx.Row) error {
		return row.Scan(&m.ID, &m.Sequence)
	})
	b.Queue(`COMMIT`)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		rollback(ctx, conn)
		return db.CheckpointMeta{}, err
	}
	return m, nil
}

// readSnapshot begins the transaction and reads the closed count and the
// active positions in one round trip.
func readSnapshot(ctx context.Context, conn *pgx.Conn, sessionID string) (int, []db.Position, error) {
	var (
		closed int
		active []db.Position
	)
	b := &pgx.Batch{}
	b.Queue(beginSnapshot)
	b.Queue(selectClosed, sessionID).QueryRow(func(row pgx.Row) error {
		return row.Scan(&closed)
	})
	b.Queue(selectActive, sessionID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var r positionRow
			if err := rows.Scan(r.dest()...); err != nil {
				return err
			}
			active = append(active, r.position())
		}
		return rows.Err()
	})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return 0, nil, fmt.Errorf("read positions: %w", err)
	}
	return closed, active, nil
}

// rollback ends a failed transaction; if even that fails, the connection is
// still in a transaction and the pool destroys it on release.
func rollback(ctx context.Context, conn *pgx.Conn) {
	if conn.PgConn().TxStatus() != 'I' {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `ROLLBACK`)
	}
}
