package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

const positionCols = `id, session_id, symbol, entry_time, entry_price, exit_time, exit_price, qty,
	direction, side, stop_loss, take_profit, order_id, status, exit_reason, pnl, pnl_pct,
	duration_minutes, entry_client_order_id, repair_count`

type positionRow struct {
	p           db.Position
	orderID     *string
	exitReason  *string
	entryClient *string
}

func (r *positionRow) dest() []any {
	p := &r.p
	return []any{&p.ID, &p.SessionID, &p.Symbol, &p.EntryTime, &p.EntryPrice, &p.ExitTime, &p.ExitPrice,
		&p.Qty, &p.Direction, &p.Side, &p.StopLoss, &p.TakeProfit, &r.orderID, &p.Status, &r.exitReason,
		&p.PnL, &p.PnLPct, &p.DurationMinutes, &r.entryClient, &p.RepairCount}
}

func (r *positionRow) position() db.Position {
	p := r.p
	p.OrderID = derefString(r.orderID)
	p.ExitReason = derefString(r.exitReason)
	p.EntryClientOrderID = derefString(r.entryClient)
	p.ExitTime = utcPtr(p.ExitTime)
	return p
}

// OpenPosition implements db.Store.
func (s *Store) OpenPosition(ctx context.Context, p db.Position) (int64, error) {
	id, err := openPosition(ctx, s.pool, p)
	if err == nil {
		s.snaps.drop(p.SessionID)
	}
	return id, err
}

func openPosition(ctx context.Context, q querier, p db.Position) (int64, error) {
	status := p.Status
	if status == "" {
		status = db.PositionActive
	}
	var id int64
	var exitTime *time.Time
	if p.ExitTime != nil {
		t := p.ExitTime.UTC()
		exitTime = &t
	}
	// Every field is written: reconcile marks adopted positions through
	// ExitReason, and the SQLite store keeps the exit fields too.
	err := q.QueryRow(ctx, `INSERT INTO positions (session_id, symbol, entry_time, entry_price, qty,
			direction, side, stop_loss, take_profit, order_id, status, entry_client_order_id, repair_count,
			exit_time, exit_price, exit_reason, pnl, pnl_pct, duration_minutes)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id`,
		p.SessionID, p.Symbol, p.EntryTime.UTC(), p.EntryPrice, p.Qty, p.Direction, p.Side,
		p.StopLoss, p.TakeProfit, nullString(p.OrderID), status, nullString(p.EntryClientOrderID),
		p.RepairCount, exitTime, p.ExitPrice, nullString(p.ExitReason), p.PnL, p.PnLPct,
		p.DurationMinutes).Scan(&id)
	if err != nil {
		return 0, wrapErr(err, "open %s position in session %s", p.Symbol, p.SessionID)
	}
	return id, nil
}

// ClosePosition implements db.Store. Closing a position that is not active
// is a conflict; closing one that does not exist is not found.
func (s *Store) ClosePosition(ctx context.Context, c db.PositionClose) error {
	sessionID, err := closePosition(ctx, s.pool, c)
	if err == nil {
		s.snaps.drop(sessionID)
	}
	return err
}

func closePosition(ctx context.Context, q querier, c db.PositionClose) (string, error) {
	return updateActivePosition(ctx, q, c.PositionID, "close position", `UPDATE positions
		SET status = 'closed', exit_time = $2, exit_price = $3, exit_reason = $4, pnl = $5,
			pnl_pct = $6, duration_minutes = $7, updated_at = $2
		WHERE id = $1 AND status = 'active' RETURNING session_id`,
		c.PositionID, c.ExitTime.UTC(), c.ExitPrice, nullString(c.ExitReason), c.PnL, c.PnLPct,
		c.DurationMinutes)
}

// updateActivePosition runs an UPDATE ... WHERE id = $1 AND status =
// 'active' RETURNING session_id, tells a missing position from a closed
// one, and returns the position's session.
func updateActivePosition(ctx context.Context, q querier, id int64, what, sql string, args ...any) (string, error) {
	var sessionID string
	err := q.QueryRow(ctx, sql, args...).Scan(&sessionID)
	if err == nil {
		return sessionID, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", wrapErr(err, "%s %d", what, id)
	}
	var status string
	if err := q.QueryRow(ctx, `SELECT status FROM positions WHERE id = $1`, id).Scan(&status); err != nil {
		return "", wrapErr(err, "%s %d", what, id)
	}
	return "", fmt.Errorf("%s %d: %w: position is %s", what, id, db.ErrConflict, status)
}

// SetPositionQty implements db.Store.
func (s *Store) SetPositionQty(ctx context.Context, positionID int64, qty decimal.Decimal, at time.Time) error {
	sessionID, err := updateActivePosition(ctx, s.pool, positionID, "set quantity of position",
		`UPDATE positions SET qty = $2, updated_at = $3 WHERE id = $1 AND status = 'active' RETURNING session_id`,
		positionID, qty, orNow(at, s.now))
	if err == nil {
		s.snaps.drop(sessionID)
	}
	return err
}

// IncrementRepairCount implements db.Store.
func (s *Store) IncrementRepairCount(ctx context.Context, positionID int64) (int, error) {
	var (
		n         int
		sessionID string
	)
	err := s.pool.QueryRow(ctx, `UPDATE positions SET repair_count = repair_count + 1, updated_at = $2
		WHERE id = $1 RETURNING repair_count, session_id`, positionID, s.now()).Scan(&n, &sessionID)
	if err != nil {
		return 0, wrapErr(err, "increment repair count of position %d", positionID)
	}
	s.snaps.drop(sessionID) // the row's new version fails the snapshot guard
	return n, nil
}

// ActivePositions implements db.Store, oldest first.
func (s *Store) ActivePositions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return queryPositions(ctx, s.pool, "active positions of session "+sessionID,
		`WHERE session_id = $1 AND status = 'active' ORDER BY entry_time, id`, sessionID)
}

// Positions implements db.Store.
func (s *Store) Positions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return queryPositions(ctx, s.pool, "positions of session "+sessionID,
		`WHERE session_id = $1 ORDER BY entry_time, id`, sessionID)
}

func queryPositions(ctx context.Context, q querier, what, where string, args ...any) ([]db.Position, error) {
	return collect(ctx, q, what,
		func(rows pgx.Rows) (db.Position, error) {
			var r positionRow
			err := rows.Scan(r.dest()...)
			return r.position(), err
		},
		`SELECT `+positionCols+` FROM positions `+where, args...)
}
