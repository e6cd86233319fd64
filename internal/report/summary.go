// Package report turns what the store holds about one session into the
// figures a person reads afterwards: the summary that `sessions show` and
// the HTML report share, the trades, and the equity and drawdown charts.
package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

// Where a summary's final value came from.
const (
	FinalFromSession    = "session"    // the value written when the session ended
	FinalFromCheckpoint = "checkpoint" // the newest good checkpoint: the session has no final value yet
	FinalUnknown        = "none"
)

// SummarySource is what the summary reads from the store.
type SummarySource interface {
	Positions(ctx context.Context, sessionID string) ([]db.Position, error)
	NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error)
	LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error)
}

// Holder is the process trading a session.
type Holder struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

// Summary is how a session went. JSON names are a stable interface for
// scripts; decimals are JSON strings with their exact text.
type Summary struct {
	SessionID  string     `json:"session_id"`
	InstanceID int        `json:"instance_id"`
	Strategy   string     `json:"strategy"`
	Symbols    []string   `json:"symbols"`
	Status     string     `json:"status"`
	Running    bool       `json:"running"`
	Holder     *Holder    `json:"holder"`
	StartTime  time.Time  `json:"start_time"`
	EndTime    *time.Time `json:"end_time"`

	InitialValue decimal.NullDecimal `json:"initial_value"`
	FinalValue   decimal.NullDecimal `json:"final_value"`
	// FinalValueSource says whether FinalValue is the session's recorded
	// end value or, for a session without one (still active, or crashed),
	// the newest good checkpoint's portfolio value as of FinalValueTime.
	FinalValueSource string              `json:"final_value_source"`
	FinalValueTime   *time.Time          `json:"final_value_time"`
	PnL              decimal.NullDecimal `json:"pnl"`
	PnLPct           decimal.NullDecimal `json:"pnl_pct"`

	// Trades counts closed positions; a win is one closed with pnl > 0,
	// so a closed position without a recorded pnl is neither won nor lost.
	Trades          int                 `json:"trades"`
	Wins            int                 `json:"wins"`
	Losses          int                 `json:"losses"`
	WinRatePct      decimal.NullDecimal `json:"win_rate_pct"`
	ActivePositions int                 `json:"active_positions"`
}

// Valuation is a portfolio value and when it was taken.
type Valuation struct {
	Value decimal.NullDecimal
	At    time.Time
}

var hundred = decimal.NewFromInt(100)

// Summarize computes the summary. latest is only used when the session
// has no recorded final value; holder is nil when no process holds it.
func Summarize(sess db.Session, positions []db.Position, latest Valuation, holder *db.Holder) Summary {
	sum := Summary{
		SessionID: sess.ID, InstanceID: sess.InstanceID, Strategy: sess.StrategyName, Symbols: sess.Symbols,
		Status: sess.Status, StartTime: sess.StartTime.UTC(), EndTime: utc(sess.EndTime),
		InitialValue: sess.InitialPortfolioValue, FinalValueSource: FinalUnknown,
	}
	if sum.Symbols == nil {
		sum.Symbols = []string{}
	}
	if holder != nil {
		sum.Running = true
		sum.Holder = &Holder{Host: holder.Host, PID: holder.PID, Since: holder.Since.UTC()}
	}
	switch {
	case sess.FinalPortfolioValue.Valid:
		sum.FinalValue, sum.FinalValueSource, sum.FinalValueTime = sess.FinalPortfolioValue, FinalFromSession, sum.EndTime
		sum.PnL, sum.PnLPct = sess.PnL, sess.PnLPct
	case latest.Value.Valid:
		at := latest.At.UTC()
		sum.FinalValue, sum.FinalValueSource, sum.FinalValueTime = latest.Value, FinalFromCheckpoint, &at
	}
	// The same rule the trader applies when it ends a session.
	if !sum.PnL.Valid && sum.FinalValue.Valid && sum.InitialValue.Valid {
		pnl := sum.FinalValue.Decimal.Sub(sum.InitialValue.Decimal)
		sum.PnL = decimal.NewNullDecimal(pnl)
		if sum.InitialValue.Decimal.IsPositive() {
			sum.PnLPct = decimal.NewNullDecimal(pnl.Div(sum.InitialValue.Decimal).Mul(hundred).Round(4))
		}
	}
	for _, p := range positions {
		if p.Status != db.PositionClosed {
			sum.ActivePositions++
			continue
		}
		sum.Trades++
		switch {
		case !p.PnL.Valid:
		case p.PnL.Decimal.IsPositive():
			sum.Wins++
		case p.PnL.Decimal.IsNegative():
			sum.Losses++
		}
	}
	if sum.Trades > 0 {
		sum.WinRatePct = decimal.NewNullDecimal(decimal.NewFromInt(int64(sum.Wins)).Mul(hundred).
			Div(decimal.NewFromInt(int64(sum.Trades))).Round(2))
	}
	return sum
}

// LoadSummary reads what Summarize needs and returns the summary with the
// session's positions, oldest first.
func LoadSummary(ctx context.Context, s SummarySource, sess db.Session, log zerolog.Logger) (Summary, []db.Position, error) {
	positions, err := s.Positions(ctx, sess.ID)
	if err != nil {
		return Summary{}, nil, fmt.Errorf("read positions of session %s: %w", sess.ID, err)
	}
	var holder *db.Holder
	// Only an active session can have a live holder; the lease check may
	// cost a lock probe, as in `sessions list`.
	if sess.Status == db.StatusActive {
		h, running, err := s.LeaseHolder(ctx, sess.ID)
		if err != nil {
			return Summary{}, nil, fmt.Errorf("check lease of session %s: %w", sess.ID, err)
		}
		if running {
			holder = &h
		}
	}
	var latest Valuation
	if !sess.FinalPortfolioValue.Valid {
		r, err := checkpoint.Restore(ctx, s, sess.ID, log)
		switch {
		case err == nil:
			latest = Valuation{Value: r.PortfolioValue(), At: r.CheckpointTime}
		case errors.Is(err, checkpoint.ErrNoCheckpoint):
		default:
			return Summary{}, nil, err
		}
	}
	return Summarize(sess, positions, latest, holder), positions, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// StatusText is the status as a person reads it: whether a process is
// trading an active session matters more than the stored word.
func (s Summary) StatusText() string {
	switch {
	case s.Holder != nil:
		return fmt.Sprintf("running (%s pid %d since %s)", s.Holder.Host, s.Holder.PID, s.Holder.Since.Format("2006-01-02 15:04:05"))
	case s.Status == db.StatusActive:
		return "active (not running)"
	default:
		return s.Status
	}
}

// FinalValueNote says where the final value came from when it is not the
// session's recorded end value.
func (s Summary) FinalValueNote() string {
	switch s.FinalValueSource {
	case FinalFromCheckpoint:
		why := "no final value recorded"
		if s.Status == db.StatusActive {
			why = "session still active"
		}
		return fmt.Sprintf("newest checkpoint at %s; %s", s.FinalValueTime.Format("2006-01-02 15:04:05"), why)
	case FinalUnknown:
		return "no final value and no checkpoint"
	default:
		return ""
	}
}
