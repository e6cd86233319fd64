package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

const orderCols = `id, session_id, client_order_id, seq, broker_order_id, parent_client_order_id, symbol,
	order_type, order_class, side, qty, limit_price, stop_price, take_profit_price, stop_loss_price,
	status, filled_qty, filled_avg_price, purpose, rejection_reason, created_at, submitted_at,
	acknowledged_at, updated_at`

// terminalStatuses are the journal statuses after which the broker will not
// change the order again.
const terminalStatuses = `('filled', 'canceled', 'expired', 'rejected', 'abandoned', 'replaced', 'done_for_day')`

type orderRow struct {
	o         db.Order
	seq       *int64
	broker    *string
	parent    *string
	purpose   *string
	rejection *string
}

func (r *orderRow) dest() []any {
	o := &r.o
	return []any{&o.ID, &o.SessionID, &o.ClientOrderID, &r.seq, &r.broker, &r.parent, &o.Symbol,
		&o.OrderType, &o.OrderClass, &o.Side, &o.Qty, &o.LimitPrice, &o.StopPrice, &o.TakeProfitPrice,
		&o.StopLossPrice, &o.Status, &o.FilledQty, &o.FilledAvgPrice, &r.purpose, &r.rejection,
		&o.CreatedAt, &o.SubmittedAt, &o.AcknowledgedAt, &o.UpdatedAt}
}

func (r *orderRow) order() db.Order {
	o := r.o
	if r.seq != nil {
		o.Seq = *r.seq
	}
	o.BrokerOrderID = derefString(r.broker)
	o.ParentClientOrderID = derefString(r.parent)
	o.Purpose = derefString(r.purpose)
	o.RejectionReason = derefString(r.rejection)
	o.SubmittedAt = utcPtr(o.SubmittedAt)
	o.AcknowledgedAt = utcPtr(o.AcknowledgedAt)
	return o
}

// NextOrderSeq implements db.Store.
func (s *Store) NextOrderSeq(ctx context.Context, sessionID string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM order_journal WHERE session_id = $1`,
		sessionID).Scan(&n)
	return n, wrapErr(err, "next order sequence of session %s", sessionID)
}

// InsertOrder implements db.Store. Empty type, class and status take the
// schema's defaults (market, simple, intent).
func (s *Store) InsertOrder(ctx context.Context, o db.Order) (int64, error) {
	created := orNow(o.CreatedAt, s.now)
	updated := o.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO order_journal (session_id, client_order_id, seq,
			broker_order_id, parent_client_order_id, symbol, order_type, order_class, side, qty,
			limit_price, stop_price, take_profit_price, stop_loss_price, status, filled_qty,
			filled_avg_price, purpose, rejection_reason, created_at, submitted_at, acknowledged_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 'market'), coalesce($8, 'simple'), $9, $10,
			$11, $12, $13, $14, coalesce($15, 'intent'), $16, $17, $18, $19, $20, $21, $22, $23)
		RETURNING id`,
		o.SessionID, o.ClientOrderID, o.Seq, nullString(o.BrokerOrderID), nullString(o.ParentClientOrderID),
		o.Symbol, nullString(o.OrderType), nullString(o.OrderClass), o.Side, o.Qty,
		o.LimitPrice, o.StopPrice, o.TakeProfitPrice, o.StopLossPrice, nullString(o.Status), o.FilledQty,
		o.FilledAvgPrice, nullString(o.Purpose), nullString(o.RejectionReason), created,
		nullTimePtr(o.SubmittedAt), nullTimePtr(o.AcknowledgedAt), updated.UTC()).Scan(&id)
	if err != nil {
		return 0, wrapErr(err, "journal order %s", o.ClientOrderID)
	}
	return id, nil
}

// UpdateOrder implements db.Store. Empty broker id, status and rejection
// reason, a null average price and a nil acknowledgement time leave the
// stored values as they are.
func (s *Store) UpdateOrder(ctx context.Context, u db.OrderUpdate) error {
	return updateOrder(ctx, s.pool, u, s.now)
}

func updateOrder(ctx context.Context, q querier, u db.OrderUpdate, now func() time.Time) error {
	return execOne(ctx, q, "update order "+u.ClientOrderID, `UPDATE order_journal SET
			broker_order_id = coalesce($2, broker_order_id),
			status = coalesce($3, status),
			filled_qty = $4,
			filled_avg_price = coalesce($5, filled_avg_price),
			rejection_reason = coalesce($6, rejection_reason),
			acknowledged_at = coalesce($7, acknowledged_at),
			updated_at = $8
		WHERE client_order_id = $1`,
		u.ClientOrderID, nullString(u.BrokerOrderID), nullString(u.Status), u.FilledQty, u.FilledAvgPrice,
		nullString(u.RejectionReason), nullTimePtr(u.AcknowledgedAt), orNow(u.UpdatedAt, now))
}

// GetOrder implements db.Store.
func (s *Store) GetOrder(ctx context.Context, clientOrderID string) (db.Order, error) {
	var r orderRow
	err := s.pool.QueryRow(ctx, `SELECT `+orderCols+` FROM order_journal WHERE client_order_id = $1`,
		clientOrderID).Scan(r.dest()...)
	if err != nil {
		return db.Order{}, wrapErr(err, "get order %s", clientOrderID)
	}
	return r.order(), nil
}

// SessionOrders implements db.Store, oldest first.
func (s *Store) SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]db.Order, error) {
	where := `WHERE session_id = $1`
	if openOnly {
		where += ` AND status NOT IN ` + terminalStatuses
	}
	return collect(ctx, s.pool, "orders of session "+sessionID,
		func(rows pgx.Rows) (db.Order, error) {
			var r orderRow
			err := rows.Scan(r.dest()...)
			return r.order(), err
		},
		`SELECT `+orderCols+` FROM order_journal `+where+` ORDER BY id`, sessionID)
}

// OtherSessionIDs implements db.Store.
func (s *Store) OtherSessionIDs(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT session_id FROM trading_sessions WHERE session_id <> $1
		ORDER BY start_time, session_id`, sessionID)
	if err != nil {
		return nil, wrapErr(err, "list other sessions")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrapErr(err, "list other sessions")
}
