package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// ClaimSymbol implements db.Store.
func (s *Store) ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error {
	return db.ClaimProtocol(sessionID, symbol, db.ClaimSteps{
		Insert: func() (bool, error) {
			tag, err := s.pool.Exec(ctx, `INSERT INTO symbol_claims (symbol, session_id, instance_id, claimed_at)
				SELECT $2, session_id, instance_id, $3 FROM trading_sessions WHERE session_id = $1
				ON CONFLICT (symbol) DO NOTHING`, sessionID, symbol, at.UTC())
			return tag.RowsAffected() == 1, wrapErr(err, "insert claim")
		},
		Holder: func() (db.SymbolClaim, error) {
			var c db.SymbolClaim
			err := s.pool.QueryRow(ctx, `SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims
				WHERE symbol = $1`, symbol).Scan(&c.Symbol, &c.SessionID, &c.InstanceID, &c.ClaimedAt)
			return c, wrapErr(err, "claim on %s", symbol)
		},
		SessionExists: func() error {
			_, err := s.GetSession(ctx, sessionID)
			return err
		},
	})
}

// ReleaseIdleClaims implements db.Store.
func (s *Store) ReleaseIdleClaims(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `DELETE FROM symbol_claims c WHERE c.session_id = $1
		AND NOT EXISTS (SELECT 1 FROM positions p
			WHERE p.session_id = c.session_id AND p.symbol = c.symbol AND p.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM order_journal o
			WHERE o.session_id = c.session_id AND o.symbol = c.symbol AND o.status NOT IN `+terminalStatuses+`)
		RETURNING c.symbol`, sessionID)
	if err != nil {
		return nil, wrapErr(err, "release idle claims of session %s", sessionID)
	}
	symbols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return symbols, wrapErr(err, "release idle claims of session %s", sessionID)
}

// SymbolClaims implements db.Store.
func (s *Store) SymbolClaims(ctx context.Context) ([]db.SymbolClaim, error) {
	rows, err := s.pool.Query(ctx, `SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims ORDER BY symbol`)
	if err != nil {
		return nil, wrapErr(err, "list symbol claims")
	}
	claims, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (db.SymbolClaim, error) {
		var c db.SymbolClaim
		err := r.Scan(&c.Symbol, &c.SessionID, &c.InstanceID, &c.ClaimedAt)
		c.ClaimedAt = c.ClaimedAt.UTC()
		return c, err
	})
	return claims, wrapErr(err, "list symbol claims")
}

// TakeOverClaim implements db.Store.
func (s *Store) TakeOverClaim(ctx context.Context, symbol, fromSessionID, toSessionID string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE symbol_claims c SET session_id = t.session_id, instance_id = t.instance_id,
			claimed_at = $4
		FROM trading_sessions t WHERE t.session_id = $3 AND c.symbol = $1 AND c.session_id = $2`,
		symbol, fromSessionID, toSessionID, at.UTC())
	if err != nil {
		return wrapErr(err, "take over the claim on %s", symbol)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("take over the claim on %s from session %s: %w", symbol, fromSessionID, db.ErrNotFound)
	}
	return nil
}
