package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

const sessionCols = `session_id, instance_id, strategy_name, start_time, end_time, status, symbols,
	duration_minutes, scan_interval_seconds, initial_portfolio_value, final_portfolio_value,
	pnl, pnl_pct, total_trades, allocated_capital, created_at, updated_at, settings`

// sessionRow receives one trading_sessions row; nullable columns land in
// pointers and are folded into db.Session by session().
type sessionRow struct {
	s            db.Session
	strategy     *string
	symbols      *string
	duration     *int32
	scanInterval *int32
	totalTrades  *int32
	settings     []byte
}

func (r *sessionRow) dest() []any {
	return []any{&r.s.ID, &r.s.InstanceID, &r.strategy, &r.s.StartTime, &r.s.EndTime, &r.s.Status,
		&r.symbols, &r.duration, &r.scanInterval, &r.s.InitialPortfolioValue, &r.s.FinalPortfolioValue,
		&r.s.PnL, &r.s.PnLPct, &r.totalTrades, &r.s.AllocatedCapital, &r.s.CreatedAt, &r.s.UpdatedAt,
		&r.settings}
}

func (r *sessionRow) session() (db.Session, error) {
	s := r.s
	s.StrategyName = derefString(r.strategy)
	s.DurationMinutes = derefInt(r.duration)
	s.ScanIntervalSeconds = derefInt(r.scanInterval)
	s.TotalTrades = derefInt(r.totalTrades)
	s.EndTime = utcPtr(s.EndTime)
	if len(r.settings) > 0 {
		s.Settings = append([]byte(nil), r.settings...)
	}
	syms, err := decodeSymbols(r.symbols)
	if err != nil {
		return db.Session{}, fmt.Errorf("session %s: %w", s.ID, err)
	}
	s.Symbols = syms
	return s, nil
}

// CreateSession implements db.Store. Zero times become now and an empty
// status becomes active.
func (s *Store) CreateSession(ctx context.Context, in db.Session) error {
	syms, err := encodeSymbols(in.Symbols)
	if err != nil {
		return err
	}
	status := in.Status
	if status == "" {
		status = db.StatusActive
	}
	instance := in.InstanceID
	if instance == 0 {
		instance = 1
	}
	now := s.now()
	start := orNow(in.StartTime, func() time.Time { return now })
	created := orNow(in.CreatedAt, func() time.Time { return now })
	updated := orNow(in.UpdatedAt, func() time.Time { return created })
	_, err = s.pool.Exec(ctx, `INSERT INTO trading_sessions (`+sessionCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
		in.ID, instance, nullString(in.StrategyName), start, nullTimePtr(in.EndTime), status, syms,
		in.DurationMinutes, in.ScanIntervalSeconds, in.InitialPortfolioValue, in.FinalPortfolioValue,
		in.PnL, in.PnLPct, in.TotalTrades, in.AllocatedCapital, created, updated, nullJSON(in.Settings))
	return wrapErr(err, "create session %s", in.ID)
}

func (s *Store) oneSession(ctx context.Context, what, where string, args ...any) (db.Session, error) {
	var r sessionRow
	err := s.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM trading_sessions `+where, args...).Scan(r.dest()...)
	if err != nil {
		return db.Session{}, wrapErr(err, "%s", what)
	}
	return r.session()
}

// GetSession implements db.Store.
func (s *Store) GetSession(ctx context.Context, id string) (db.Session, error) {
	return s.oneSession(ctx, "get session "+id, `WHERE session_id = $1`, id)
}

// LatestSession implements db.Store.
func (s *Store) LatestSession(ctx context.Context) (db.Session, error) {
	return s.oneSession(ctx, "latest session",
		`ORDER BY start_time DESC, created_at DESC, session_id DESC LIMIT 1`)
}

// LatestResumable implements db.Store.
func (s *Store) LatestResumable(ctx context.Context, instanceID int) (db.Session, error) {
	return s.oneSession(ctx, "latest resumable session",
		`WHERE status <> 'completed' AND ($1::int = 0 OR instance_id = $1)
		ORDER BY start_time DESC, created_at DESC, session_id DESC LIMIT 1`, instanceID)
}

// ListSessions implements db.Store, newest first.
func (s *Store) ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error) {
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	return collect(ctx, s.pool, "list sessions", scanSessionSummary, `SELECT `+sessionCols+`,
		(SELECT count(*) FROM positions p WHERE p.session_id = s.session_id AND p.status = 'active'),
		c.n, c.last
		FROM trading_sessions s
		LEFT JOIN LATERAL (SELECT count(*) AS n, max(checkpoint_time) AS last
			FROM position_checkpoints pc WHERE pc.session_id = s.session_id) c ON true
		WHERE ($1::text = '' OR s.status = $1) AND ($2::int = 0 OR s.instance_id = $2)
		ORDER BY s.start_time DESC, s.created_at DESC, s.session_id DESC
		LIMIT $3`, f.Status, f.InstanceID, limit)
}

func scanSessionSummary(rows pgx.Rows) (db.SessionSummary, error) {
	var (
		r    sessionRow
		sum  db.SessionSummary
		act  int64
		cps  int64
		last *time.Time
	)
	if err := rows.Scan(append(r.dest(), &act, &cps, &last)...); err != nil {
		return sum, err
	}
	var err error
	if sum.Session, err = r.session(); err != nil {
		return sum, err
	}
	sum.ActivePositions, sum.Checkpoints, sum.LastCheckpoint = int(act), int(cps), utcPtr(last)
	return sum, nil
}

// execOne runs a statement that must touch exactly one row; none means the
// key does not exist.
func execOne(ctx context.Context, q querier, what, sql string, args ...any) error {
	tag, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return wrapErr(err, "%s", what)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, db.ErrNotFound)
	}
	return nil
}

// SetSessionStatus implements db.Store.
func (s *Store) SetSessionStatus(ctx context.Context, id, status string, at time.Time) error {
	return execOne(ctx, s.pool, "set status of session "+id,
		`UPDATE trading_sessions SET status = $2, updated_at = $3 WHERE session_id = $1`,
		id, status, orNow(at, s.now))
}

// SetSessionSettings implements db.Store.
func (s *Store) SetSessionSettings(ctx context.Context, id string, settings []byte, at time.Time) error {
	return execOne(ctx, s.pool, "set settings of session "+id,
		`UPDATE trading_sessions SET settings = $2, updated_at = $3 WHERE session_id = $1`,
		id, nullJSON(settings), orNow(at, s.now))
}

// EndSession implements db.Store.
func (s *Store) EndSession(ctx context.Context, id string, end db.SessionEnd) error {
	at := orNow(end.EndTime, s.now)
	return execOne(ctx, s.pool, "end session "+id,
		`UPDATE trading_sessions SET status = $2, end_time = $3, final_portfolio_value = $4,
			pnl = $5, pnl_pct = $6, total_trades = $7, updated_at = $3
		WHERE session_id = $1`,
		id, end.Status, at, end.FinalPortfolioValue, end.PnL, end.PnLPct, end.TotalTrades)
}
