package sqlstore

import (
	"context"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// ApplyFill implements db.Store: the fill row is the idempotency key, so it
// is inserted first; a FillID seen before ends the transaction with no
// change, and any effect that fails rolls the fill back with it.
func (s *Store) ApplyFill(ctx context.Context, e db.FillEffect) (bool, error) {
	f := e.Fill
	what := "apply fill " + f.FillID
	applied := false
	err := s.fencedTx(ctx, what, func(q Querier) error {
		n, err := s.exec(ctx, q, what, `INSERT INTO fills (fill_id, session_id, client_order_id, broker_order_id,
				symbol, side, qty, price, filled_at, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (fill_id) DO NOTHING`,
			f.FillID, f.SessionID, nullStr(f.ClientOrderID), nullStr(f.BrokerOrderID), f.Symbol, f.Side,
			f.Qty, f.Price, s.time(f.FilledAt), s.time(s.now()))
		if err != nil || n == 0 {
			return err // seen before: nothing else changes
		}
		if e.Order != nil {
			if err := s.updateOrder(ctx, q, *e.Order); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if e.Open != nil {
			if _, err := s.openPosition(ctx, q, *e.Open); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if e.Close != nil {
			if err := s.closePosition(ctx, q, *e.Close); err != nil {
				return fmt.Errorf("%s: %w", what, err)
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

// Fills implements db.Store, in the order they were applied.
func (s *Store) Fills(ctx context.Context, sessionID string) ([]db.Fill, error) {
	return collect(ctx, s, s.d.Read, "fills of session "+sessionID, func(rows Rows) (db.Fill, error) {
		var f db.Fill
		return f, rows.Scan(scanStr(&f.FillID), scanStr(&f.SessionID), scanStr(&f.ClientOrderID),
			scanStr(&f.BrokerOrderID), scanStr(&f.Symbol), scanStr(&f.Side), scanDec(&f.Qty), scanDec(&f.Price),
			scanTime(&f.FilledAt))
	}, `SELECT fill_id, session_id, client_order_id, broker_order_id, symbol, side, qty, price, filled_at
		FROM fills WHERE session_id = $1 ORDER BY id`, sessionID)
}
