package sqlstore

import (
	"context"

	"github.com/gambler-trader/gambler/internal/db"
)

const orderCols = `id, session_id, client_order_id, seq, broker_order_id, parent_client_order_id, symbol,
	order_type, order_class, side, qty, limit_price, stop_price, take_profit_price, stop_loss_price,
	status, filled_qty, filled_avg_price, purpose, rejection_reason, created_at, submitted_at,
	acknowledged_at, updated_at`

// terminalStatuses are the journal statuses after which the broker never
// changes an order again. Migration 0003's order_journal_open_idx has the
// same list as its predicate, so that both planners can use it.
const terminalStatuses = `('filled', 'canceled', 'expired', 'rejected', 'abandoned', 'replaced', 'done_for_day')`

func scanOrder(rows Rows) (db.Order, error) {
	var o db.Order
	return o, rows.Scan(&o.ID, scanStr(&o.SessionID), scanStr(&o.ClientOrderID), scanInt(&o.Seq),
		scanStr(&o.BrokerOrderID), scanStr(&o.ParentClientOrderID), scanStr(&o.Symbol), scanStr(&o.OrderType),
		scanStr(&o.OrderClass), scanStr(&o.Side), scanDec(&o.Qty), scanNullDec(&o.LimitPrice),
		scanNullDec(&o.StopPrice), scanNullDec(&o.TakeProfitPrice), scanNullDec(&o.StopLossPrice),
		scanStr(&o.Status), scanDec(&o.FilledQty), scanNullDec(&o.FilledAvgPrice), scanStr(&o.Purpose),
		scanStr(&o.RejectionReason), scanTime(&o.CreatedAt), scanTimePtr(&o.SubmittedAt),
		scanTimePtr(&o.AcknowledgedAt), scanTime(&o.UpdatedAt))
}

// NextOrderSeq implements db.Store.
func (s *Store) NextOrderSeq(ctx context.Context, sessionID string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, s.d.Read, "next order sequence of session "+sessionID,
		`SELECT coalesce(max(seq), 0) + 1 FROM order_journal WHERE session_id = $1`, []any{sessionID}, scanInt(&n))
	return n, err
}

// InsertOrder implements db.Store. Empty type, class and status are
// market, simple and intent; a zero creation time is now, a zero update
// time the creation time.
func (s *Store) InsertOrder(ctx context.Context, o db.Order) (int64, error) {
	typ, class, status := o.OrderType, o.OrderClass, o.Status
	if typ == "" {
		typ = "market"
	}
	if class == "" {
		class = "simple"
	}
	if status == "" {
		status = db.OrderIntent
	}
	created := s.orNow(o.CreatedAt)
	updated := created
	if !o.UpdatedAt.IsZero() {
		updated = o.UpdatedAt.UTC()
	}
	var id int64
	what := "journal order " + o.ClientOrderID
	err := s.write(ctx, what, sharesSession, func(q Querier) error {
		return s.queryRow(ctx, q, what, `INSERT INTO order_journal (session_id,
			client_order_id, seq, broker_order_id, parent_client_order_id, symbol, order_type, order_class, side,
			qty, limit_price, stop_price, take_profit_price, stop_loss_price, status, filled_qty, filled_avg_price,
			purpose, rejection_reason, created_at, submitted_at, acknowledged_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23) RETURNING id`,
			[]any{o.SessionID, o.ClientOrderID, o.Seq, nullStr(o.BrokerOrderID), nullStr(o.ParentClientOrderID),
				o.Symbol, typ, class, o.Side, o.Qty, o.LimitPrice, o.StopPrice, o.TakeProfitPrice, o.StopLossPrice,
				status, o.FilledQty, o.FilledAvgPrice, nullStr(o.Purpose), nullStr(o.RejectionReason),
				s.time(created), s.timePtr(o.SubmittedAt), s.timePtr(o.AcknowledgedAt), s.time(updated)},
			&id)
	})
	return id, err
}

// UpdateOrder implements db.Store. Empty broker id, status and rejection
// reason, a null average price and a nil acknowledgement time leave the
// stored values as they are.
func (s *Store) UpdateOrder(ctx context.Context, u db.OrderUpdate) error {
	return s.write(ctx, "update order "+u.ClientOrderID, sharesSession, func(q Querier) error {
		return s.updateOrder(ctx, q, u)
	})
}

func (s *Store) updateOrder(ctx context.Context, q Querier, u db.OrderUpdate) error {
	return s.execOne(ctx, q, "update order "+u.ClientOrderID, `UPDATE order_journal SET
			broker_order_id = coalesce($2, broker_order_id),
			status = coalesce($3, status),
			filled_qty = $4,
			filled_avg_price = coalesce($5, filled_avg_price),
			rejection_reason = coalesce($6, rejection_reason),
			acknowledged_at = coalesce($7, acknowledged_at),
			updated_at = $8
		WHERE client_order_id = $1`,
		u.ClientOrderID, nullStr(u.BrokerOrderID), nullStr(u.Status), u.FilledQty, u.FilledAvgPrice,
		nullStr(u.RejectionReason), s.timePtr(u.AcknowledgedAt), s.time(s.orNow(u.UpdatedAt)))
}

// GetOrder implements db.Store.
func (s *Store) GetOrder(ctx context.Context, clientOrderID string) (db.Order, error) {
	return first(ctx, s, s.d.Read, "get order "+clientOrderID, scanOrder,
		`SELECT `+orderCols+` FROM order_journal WHERE client_order_id = $1`, clientOrderID)
}

// SessionOrders implements db.Store, oldest first.
func (s *Store) SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]db.Order, error) {
	q := `SELECT ` + orderCols + ` FROM order_journal WHERE session_id = $1`
	if openOnly {
		q += ` AND status NOT IN ` + terminalStatuses
	}
	return collect(ctx, s, s.d.Read, "orders of session "+sessionID, scanOrder, q+` ORDER BY id`, sessionID)
}
