package pgstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// How CreateCheckpoint stays at one round trip and one commit while the
// snapshot JSON is still built in Go by db.PositionsSnapshot (so that it
// matches the SQLite store byte for byte):
//
// The INSERT carries the snapshot and a guard: the closed count and a
// fingerprint of the active positions (each row's id and xmin, which changes
// with every update). It writes the row only if the guard still holds in the
// INSERT's own statement snapshot, so the row is always consistent with the
// positions table at that instant: one statement, one transaction. The
// snapshot of the previous checkpoint is cached per session, so when nothing
// changed since (the common case) the INSERT is the only round trip. When a
// position changed, the guard fails, the INSERT writes nothing (and, having
// no transaction id, costs no commit), and the positions are read again.
// The payloads are sent as text and cast in the target list, so a failed
// guard does not pay for parsing them. The store's own position writes drop
// the cached snapshot, so the guard fails only on another process's writes.

// seqIndex is the unique index that makes the per-session sequence unique.
const seqIndex = "position_checkpoints_session_seq_idx"

// createAttempts bounds retries when positions keep changing under a create
// or a concurrent create took the same sequence number.
const createAttempts = 10

var errGuardFailed = errors.New("positions changed while the checkpoint was being written")

const (
	// selectSnapshot reads the closed count and the active positions in one
	// statement; the LEFT JOIN yields one row with null position columns
	// when nothing is open. Numerics come back as text, which is all the
	// snapshot needs and far cheaper to decode than binary numeric.
	selectSnapshot = `SELECT c.closed, p.id, p.xmin::text, p.symbol, p.entry_time, p.entry_price::text,
			p.qty::text, p.direction, p.side, p.stop_loss::text, p.take_profit::text, p.order_id, p.status
		FROM (SELECT count(*) AS closed FROM positions WHERE session_id = $1 AND status = 'closed') c
		LEFT JOIN positions p ON p.session_id = $1 AND p.status = 'active'
		ORDER BY p.id`
	insertCheckpoint = `INSERT INTO position_checkpoints (session_id, checkpoint_time, positions_snapshot,
			account_snapshot, active_positions_count, closed_trades_count, created_at, sequence, trigger,
			duration_ms, size_bytes, checksum)
		SELECT $1, $2, $3::text::json, $4::text::json, $5, $6, $7,
			(SELECT coalesce(max(sequence), 0) + 1 FROM position_checkpoints WHERE session_id = $1),
			$8, $9, $10, $11
		WHERE (SELECT count(*) FROM positions WHERE session_id = $1 AND status = 'closed') = $6::integer
			AND (SELECT string_agg(id::text || ':' || xmin::text, ',' ORDER BY id) FROM positions
				WHERE session_id = $1 AND status = 'active') IS NOT DISTINCT FROM $12
		RETURNING id, sequence`
)

// CreateCheckpoint implements db.Store.
func (s *Store) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	start := time.Now()
	var err error
	for range createAttempts {
		snap, cached := s.snaps.get(in.SessionID)
		if !cached {
			if snap, err = s.readSnapshot(ctx, in.SessionID); err != nil {
				break
			}
		}
		var m db.CheckpointMeta
		m, err = s.insertCheckpoint(ctx, in, snap, start)
		if err == nil {
			s.snaps.put(in.SessionID, snap)
			return m, nil
		}
		s.snaps.drop(in.SessionID)
		if !errors.Is(err, errGuardFailed) && !isUniqueViolationOn(err, seqIndex) {
			break
		}
	}
	return db.CheckpointMeta{}, wrapErr(err, "create checkpoint of session %s", in.SessionID)
}

