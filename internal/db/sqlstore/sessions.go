package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

const sessionCols = `session_id, instance_id, strategy_name, start_time, end_time, status, symbols,
	duration_minutes, scan_interval_seconds, initial_portfolio_value, final_portfolio_value,
	pnl, pnl_pct, total_trades, allocated_capital, created_at, updated_at, settings`

// newestSessionFirst orders sessions by start; sessions started at the
// same instant by creation, then by id, so the order is total.
const newestSessionFirst = ` ORDER BY start_time DESC, created_at DESC, session_id DESC`

// sessionRow receives one trading_sessions row.
type sessionRow struct {
	s        db.Session
	instance int
	symbols  string
}

func (r *sessionRow) dest() []any {
	s := &r.s
	return []any{scanStr(&s.ID), scanInt(&r.instance), scanStr(&s.StrategyName), scanTime(&s.StartTime),
		scanTimePtr(&s.EndTime), scanStr(&s.Status), scanStr(&r.symbols), scanInt(&s.DurationMinutes),
		scanInt(&s.ScanIntervalSeconds), scanNullDec(&s.InitialPortfolioValue), scanNullDec(&s.FinalPortfolioValue),
		scanNullDec(&s.PnL), scanNullDec(&s.PnLPct), scanInt(&s.TotalTrades), scanNullDec(&s.AllocatedCapital),
		scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt), scanBytes((*[]byte)(&s.Settings))}
}

func (r *sessionRow) session() (db.Session, error) {
	s := r.s
	s.InstanceID = r.instance
	syms, err := decodeSymbols(r.symbols)
	if err != nil {
		return db.Session{}, fmt.Errorf("session %s: %w", s.ID, err)
	}
	s.Symbols = syms
	return s, nil
}

func scanSession(rows Rows) (db.Session, error) {
	var r sessionRow
	if err := rows.Scan(r.dest()...); err != nil {
		return db.Session{}, err
	}
	return r.session()
}

// CreateSession implements db.Store. Zero times become now (updated_at:
// created_at), an empty status active, instance 0 instance 1.
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
	start, created := s.orNow(in.StartTime), s.orNow(in.CreatedAt)
	updated := created
	if !in.UpdatedAt.IsZero() {
		updated = in.UpdatedAt.UTC()
	}
	_, err = s.exec(ctx, s.d.Write, "create session "+in.ID, `INSERT INTO trading_sessions (`+sessionCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
		in.ID, instance, nullStr(in.StrategyName), s.time(start), s.timePtr(in.EndTime), status, syms,
		in.DurationMinutes, in.ScanIntervalSeconds, in.InitialPortfolioValue, in.FinalPortfolioValue,
		in.PnL, in.PnLPct, in.TotalTrades, in.AllocatedCapital, s.time(created), s.time(updated), s.json(in.Settings))
	return err
}

// GetSession implements db.Store.
func (s *Store) GetSession(ctx context.Context, id string) (db.Session, error) {
	return first(ctx, s, s.d.Read, "get session "+id, scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions WHERE session_id = $1`, id)
}

// LatestSession implements db.Store.
func (s *Store) LatestSession(ctx context.Context) (db.Session, error) {
	return first(ctx, s, s.d.Read, "latest session", scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions`+newestSessionFirst+` LIMIT 1`)
}

// LatestResumable implements db.Store.
func (s *Store) LatestResumable(ctx context.Context, instanceID int) (db.Session, error) {
	where, args := ` WHERE status <> $1`, []any{db.StatusCompleted}
	if instanceID != 0 {
		where, args = where+` AND instance_id = $2`, append(args, instanceID)
	}
	return first(ctx, s, s.d.Read, "latest resumable session", scanSession,
		`SELECT `+sessionCols+` FROM trading_sessions`+where+newestSessionFirst+` LIMIT 1`, args...)
}

// ListSessions implements db.Store, newest first.
func (s *Store) ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		where = append(where, "s.status = "+arg(f.Status))
	}
	if f.InstanceID != 0 {
		where = append(where, "s.instance_id = "+arg(f.InstanceID))
	}
	q := `SELECT ` + prefixed("s.", sessionCols) + `,
		(SELECT count(*) FROM positions p WHERE p.session_id = s.session_id AND p.status = 'active'),
		(SELECT count(*) FROM position_checkpoints c WHERE c.session_id = s.session_id),
		(SELECT max(checkpoint_time) FROM position_checkpoints c WHERE c.session_id = s.session_id)
		FROM trading_sessions s`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY s.start_time DESC, s.created_at DESC, s.session_id DESC`
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	return collect(ctx, s, s.d.Read, "list sessions", func(rows Rows) (db.SessionSummary, error) {
		var (
			r   sessionRow
			sum db.SessionSummary
		)
		err := rows.Scan(append(r.dest(), scanInt(&sum.ActivePositions), scanInt(&sum.Checkpoints),
			scanTimePtr(&sum.LastCheckpoint))...)
		if err != nil {
			return sum, err
		}
		sum.Session, err = r.session()
		return sum, err
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
	return s.updateSession(ctx, "set status of session "+id,
		`UPDATE trading_sessions SET status = $2, updated_at = $3 WHERE session_id = $1`,
		id, status, s.time(s.orNow(at)))
}

// SetSessionSettings implements db.Store.
func (s *Store) SetSessionSettings(ctx context.Context, id string, settings []byte, at time.Time) error {
	return s.updateSession(ctx, "set settings of session "+id,
		`UPDATE trading_sessions SET settings = $2, updated_at = $3 WHERE session_id = $1`,
		id, s.json(settings), s.time(s.orNow(at)))
}

// EndSession implements db.Store; updated_at is the end time.
func (s *Store) EndSession(ctx context.Context, id string, end db.SessionEnd) error {
	return s.updateSession(ctx, "end session "+id,
		`UPDATE trading_sessions SET status = $2, end_time = $3, final_portfolio_value = $4,
			pnl = $5, pnl_pct = $6, total_trades = $7, updated_at = $3
		WHERE session_id = $1`,
		id, end.Status, s.time(s.orNow(end.EndTime)), end.FinalPortfolioValue, end.PnL, end.PnLPct,
		end.TotalTrades)
}

// updateSession runs a fenced write of the session row.
func (s *Store) updateSession(ctx context.Context, what, sql string, args ...any) error {
	return s.write(ctx, what, updatesSession, func(q Querier) error {
		return s.execOne(ctx, q, what, sql, args...)
	})
}

// OtherSessionIDs implements db.Store, oldest first.
func (s *Store) OtherSessionIDs(ctx context.Context, sessionID string) ([]string, error) {
	return collect(ctx, s, s.d.Read, "list other sessions", func(rows Rows) (string, error) {
		var id string
		return id, rows.Scan(scanStr(&id))
	}, `SELECT session_id FROM trading_sessions WHERE session_id <> $1 ORDER BY start_time, session_id`,
		sessionID)
}
