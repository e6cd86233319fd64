package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// ApplyFill implements db.Store: the fill row is the exactly-once guard, and
// everything the fill changes commits with it or not at all.
func (s *Store) ApplyFill(ctx context.Context, e db.FillEffect) (bool, error) {
	f := e.Fill
	applied := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO fills (fill_id, session_id, client_order_id,
			broker_order_id, symbol, side, qty, price, filled_at, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (fill_id) DO NOTHING`,
			f.FillID, f.SessionID, nullStr(f.ClientOrderID), nullStr(f.BrokerOrderID), f.Symbol, f.Side,
			dec(f.Qty), dec(f.Price), ts(f.FilledAt), ts(s.now()))
		if err != nil {
			return fmt.Errorf("apply fill %s: %w", f.FillID, mapErr(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // seen before: nothing else changes
		}
		if e.Order != nil {
			if err := updateOrder(ctx, tx, *e.Order, s.now()); err != nil {
				return fmt.Errorf("apply fill %s: %w", f.FillID, err)
			}
		}
		if e.Open != nil {
			if _, err := s.openPosition(ctx, tx, *e.Open); err != nil {
				return fmt.Errorf("apply fill %s: %w", f.FillID, err)
			}
		}
		if e.Close != nil {
			if err := closePosition(ctx, tx, *e.Close); err != nil {
				return fmt.Errorf("apply fill %s: %w", f.FillID, err)
			}
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// Fills implements db.Store.
func (s *Store) Fills(ctx context.Context, sessionID string) ([]db.Fill, error) {
	return collect(ctx, s.r, "fills of "+sessionID, func(rows *sql.Rows) (db.Fill, error) {
		var fillID, session, client, broker, symbol, side, qty, price, at sql.NullString
		if err := rows.Scan(&fillID, &session, &client, &broker, &symbol, &side, &qty, &price, &at); err != nil {
			return db.Fill{}, err
		}
		var d decoder
		f := db.Fill{
			FillID: fillID.String, SessionID: session.String, ClientOrderID: client.String,
			BrokerOrderID: broker.String, Symbol: symbol.String, Side: side.String,
			Qty: d.dec(qty), Price: d.dec(price), FilledAt: d.time(at),
		}
		if d.err != nil {
			return db.Fill{}, fmt.Errorf("fill %s: %w", f.FillID, d.err)
		}
		return f, nil
	}, `SELECT fill_id, session_id, client_order_id, broker_order_id, symbol, side, qty, price, filled_at
		FROM fills WHERE session_id = ? ORDER BY id`, sessionID)
}