func (s *Store) insertCheckpoint(ctx context.Context, in db.CheckpointInput, snap snapshot,
	start time.Time) (db.CheckpointMeta, error) {
	account := bytes.TrimSpace(in.AccountSnapshot)
	size := int64(len(snap.positions) + len(account))
	m := db.CheckpointMeta{
		SessionID: in.SessionID,
		// PostgreSQL keeps microseconds; report what is stored.
		CheckpointTime:       orNow(in.CheckpointTime, s.now).Truncate(time.Microsecond),
		ActivePositionsCount: snap.active,
		ClosedTradesCount:    snap.closed,
		CreatedAt:            s.now().Truncate(time.Microsecond),
		Trigger:              in.Trigger,
		Checksum:             db.Checksum(snap.positions, account),
		SizeBytes:            &size,
	}
	durationMS := float64(time.Since(start).Microseconds()) / 1000
	m.DurationMS = &durationMS
	err := s.pool.QueryRow(ctx, insertCheckpoint, m.SessionID, m.CheckpointTime, snap.positions,
		nullJSON(account), m.ActivePositionsCount, m.ClosedTradesCount, m.CreatedAt, nullString(m.Trigger),
		durationMS, size, m.Checksum, snap.fingerprint).Scan(&m.ID, &m.Sequence)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.CheckpointMeta{}, errGuardFailed
	}
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	return m, nil
}

// readSnapshot reads the session's positions and renders the snapshot.
func (s *Store) readSnapshot(ctx context.Context, sessionID string) (snapshot, error) {
	rows, err := s.pool.Query(ctx, selectSnapshot, sessionID)
	if err != nil {
		return snapshot{}, fmt.Errorf("read positions: %w", err)
	}
	defer rows.Close()
	var (
		r      snapshotRow
		closed int
		active []db.Position
		fp     strings.Builder
	)
	dest := r.dest(&closed)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return snapshot{}, fmt.Errorf("read positions: %w", err)
		}
		if !r.id.Valid {
			continue // no active position
		}
		p, err := r.position(sessionID)
		if err != nil {
			return snapshot{}, err
		}
		active = append(active, p)
		if fp.Len() > 0 {
			fp.WriteByte(',')
		}
		fp.WriteString(strconv.FormatInt(p.ID, 10))
		fp.WriteByte(':')
		fp.WriteString(r.xmin.String)
	}
	if err := rows.Err(); err != nil {
		return snapshot{}, fmt.Errorf("read positions: %w", err)
	}
	positions, err := db.PositionsSnapshot(active)
	if err != nil {
		return snapshot{}, err
	}
	snap := snapshot{positions: positions, active: len(active), closed: closed}
	if fp.Len() > 0 {
		f := fp.String()
		snap.fingerprint = &f
	}
	return snap, nil
}

// snapshotRow receives one row of selectSnapshot into reusable value types.
type snapshotRow struct {
	id                                       pgtype.Int8
	xmin                                     pgtype.Text
	symbol, direction, side, orderID, status pgtype.Text
	entryTime                                pgtype.Timestamptz
	entryPrice, qty, stopLoss, takeProfit    pgtype.Text
}

func (r *snapshotRow) dest(closed *int) []any {
	return []any{closed, &r.id, &r.xmin, &r.symbol, &r.entryTime, &r.entryPrice, &r.qty, &r.direction,
		&r.side, &r.stopLoss, &r.takeProfit, &r.orderID, &r.status}
}

func (r *snapshotRow) position(sessionID string) (db.Position, error) {
	p := db.Position{
		ID: r.id.Int64, SessionID: sessionID, Symbol: r.symbol.String, EntryTime: r.entryTime.Time,
		Direction: r.direction.String, Side: r.side.String, OrderID: r.orderID.String, Status: r.status.String,
	}
	var err error
	if p.EntryPrice, err = decimal.NewFromString(r.entryPrice.String); err != nil {
		return p, fmt.Errorf("position %d entry price: %w", p.ID, err)
	}
	if p.Qty, err = decimal.NewFromString(r.qty.String); err != nil {
		return p, fmt.Errorf("position %d qty: %w", p.ID, err)
	}
	if p.StopLoss, err = nullDecimal(r.stopLoss); err != nil {
		return p, fmt.Errorf("position %d stop loss: %w", p.ID, err)
	}
	if p.TakeProfit, err = nullDecimal(r.takeProfit); err != nil {
		return p, fmt.Errorf("position %d take profit: %w", p.ID, err)
	}
	return p, nil
}

func nullDecimal(t pgtype.Text) (decimal.NullDecimal, error) {
	if !t.Valid {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(t.String)
	return decimal.NewNullDecimal(d), err
}
