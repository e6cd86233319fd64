package sqlitestore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// ClaimSymbol implements db.Store.
func (s *Store) ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error {
	return db.ClaimProtocol(sessionID, symbol, db.ClaimSteps{
		Insert: func() (bool, error) {
			res, err := s.w.ExecContext(ctx, `INSERT INTO symbol_claims (symbol, session_id, instance_id, claimed_at)
				SELECT ?, session_id, instance_id, ? FROM trading_sessions WHERE session_id = ?
				ON CONFLICT (symbol) DO NOTHING`, symbol, ts(at), sessionID)
			if err != nil {
				return false, mapErr(err)
			}
			n, err := res.RowsAffected()
			return n == 1, err
		},
		Holder: func() (db.SymbolClaim, error) {
			return first(ctx, s.w, "claim on "+symbol, scanClaim,
				`SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims WHERE symbol = ?`, symbol)
		},
		SessionExists: func() error {
			_, err := s.GetSession(ctx, sessionID)
			return err
		},
	})
}

func scanClaim(rows *sql.Rows) (db.SymbolClaim, error) {
	var c db.SymbolClaim
	var at string
	if err := rows.Scan(&c.Symbol, &c.SessionID, &c.InstanceID, &at); err != nil {
		return c, err
	}
	t, err := parseTime(at)
	c.ClaimedAt = t
	return c, err
}

// ReleaseIdleClaims implements db.Store.
func (s *Store) ReleaseIdleClaims(ctx context.Context, sessionID string) ([]string, error) {
	return collect(ctx, s.w, "release idle claims of session "+sessionID, func(rows *sql.Rows) (string, error) {
		var symbol string
		return symbol, rows.Scan(&symbol)
	}, `DELETE FROM symbol_claims WHERE session_id = ?1
		AND NOT EXISTS (SELECT 1 FROM positions p
			WHERE p.session_id = symbol_claims.session_id AND p.symbol = symbol_claims.symbol AND p.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM order_journal o
			WHERE o.session_id = symbol_claims.session_id AND o.symbol = symbol_claims.symbol
			AND o.status NOT IN (`+terminalStatuses+`))
		RETURNING symbol`, sessionID)
}

// SymbolClaims implements db.Store.
func (s *Store) SymbolClaims(ctx context.Context) ([]db.SymbolClaim, error) {
	return collect(ctx, s.r, "list symbol claims", scanClaim,
		`SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims ORDER BY symbol`)
}

// TakeOverClaim implements db.Store.
func (s *Store) TakeOverClaim(ctx context.Context, symbol, fromSessionID, toSessionID string, at time.Time) error {
	return s.execOne(ctx, "take over the claim on", symbol, `UPDATE symbol_claims
		SET (session_id, instance_id, claimed_at) = (SELECT session_id, instance_id, ?4 FROM trading_sessions WHERE session_id = ?3)
		WHERE symbol = ?1 AND session_id = ?2 AND EXISTS (SELECT 1 FROM trading_sessions WHERE session_id = ?3)`,
		symbol, fromSessionID, toSessionID, ts(at))
}
