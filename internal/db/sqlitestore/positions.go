package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

const positionCols = `id, session_id, symbol, entry_time, entry_price, exit_time, exit_price, qty,
	direction, side, stop_loss, take_profit, order_id, status, exit_reason, pnl, pnl_pct,
	duration_minutes, entry_client_order_id, repair_count`

func scanPosition(rows *sql.Rows) (db.Position, error) {
	var (
		id, repairs                                   sql.NullInt64
		session, symbol, entryTime, entryPrice        sql.NullString
		exitTime, exitPrice, qty, direction, side     sql.NullString
		stopLoss, takeProfit, orderID, status, reason sql.NullString
		pnl, pnlPct, duration, entryClientOrderID     sql.NullString
	)
	if err := rows.Scan(&id, &session, &symbol, &entryTime, &entryPrice, &exitTime, &exitPrice, &qty,
		&direction, &side, &stopLoss, &takeProfit, &orderID, &status, &reason, &pnl, &pnlPct,
		&duration, &entryClientOrderID, &repairs); err != nil {
		return db.Position{}, err
	}
	var d decoder
	p := db.Position{
		ID:                 id.Int64,
		SessionID:          session.String,
		Symbol:             symbol.String,
		EntryTime:          d.time(entryTime),
		EntryPrice:         d.dec(entryPrice),
		ExitTime:           d.timePtr(exitTime),
		ExitPrice:          d.nullDec(exitPrice),
		Qty:                d.dec(qty),
		Direction:          direction.String,
		Side:               side.String,
		StopLoss:           d.nullDec(stopLoss),
		TakeProfit:         d.nullDec(takeProfit),
		OrderID:            orderID.String,
		Status:             status.String,
		ExitReason:         reason.String,
		PnL:                d.nullDec(pnl),
		PnLPct:             d.nullDec(pnlPct),
		DurationMinutes:    d.nullDec(duration),
		EntryClientOrderID: entryClientOrderID.String,
		RepairCount:        int(repairs.Int64),
	}
	if d.err != nil {
		return db.Position{}, fmt.Errorf("position %d: %w", p.ID, d.err)
	}
	return p, nil
}

// execer is what single statements need from *sql.DB and *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// OpenPosition implements db.Store.
func (s *Store) OpenPosition(ctx context.Context, p db.Position) (int64, error) {
	return s.openPosition(ctx, s.w, p)
}

func (s *Store) openPosition(ctx context.Context, ex execer, p db.Position) (int64, error) {
	status := p.Status
	if status == "" {
		status = db.PositionActive
	}
	now := ts(s.now())
	res, err := ex.ExecContext(ctx, `INSERT INTO positions (session_id, symbol, entry_time, entry_price,
		exit_time, exit_price, qty, direction, side, stop_loss, take_profit, order_id, status, exit_reason,
		pnl, pnl_pct, duration_minutes, created_at, updated_at, entry_client_order_id, repair_count)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.SessionID, p.Symbol, ts(p.EntryTime), dec(p.EntryPrice), tsPtr(p.ExitTime), nullDec(p.ExitPrice),
		dec(p.Qty), p.Direction, p.Side, nullDec(p.StopLoss), nullDec(p.TakeProfit), nullStr(p.OrderID),
		status, nullStr(p.ExitReason), nullDec(p.PnL), nullDec(p.PnLPct), nullDec(p.DurationMinutes),
		now, now, nullStr(p.EntryClientOrderID), p.RepairCount)
	if err != nil {
		return 0, fmt.Errorf("open position %s/%s: %w", p.SessionID, p.Symbol, mapErr(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("open position %s/%s: %w", p.SessionID, p.Symbol, err)
	}
	return id, nil
}

// ClosePosition implements db.Store. Only an active position can be closed;
// closing a missing or already closed one gives ErrNotFound.
func (s *Store) ClosePosition(ctx context.Context, c db.PositionClose) error {
	return closePosition(ctx, s.w, c)
}

func closePosition(ctx context.Context, ex execer, c db.PositionClose) error {
	key := strconv.FormatInt(c.PositionID, 10)
	res, err := ex.ExecContext(ctx, `UPDATE positions SET status = 'closed', exit_time = ?, exit_price = ?,
		exit_reason = ?, pnl = ?, pnl_pct = ?, duration_minutes = ?, updated_at = ?
		WHERE id = ? AND status = 'active'`,
		ts(c.ExitTime), nullDec(c.ExitPrice), nullStr(c.ExitReason), nullDec(c.PnL), nullDec(c.PnLPct),
		nullDec(c.DurationMinutes), ts(c.ExitTime), c.PositionID)
	if err != nil {
		return fmt.Errorf("close position %s: %w", key, mapErr(err))
	}
	return affectedOne(res, "close active position", key)
}

// SetPositionQty implements db.Store.
func (s *Store) SetPositionQty(ctx context.Context, positionID int64, qty decimal.Decimal, at time.Time) error {
	return s.execOne(ctx, "set qty of active position", strconv.FormatInt(positionID, 10),
		`UPDATE positions SET qty = ?, updated_at = ? WHERE id = ? AND status = 'active'`, dec(qty), ts(at), positionID)
}

// IncrementRepairCount implements db.Store.
func (s *Store) IncrementRepairCount(ctx context.Context, positionID int64) (int, error) {
	var n int
	err := s.w.QueryRowContext(ctx, `UPDATE positions SET repair_count = repair_count + 1
		WHERE id = ? RETURNING repair_count`, positionID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("increment repair count of position %d: %w", positionID, db.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("increment repair count of position %d: %w", positionID, mapErr(err))
	}
	return n, nil
}

// ActivePositions implements db.Store.
func (s *Store) ActivePositions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return activePositions(ctx, s.r, sessionID)
}

func activePositions(ctx context.Context, qr queryer, sessionID string) ([]db.Position, error) {
	return collect(ctx, qr, "active positions of "+sessionID, scanPosition,
		`SELECT `+positionCols+` FROM positions WHERE session_id = ? AND status = 'active' ORDER BY id`, sessionID)
}

// Positions implements db.Store.
func (s *Store) Positions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return collect(ctx, s.r, "positions of "+sessionID, scanPosition,
		`SELECT `+positionCols+` FROM positions WHERE session_id = ? ORDER BY entry_time, id`, sessionID)
}
