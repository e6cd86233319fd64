package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func scanClaim(rows Rows) (db.SymbolClaim, error) {
	var c db.SymbolClaim
	return c, rows.Scan(scanStr(&c.Symbol), scanStr(&c.SessionID), scanInt(&c.InstanceID), scanTime(&c.ClaimedAt))
}

// ClaimSymbol implements db.Store.
func (s *Store) ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error {
	return db.ClaimProtocol(sessionID, symbol, db.ClaimSteps{
		Insert: func() (bool, error) {
			var n int64
			err := s.write(ctx, "insert claim", sharesSession, func(q Querier) error {
				var err error
				n, err = s.exec(ctx, q, "insert claim",
					`INSERT INTO symbol_claims (symbol, session_id, instance_id, claimed_at)
					SELECT $2, session_id, instance_id, $3 FROM trading_sessions WHERE session_id = $1
					ON CONFLICT (symbol) DO NOTHING`, sessionID, symbol, s.time(s.orNow(at)))
				return err
			})
			return n == 1, err
		},
		Holder: func() (db.SymbolClaim, error) {
			// The writer, so that a claim just committed is seen.
			return first(ctx, s, s.d.Write, "claim on "+symbol, scanClaim,
				`SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims WHERE symbol = $1`, symbol)
		},
		SessionExists: func() error {
			_, err := s.GetSession(ctx, sessionID)
			return err
		},
	})
}

// ReleaseIdleClaims implements db.Store.
func (s *Store) ReleaseIdleClaims(ctx context.Context, sessionID string) ([]string, error) {
	what := "release idle claims of session " + sessionID
	var released []string
	err := s.write(ctx, what, sharesSession, func(q Querier) error {
		var err error
		released, err = collect(ctx, s, q, what, func(rows Rows) (string, error) {
			var symbol string
			return symbol, rows.Scan(scanStr(&symbol))
		}, releaseIdle, sessionID)
		return err
	})
	return released, err
}

// releaseIdle deletes the session's claims on symbols without an active
// position or an open order.
const releaseIdle = `DELETE FROM symbol_claims WHERE session_id = $1
		AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.session_id = symbol_claims.session_id
			AND p.symbol = symbol_claims.symbol AND p.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM order_journal o WHERE o.session_id = symbol_claims.session_id
			AND o.symbol = symbol_claims.symbol AND o.status NOT IN ` + terminalStatuses + `)
		RETURNING symbol`

// SymbolClaims implements db.Store.
func (s *Store) SymbolClaims(ctx context.Context) ([]db.SymbolClaim, error) {
	return collect(ctx, s, s.d.Read, "list symbol claims", scanClaim,
		`SELECT symbol, session_id, instance_id, claimed_at FROM symbol_claims ORDER BY symbol`)
}

// TakeOverClaim implements db.Store.
func (s *Store) TakeOverClaim(ctx context.Context, symbol, fromSessionID, toSessionID string, at time.Time) error {
	what := fmt.Sprintf("take over the claim on %s from session %s", symbol, fromSessionID)
	return s.write(ctx, what, sharesSession, func(q Querier) error {
		return s.execOne(ctx, q, what, `UPDATE symbol_claims SET session_id = $3, claimed_at = $4,
				instance_id = (SELECT instance_id FROM trading_sessions WHERE session_id = $3)
			WHERE symbol = $1 AND session_id = $2
				AND EXISTS (SELECT 1 FROM trading_sessions WHERE session_id = $3)`,
			symbol, fromSessionID, toSessionID, s.time(s.orNow(at)))
	})
}
