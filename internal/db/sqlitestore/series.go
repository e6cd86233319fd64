package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// seriesQuery extracts the snapshot's values with ->, which returns the JSON text
// of the value (a number's digits as written) where ->> and json_extract
// would return a REAL. json_valid keeps one malformed snapshot, which
// SQLite's text column can hold, from failing the whole series.
const seriesQuery = `SELECT id, sequence, checkpoint_time,
		CASE WHEN json_valid(account_snapshot) THEN account_snapshot -> '$.portfolio_value' END,
		CASE WHEN json_valid(account_snapshot) THEN account_snapshot -> '$.cash' END,
		CASE WHEN json_valid(account_snapshot) THEN account_snapshot -> '$.market_time' END
	FROM position_checkpoints WHERE session_id = ? ORDER BY checkpoint_time, id`

// CheckpointSeries implements db.Store.
func (s *Store) CheckpointSeries(ctx context.Context, sessionID string) ([]db.CheckpointPoint, error) {
	return collect(ctx, s.r, "checkpoint series of "+sessionID, scanPoint, seriesQuery, sessionID)
}

func scanPoint(rows *sql.Rows) (db.CheckpointPoint, error) {
	var (
		p           db.CheckpointPoint
		seq         sql.NullInt64
		at          sql.NullString
		value, cash sql.NullString
		market      sql.NullString
	)
	if err := rows.Scan(&p.ID, &seq, &at, &value, &cash, &market); err != nil {
		return db.CheckpointPoint{}, err
	}
	var d decoder
	p.CheckpointTime = d.time(at)
	if d.err != nil {
		return db.CheckpointPoint{}, fmt.Errorf("checkpoint %d: %w", p.ID, d.err)
	}
	if seq.Valid {
		p.Sequence = &seq.Int64
	}
	p.PortfolioValue, p.Cash = db.JSONDecimal([]byte(value.String)), db.JSONDecimal([]byte(cash.String))
	p.MarketTime = db.JSONTime([]byte(market.String))
	return p, nil
}
