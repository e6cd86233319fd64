package sqlstore

import (
	"context"

	"github.com/gambler-trader/gambler/internal/db"
)

// AppendValuePoint implements db.Store: one insert, fenced on a fenced
// view like every write of the session's trader.
func (s *Store) AppendValuePoint(ctx context.Context, p db.ValuePoint) (int64, error) {
	prices, err := db.EncodePrices(p.Prices)
	if err != nil {
		return 0, err
	}
	stale := 0
	if p.PricesStale {
		stale = 1
	}
	var id int64
	what := "append a value point of session " + p.SessionID
	err = s.write(ctx, what, sharesSession, func(q Querier) error {
		return s.queryRow(ctx, q, what, `INSERT INTO session_values (session_id, market_time, recorded_at, source,
				equity, realized_pnl, unrealized_pnl, prices, prices_stale)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
			[]any{p.SessionID, s.time(p.MarketTime), s.time(s.orNow(p.RecordedAt)), p.Source, p.Equity, p.Realized,
				p.Unrealized, s.json(prices), stale},
			&id)
	})
	return id, err
}

// ValueSeries implements db.Store, along session_values_session_idx.
func (s *Store) ValueSeries(ctx context.Context, sessionID string) ([]db.ValuePoint, error) {
	return collect(ctx, s, s.d.Read, "value series of session "+sessionID, func(rows Rows) (db.ValuePoint, error) {
		var (
			p      db.ValuePoint
			prices []byte
			stale  int
		)
		err := rows.Scan(&p.ID, scanStr(&p.SessionID), scanTime(&p.MarketTime), scanTime(&p.RecordedAt),
			scanStr(&p.Source), scanNullDec(&p.Equity), scanDec(&p.Realized), scanDec(&p.Unrealized),
			scanBytes(&prices), scanInt(&stale))
		p.Prices, p.PricesStale = db.JSONPrices(prices), stale != 0
		return p, err
	}, `SELECT id, session_id, market_time, recorded_at, source, equity, realized_pnl, unrealized_pnl, prices,
			prices_stale
		FROM session_values WHERE session_id = $1 ORDER BY market_time, id`, sessionID)
}
