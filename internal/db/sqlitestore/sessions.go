package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

const sessionCols = `session_id, instance_id, strategy_name, start_time, end_time, status, symbols,
	duration_minutes, scan_interval_seconds, initial_portfolio_value, final_portfolio_value,
	pnl, pnl_pct, total_trades, allocated_capital, created_at, updated_at, settings`

// sessionRaw holds one trading_sessions row as SQLite returns it.
type sessionRaw struct {
	id, strategy, start, end, status, symbols       sql.NullString
	initial, final, pnl, pnlPct, allocated, created sql.NullString
	updated, settings                               sql.NullString
	instance, duration, scanInterval, totalTrades   sql.NullInt64
}

func (r *sessionRaw) dest() []any {
	return []any{&r.id, &r.instance, &r.strategy, &r.start, &r.end, &r.status, &r.symbols,
		&r.duration, &r.scanInterval, &r.initial, &r.final,
		&r.pnl, &r.pnlPct, &r.totalTrades, &r.allocated, &r.created, &r.updated, &r.settings}
}

func (r *sessionRaw) session() (db.Session, error) {
	var d decoder
	s := db.Session{
		ID:                    r.id.String,
		InstanceID:            int(r.instance.Int64),
		StrategyName:          r.strategy.String,
		StartTime:             d.time(r.start),
		EndTime:               d.timePtr(r.end),
		Status:                r.status.String,
		Symbols:               d.symbols(r.symbols),
		DurationMinutes:       int(r.duration.Int64),
		ScanIntervalSeconds:   int(r.scanInterval.Int64),
		InitialPortfolioValue: d.nullDec(r.initial),
		FinalPortfolioValue:   d.nullDec(r.final),
		PnL:                   d.nullDec(r.pnl),
		PnLPct:                d.nullDec(r.pnlPct),
		TotalTrades:           int(r.totalTrades.Int64),
		AllocatedCapital:      d.nullDec(r.allocated),
		CreatedAt:             d.time(r.created),
		UpdatedAt:             d.time(r.updated),
	}
	if r.settings.Valid && r.settings.String != "" {
		s.Settings = []byte(r.settings.String)
	}
	if d.err != nil {
		return db.Session{}, fmt.Errorf("session %s: %w", s.ID, d.err)
	}
	return s, nil
}

func scanSession(rows *sql.Rows) (db.Session, error) {
	var r sessionRaw
	if err := rows.Scan(r.dest()...); err != nil {
		return db.Session{}, err
	}
	return r.session()
}

// CreateSession implements db.Store.
func (s *Store) CreateSession(ctx context.Context, x db.Session) error {
	symbols, err := encodeSymbols(x.Symbols)
	if err != nil {
		return err
	}
	now := s.now()
	created, updated := orNow(x.CreatedAt, now), orNow(x.UpdatedAt, now)
	status := x.Status
	if status == "" {
		status = db.StatusActive
	}
	instance := x.InstanceID
	if instance == 0 {
		instance = 1
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO trading_sessions (`+sessionCols+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		x.ID, instance, nullStr(x.StrategyName), ts(orNow(x.StartTime, now)), tsPtr(x.EndTime), status, symbols,
		x.DurationMinutes, x.ScanIntervalSeconds, nullDec(x.InitialPortfolioValue), nullDec(x.FinalPortfolioValue),
		nullDec(x.PnL), nullDec(x.PnLPct), x.TotalTrades, nullDec(x.AllocatedCapital), ts(created), ts(updated),
		nullJSON(x.Settings))
	if err != nil {
		return fmt.Errorf("create session %s: %w", x.ID, mapErr(err))
	}
	return nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// newestFirst orders sessions by start, with rowid breaking ties between
// sessions started within the same clock tick.
const newestFirst = ` ORDER BY start_time DESC, rowid DESC`

// GetSession implements db.Store.
func (s *Store) GetSession(ctx context.Context, id string) (db.Session, error) {
	return first(ctx, s.r, "get session "+id, scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions WHERE session_id = ?`, id)
}

// LatestSession implements db.Store.
func (s *Store) LatestSession(ctx context.Context) (db.Session, error) {
	return first(ctx, s.r, "latest session", scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions`+newestFirst+` LIMIT 1`)
}

// LatestResumable implements db.Store.
func (s *Store) LatestResumable(ctx context.Context, instanceID int) (db.Session, error) {
	return first(ctx, s.r, "latest resumable session", scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions
		WHERE status <> ? AND (? = 0 OR instance_id = ?)`+newestFirst+` LIMIT 1`,
		db.StatusCompleted, instanceID, instanceID)
}

// ListSessions implements db.Store.
func (s *Store) ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "s.status = ?"), append(args, f.Status)
	}
	if f.InstanceID != 0 {
		where, args = append(where, "s.instance_id = ?"), append(args, f.InstanceID)
	}
	q := `SELECT ` + prefixed("s.", sessionCols) + `,
		(SELECT count(*) FROM positions p WHERE p.session_id = s.session_id AND p.status = 'active'),
		(SELECT count(*) FROM position_checkpoints c WHERE c.session_id = s.session_id),
		(SELECT max(checkpoint_time) FROM position_checkpoints c WHERE c.session_id = s.session_id)
		FROM trading_sessions s`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY s.start_time DESC, s.rowid DESC`
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	return collect(ctx, s.r, "list sessions", func(rows *sql.Rows) (db.SessionSummary, error) {
		var r sessionRaw
		var active, checkpoints int
		var last sql.NullString
		if err := rows.Scan(append(r.dest(), &active, &checkpoints, &last)...); err != nil {
			return db.SessionSummary{}, err
		}
		sess, err := r.session()
		if err != nil {
			return db.SessionSummary{}, err
		}
		lastAt, err := timePtrOf(last)
		if err != nil {
			return db.SessionSummary{}, err
		}
		return db.SessionSummary{Session: sess, ActivePositions: active, Checkpoints: checkpoints, LastCheckpoint: lastAt}, nil
	}, q, args...)
}

// prefixed qualifies every column of a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// SetSessionStatus implements db.Store.
func (s *Store) SetSessionStatus(ctx context.Context, id, status string, at time.Time) error {
	return s.execOne(ctx, "set status of session", id,
		`UPDATE trading_sessions SET status = ?, updated_at = ? WHERE session_id = ?`, status, ts(at), id)
}

// SetSessionSettings implements db.Store.
func (s *Store) SetSessionSettings(ctx context.Context, id string, settings []byte, at time.Time) error {
	return s.execOne(ctx, "set settings of session", id,
		`UPDATE trading_sessions SET settings = ?, updated_at = ? WHERE session_id = ?`, nullJSON(settings), ts(at), id)
}

// EndSession implements db.Store.
func (s *Store) EndSession(ctx context.Context, id string, end db.SessionEnd) error {
	return s.execOne(ctx, "end session", id,
		`UPDATE trading_sessions SET status = ?, end_time = ?, final_portfolio_value = ?, pnl = ?,
		pnl_pct = ?, total_trades = ?, updated_at = ? WHERE session_id = ?`,
		end.Status, ts(end.EndTime), nullDec(end.FinalPortfolioValue), nullDec(end.PnL),
		nullDec(end.PnLPct), end.TotalTrades, ts(end.EndTime), id)
}

// OtherSessionIDs implements db.Store.
func (s *Store) OtherSessionIDs(ctx context.Context, sessionID string) ([]string, error) {
	return collect(ctx, s.r, "other session ids", func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	}, `SELECT session_id FROM trading_sessions WHERE session_id <> ? ORDER BY session_id`, sessionID)
}
