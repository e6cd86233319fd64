package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

const positionCols = `id, session_id, symbol, entry_time, entry_price, exit_time, exit_price, qty,
	direction, side, stop_loss, take_profit, order_id, status, exit_reason, pnl, pnl_pct,
	duration_minutes, entry_client_order_id, repair_count`

// positionsOldestFirst is the order of ActivePositions and Positions.
const positionsOldestFirst = ` ORDER BY entry_time, id`

func positionDest(p *db.Position) []any {
	return []any{&p.ID, scanStr(&p.SessionID), scanStr(&p.Symbol), scanTime(&p.EntryTime),
		scanDec(&p.EntryPrice), scanTimePtr(&p.ExitTime), scanNullDec(&p.ExitPrice), scanDec(&p.Qty),
		scanStr(&p.Direction), scanStr(&p.Side), scanNullDec(&p.StopLoss), scanNullDec(&p.TakeProfit),
		scanStr(&p.OrderID), scanStr(&p.Status), scanStr(&p.ExitReason), scanNullDec(&p.PnL),
		scanNullDec(&p.PnLPct), scanNullDec(&p.DurationMinutes), scanStr(&p.EntryClientOrderID),
		scanInt(&p.RepairCount)}
}

func scanPosition(rows Rows) (db.Position, error) {
	var p db.Position
	return p, rows.Scan(positionDest(&p)...)
}

// OpenPosition implements db.Store.
func (s *Store) OpenPosition(ctx context.Context, p db.Position) (int64, error) {
	var id int64
	err := s.write(ctx, "open position", sharesSession, func(q Querier) error {
		var err error
		id, err = s.openPosition(ctx, q, p)
		return err
	})
	return id, err
}

// openPosition inserts p with every field: reconcile marks adopted
// positions through ExitReason. An empty status is active.
func (s *Store) openPosition(ctx context.Context, q Querier, p db.Position) (int64, error) {
	status := p.Status
	if status == "" {
		status = db.PositionActive
	}
	now := s.time(s.now())
	var id int64
	err := s.queryRow(ctx, q, fmt.Sprintf("open %s position in session %s", p.Symbol, p.SessionID),
		`INSERT INTO positions (session_id, symbol, entry_time, entry_price, qty, direction, side, stop_loss,
			take_profit, order_id, status, entry_client_order_id, repair_count, exit_time, exit_price,
			exit_reason, pnl, pnl_pct, duration_minutes, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20) RETURNING id`,
		[]any{p.SessionID, p.Symbol, s.time(p.EntryTime), p.EntryPrice, p.Qty, p.Direction, p.Side,
			p.StopLoss, p.TakeProfit, nullStr(p.OrderID), status, nullStr(p.EntryClientOrderID), p.RepairCount,
			s.timePtr(p.ExitTime), p.ExitPrice, nullStr(p.ExitReason), p.PnL, p.PnLPct, p.DurationMinutes, now},
		&id)
	return id, err
}

// ClosePosition implements db.Store.
func (s *Store) ClosePosition(ctx context.Context, c db.PositionClose) error {
	return s.write(ctx, "close position", sharesSession, func(q Querier) error {
		return s.closePosition(ctx, q, c)
	})
}

func (s *Store) closePosition(ctx context.Context, q Querier, c db.PositionClose) error {
	at := s.time(s.orNow(c.ExitTime))
	return s.updateActive(ctx, q, c.PositionID, "close position", `UPDATE positions
		SET status = 'closed', exit_time = $2, exit_price = $3, exit_reason = $4, pnl = $5, pnl_pct = $6,
			duration_minutes = $7, updated_at = $2
		WHERE id = $1 AND status = 'active'`,
		c.PositionID, at, c.ExitPrice, nullStr(c.ExitReason), c.PnL, c.PnLPct, c.DurationMinutes)
}

// SetPositionQty implements db.Store.
func (s *Store) SetPositionQty(ctx context.Context, positionID int64, qty decimal.Decimal, at time.Time) error {
	return s.write(ctx, "set quantity of position", sharesSession, func(q Querier) error {
		return s.updateActive(ctx, q, positionID, "set quantity of position",
			`UPDATE positions SET qty = $2, updated_at = $3 WHERE id = $1 AND status = 'active'`,
			positionID, qty, s.time(s.orNow(at)))
	})
}

// updateActive runs an UPDATE of one active position and tells a missing
// position (ErrNotFound) from one that is not active (ErrConflict): the
// caller's view of the position is stale, not its id wrong.
func (s *Store) updateActive(ctx context.Context, q Querier, id int64, what, sql string, args ...any) error {
	what = fmt.Sprintf("%s %d", what, id)
	n, err := s.exec(ctx, q, what, sql, args...)
	if err != nil || n == 1 {
		return err
	}
	var status string
	if err := s.queryRow(ctx, q, what, `SELECT status FROM positions WHERE id = $1`, []any{id},
		scanStr(&status)); err != nil {
		return err
	}
	return fmt.Errorf("%s: %w: the position is %s", what, db.ErrConflict, status)
}

// IncrementRepairCount implements db.Store.
func (s *Store) IncrementRepairCount(ctx context.Context, positionID int64) (int, error) {
	var n int
	what := fmt.Sprintf("increment repair count of position %d", positionID)
	err := s.write(ctx, what, sharesSession, func(q Querier) error {
		return s.queryRow(ctx, q, what,
			`UPDATE positions SET repair_count = repair_count + 1, updated_at = $2 WHERE id = $1 RETURNING repair_count`,
			[]any{positionID, s.time(s.now())}, scanInt(&n))
	})
	return n, err
}

// ActivePositions implements db.Store.
func (s *Store) ActivePositions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return collect(ctx, s, s.d.Read, "active positions of session "+sessionID, scanPosition,
		`SELECT `+positionCols+` FROM positions WHERE session_id = $1 AND status = 'active'`+positionsOldestFirst,
		sessionID)
}

// Positions implements db.Store.
func (s *Store) Positions(ctx context.Context, sessionID string) ([]db.Position, error) {
	return collect(ctx, s, s.d.Read, "positions of session "+sessionID, scanPosition,
		`SELECT `+positionCols+` FROM positions WHERE session_id = $1`+positionsOldestFirst, sessionID)
}
