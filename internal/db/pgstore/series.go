package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// seriesQuery extracts the values with -> on the json column, which gives
// the value's text as stored (->> would unquote strings, and a cast to
// numeric would reject them); the driver-neutral decoding is db.JSONDecimal.
// It walks the (session_id, checkpoint_time) index and never ships the
// positions payload.
const seriesQuery = `SELECT id, sequence, checkpoint_time,
		(account_snapshot -> 'portfolio_value')::text, (account_snapshot -> 'cash')::text,
		(account_snapshot -> 'market_time')::text
	FROM position_checkpoints WHERE session_id = $1 ORDER BY checkpoint_time, id`

// CheckpointSeries implements db.Store.
func (s *Store) CheckpointSeries(ctx context.Context, sessionID string) ([]db.CheckpointPoint, error) {
	return collect(ctx, s.pool, "checkpoint series of session "+sessionID,
		func(rows pgx.Rows) (db.CheckpointPoint, error) {
			var (
				p                   db.CheckpointPoint
				value, cash, market *string
			)
			if err := rows.Scan(&p.ID, &p.Sequence, &p.CheckpointTime, &value, &cash, &market); err != nil {
				return db.CheckpointPoint{}, err
			}
			p.CheckpointTime = p.CheckpointTime.UTC()
			p.PortfolioValue, p.Cash = db.JSONDecimal([]byte(derefString(value))), db.JSONDecimal([]byte(derefString(cash)))
			p.MarketTime = db.JSONTime([]byte(derefString(market)))
			return p, nil
		}, seriesQuery, sessionID)
}
