package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

const orderCols = `id, session_id, client_order_id, seq, broker_order_id, parent_client_order_id, symbol,
	order_type, order_class, side, qty, limit_price, stop_price, take_profit_price, stop_loss_price,
	status, filled_qty, filled_avg_price, purpose, rejection_reason, created_at, submitted_at,
	acknowledged_at, updated_at`

func scanOrder(rows *sql.Rows) (db.Order, error) {
	var (
		id, seq                                                   sql.NullInt64
		session, client, broker, parent, symbol, typ, class, side sql.NullString
		qty, limit, stop, tp, sl, status, filledQty, avg          sql.NullString
		purpose, reason, created, submitted, acked, updated       sql.NullString
	)
	if err := rows.Scan(&id, &session, &client, &seq, &broker, &parent, &symbol, &typ, &class, &side,
		&qty, &limit, &stop, &tp, &sl, &status, &filledQty, &avg, &purpose, &reason, &created,
		&submitted, &acked, &updated); err != nil {
		return db.Order{}, err
	}
	var d decoder
	o := db.Order{
		ID:                  id.Int64,
		SessionID:           session.String,
		ClientOrderID:       client.String,
		Seq:                 seq.Int64,
		BrokerOrderID:       broker.String,
		ParentClientOrderID: parent.String,
		Symbol:              symbol.String,
		OrderType:           typ.String,
		OrderClass:          class.String,
		Side:                side.String,
		Qty:                 d.dec(qty),
		LimitPrice:          d.nullDec(limit),
		StopPrice:           d.nullDec(stop),
		TakeProfitPrice:     d.nullDec(tp),
		StopLossPrice:       d.nullDec(sl),
		Status:              status.String,
		FilledQty:           d.dec(filledQty),
		FilledAvgPrice:      d.nullDec(avg),
		Purpose:             purpose.String,
		RejectionReason:     reason.String,
		CreatedAt:           d.time(created),
		SubmittedAt:         d.timePtr(submitted),
		AcknowledgedAt:      d.timePtr(acked),
		UpdatedAt:           d.time(updated),
	}
	if d.err != nil {
		return db.Order{}, fmt.Errorf("order %s: %w", o.ClientOrderID, d.err)
	}
	return o, nil
}

// NextOrderSeq implements db.Store.
func (s *Store) NextOrderSeq(ctx context.Context, sessionID string) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM order_journal WHERE session_id = ?`,
		sessionID).Scan(&n); err != nil {
		return 0, fmt.Errorf("next order seq of %s: %w", sessionID, mapErr(err))
	}
	return n, nil
}

// InsertOrder implements db.Store.
func (s *Store) InsertOrder(ctx context.Context, o db.Order) (int64, error) {
	now := s.now()
	status, typ, class := o.Status, o.OrderType, o.OrderClass
	if status == "" {
		status = db.OrderIntent
	}
	if typ == "" {
		typ = "market"
	}
	if class == "" {
		class = "simple"
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO order_journal (session_id, client_order_id, seq,
		broker_order_id, parent_client_order_id, symbol, order_type, order_class, side, qty, limit_price,
		stop_price, take_profit_price, stop_loss_price, status, filled_qty, filled_avg_price, purpose,
		rejection_reason, created_at, submitted_at, acknowledged_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		o.SessionID, o.ClientOrderID, o.Seq, nullStr(o.BrokerOrderID), nullStr(o.ParentClientOrderID),
		o.Symbol, typ, class, o.Side, dec(o.Qty), nullDec(o.LimitPrice), nullDec(o.StopPrice),
		nullDec(o.TakeProfitPrice), nullDec(o.StopLossPrice), status, dec(o.FilledQty),
		nullDec(o.FilledAvgPrice), nullStr(o.Purpose), nullStr(o.RejectionReason),
		ts(orNow(o.CreatedAt, now)), tsPtr(o.SubmittedAt), tsPtr(o.AcknowledgedAt), ts(orNow(o.UpdatedAt, now)))
	if err != nil {
		return 0, fmt.Errorf("insert order %s: %w", o.ClientOrderID, mapErr(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert order %s: %w", o.ClientOrderID, err)
	}
	return id, nil
}

// UpdateOrder implements db.Store. Empty strings, a null average price and
// a nil acknowledgement time leave the stored value as it is.
func (s *Store) UpdateOrder(ctx context.Context, u db.OrderUpdate) error {
	return updateOrder(ctx, s.w, u, s.now())
}

func updateOrder(ctx context.Context, ex execer, u db.OrderUpdate, now time.Time) error {
	res, err := ex.ExecContext(ctx, `UPDATE order_journal SET
		broker_order_id = COALESCE(?, broker_order_id),
		status = COALESCE(?, status),
		filled_qty = ?,
		filled_avg_price = COALESCE(?, filled_avg_price),
		rejection_reason = COALESCE(?, rejection_reason),
		acknowledged_at = COALESCE(?, acknowledged_at),
		updated_at = ?
		WHERE client_order_id = ?`,
		nullStr(u.BrokerOrderID), nullStr(u.Status), dec(u.FilledQty), nullDec(u.FilledAvgPrice),
		nullStr(u.RejectionReason), tsPtr(u.AcknowledgedAt), ts(orNow(u.UpdatedAt, now)), u.ClientOrderID)
	if err != nil {
		return fmt.Errorf("update order %s: %w", u.ClientOrderID, mapErr(err))
	}
	return affectedOne(res, "update order", u.ClientOrderID)
}

// GetOrder implements db.Store.
func (s *Store) GetOrder(ctx context.Context, clientOrderID string) (db.Order, error) {
	return first(ctx, s.r, "get order "+clientOrderID, scanOrder,
		`SELECT `+orderCols+` FROM order_journal WHERE client_order_id = ?`, clientOrderID)
}

// terminalStatuses are order statuses after which the broker never changes
// the order again.
const terminalStatuses = `'filled','canceled','expired','rejected','abandoned','replaced','done_for_day'`

// SessionOrders implements db.Store.
func (s *Store) SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]db.Order, error) {
	q := `SELECT ` + orderCols + ` FROM order_journal WHERE session_id = ?`
	if openOnly {
		q += ` AND status NOT IN (` + terminalStatuses + `)`
	}
	return collect(ctx, s.r, "orders of "+sessionID, scanOrder, q+` ORDER BY id`, sessionID)
}
