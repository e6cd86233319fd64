package sqlstore

import (
	"context"
	"strings"

	"github.com/gambler-trader/gambler/internal/db"
)

// CheckpointSeries implements db.Store. The values are extracted in SQL as
// their JSON text, so the positions payload is never shipped, and decoded
// by db.JSONDecimal and db.JSONTime. It walks the (session_id,
// checkpoint_time) index.
func (s *Store) CheckpointSeries(ctx context.Context, sessionID string) ([]db.CheckpointPoint, error) {
	q := `SELECT id, sequence, checkpoint_time, ` + s.d.JSONField("account_snapshot", "portfolio_value") + `, ` +
		s.d.JSONField("account_snapshot", "cash") + `, ` + s.d.JSONField("account_snapshot", "market_time") + `, ` +
		s.d.JSONField("account_snapshot", "session_equity") + `, ` + s.d.JSONField("account_snapshot", "session_prices") + `, ` +
		s.d.JSONField("account_snapshot", "session_prices_stale") + `
		FROM position_checkpoints WHERE session_id = $1 ORDER BY checkpoint_time, id`
	return collect(ctx, s, s.d.Read, "checkpoint series of session "+sessionID, func(rows Rows) (db.CheckpointPoint, error) {
		var (
			p                                          db.CheckpointPoint
			value, cash, market, equity, prices, stale string
		)
		err := rows.Scan(&p.ID, scanIntPtr(&p.Sequence), scanTime(&p.CheckpointTime), scanStr(&value),
			scanStr(&cash), scanStr(&market), scanStr(&equity), scanStr(&prices), scanStr(&stale))
		p.SessionPrices, p.SessionPricesStale = db.JSONPrices([]byte(prices)), strings.TrimSpace(stale) == "true"
		p.PortfolioValue, p.Cash = db.JSONDecimal([]byte(value)), db.JSONDecimal([]byte(cash))
		p.SessionEquity = db.JSONDecimal([]byte(equity))
		p.MarketTime = db.JSONTime([]byte(market))
		return p, err
	}, q, sessionID)
}
