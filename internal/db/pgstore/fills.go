package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// ApplyFill implements db.Store: the fill row is the idempotency key, so it
// is inserted first and a duplicate ends the transaction with no change.
func (s *Store) ApplyFill(ctx context.Context, e db.FillEffect) (applied bool, err error) {
	f := e.Fill
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, wrapErr(err, "apply fill %s", f.FillID)
	}
	defer func() {
		if !applied {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO fills (fill_id, session_id, client_order_id, broker_order_id,
			symbol, side, qty, price, filled_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (fill_id) DO NOTHING RETURNING id`,
		f.FillID, f.SessionID, nullString(f.ClientOrderID), nullString(f.BrokerOrderID), f.Symbol, f.Side,
		f.Qty, f.Price, f.FilledAt.UTC()).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr(err, "apply fill %s", f.FillID)
	}
	if e.Order != nil {
		if err := updateOrder(ctx, tx, *e.Order, s.now); err != nil {
			return false, wrapErr(err, "apply fill %s", f.FillID)
		}
	}
	if e.Open != nil {
		if _, err := openPosition(ctx, tx, *e.Open); err != nil {
			return false, wrapErr(err, "apply fill %s", f.FillID)
		}
	}
	if e.Close != nil {
		if _, err := closePosition(ctx, tx, *e.Close); err != nil {
			return false, wrapErr(err, "apply fill %s", f.FillID)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, wrapErr(err, "commit fill %s", f.FillID)
	}
	if e.Open != nil || e.Close != nil {
		s.snaps.drop(f.SessionID)
	}
	return true, nil
}

// Fills implements db.Store, in the order they were applied.
func (s *Store) Fills(ctx context.Context, sessionID string) ([]db.Fill, error) {
	return collect(ctx, s.pool, "fills of session "+sessionID,
		func(rows pgx.Rows) (db.Fill, error) {
			var f db.Fill
			err := rows.Scan(&f.FillID, &f.SessionID, &f.ClientOrderID, &f.BrokerOrderID, &f.Symbol,
				&f.Side, &f.Qty, &f.Price, &f.FilledAt)
			return f, err
		},
		`SELECT fill_id, session_id, coalesce(client_order_id, ''),
			coalesce(broker_order_id, ''), symbol, side, qty, price, filled_at
		FROM fills WHERE session_id = $1 ORDER BY id`, sessionID)
}
