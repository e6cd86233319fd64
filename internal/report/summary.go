// Package report turns what the store holds about one session into the
// figures a person reads afterwards: the summary that `sessions show` and
// the HTML report share, the trades, and the equity and drawdown charts.
package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// Where a summary's final value came from.
const (
	FinalFromSession = "session" // the value written when the session ended
	// FinalFromCheckpoint: computed from the session's positions, the open
	// ones at the prices of the newest good checkpoint (FinalValueTime).
	FinalFromCheckpoint = "checkpoint"
	// FinalFromPositions: computed from the session's positions, none of
	// them open, so no price is needed.
	FinalFromPositions = "positions"
	FinalUnknown       = "none"
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

// Summary is how a session went, in the session's own figures: several
// sessions may trade one account, so the account's value is not any
// one's. JSON names are a stable interface for scripts; decimals are JSON
// strings with their exact text.
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

	// InitialValue is the session's starting capital: --capital, else the
	// account's value when it started (AccountInitialValue).
	InitialValue        decimal.NullDecimal `json:"initial_value"`
	AccountInitialValue decimal.NullDecimal `json:"account_initial_value"`
	// FinalValue is the starting capital plus the session's P&L; see
	// FinalValueSource for where it came from and FinalValueTime for when.
	FinalValue       decimal.NullDecimal `json:"final_value"`
	FinalValueSource string              `json:"final_value_source"`
	FinalValueTime   *time.Time          `json:"final_value_time"`
	// FinalValueMarketTime is the market time of the checkpoint whose
	// prices valued the open positions (FinalFromCheckpoint), when it
	// recorded one; FinalValueTime is on the wall clock.
	FinalValueMarketTime *time.Time          `json:"final_value_market_time"`
	PnL                  decimal.NullDecimal `json:"pnl"`
	PnLPct               decimal.NullDecimal `json:"pnl_pct"`
	// RealizedPnL sums the closed positions' P&L; UnrealizedPnL is the
	// rest of PnL, what the open positions were worth. PricesStale marks
	// prices carried over because the broker did not answer; Unpriced
	// lists open symbols without any price, which leave the value unknown.
	RealizedPnL   decimal.NullDecimal `json:"realized_pnl"`
	UnrealizedPnL decimal.NullDecimal `json:"unrealized_pnl"`
	PricesStale   bool                `json:"prices_stale"`
	Unpriced      []string            `json:"unpriced"`

	// Trades counts closed positions; a win is one closed with pnl > 0,
	// so a closed position without a recorded pnl is neither won nor lost.
	Trades          int                 `json:"trades"`
	Wins            int                 `json:"wins"`
	Losses          int                 `json:"losses"`
	WinRatePct      decimal.NullDecimal `json:"win_rate_pct"`
	ActivePositions int                 `json:"active_positions"`
}

// Valuation is the newest good checkpoint's record of the session's value:
// the prices its open positions were valued at, and when. Session is nil
// when there is no checkpoint or it predates session values.
type Valuation struct {
	Session *checkpoint.SessionValue
	At      time.Time // the checkpoint's wall time
	// MarketAt is the checkpoint's market time, nil when it recorded none.
	MarketAt *time.Time
}

var hundred = decimal.NewFromInt(100)

// Summarize computes the summary. latest is only used when the session
// has no recorded final value; holder is nil when no process holds it.
func Summarize(sess db.Session, positions []db.Position, latest Valuation, holder *db.Holder) Summary {
	sum := Summary{
		SessionID: sess.ID, InstanceID: sess.InstanceID, Strategy: sess.StrategyName, Symbols: sess.Symbols,
		Status: sess.Status, StartTime: sess.StartTime.UTC(), EndTime: utc(sess.EndTime),
		InitialValue: pnl.Capital(sess), AccountInitialValue: sess.InitialPortfolioValue,
		FinalValueSource: FinalUnknown, Unpriced: []string{},
	}
	if sum.Symbols == nil {
		sum.Symbols = []string{}
	}
	if holder != nil {
		sum.Running = true
		sum.Holder = &Holder{Host: holder.Host, PID: holder.PID, Since: holder.Since.UTC()}
	}
	sum.value(sess, positions, latest)
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

// value fills the value fields: the recorded end value of a session that
// ended, else the session's positions valued now, the open ones at the
// newest checkpoint's prices (internal/pnl, the rule the trader applies).
func (sum *Summary) value(sess db.Session, positions []db.Position, latest Valuation) {
	var prices pnl.Prices
	if latest.Session != nil {
		prices = latest.Session.PnLPrices()
	}
	f := pnl.Compute(sum.InitialValue, positions, prices)
	sum.RealizedPnL = decimal.NewNullDecimal(f.Realized)
	switch {
	case sess.FinalPortfolioValue.Valid && sess.Status != db.StatusActive:
		sum.FinalValue, sum.FinalValueSource, sum.FinalValueTime = sess.FinalPortfolioValue, FinalFromSession, sum.EndTime
		sum.PnL, sum.PnLPct = sess.PnL, sess.PnLPct
		if sum.PnL.Valid {
			sum.UnrealizedPnL = decimal.NewNullDecimal(sum.PnL.Decimal.Sub(f.Realized))
		}
	case !f.Priced():
		sum.Unpriced = f.Unpriced
	case len(f.Open) == 0:
		sum.FinalValue, sum.FinalValueSource = f.Equity, FinalFromPositions
		sum.PnL, sum.PnLPct, sum.UnrealizedPnL = decimal.NewNullDecimal(f.PnL), f.PnLPct, decimal.NewNullDecimal(f.Unrealized)
	default:
		at := latest.At.UTC()
		sum.FinalValue, sum.FinalValueSource, sum.FinalValueTime = f.Equity, FinalFromCheckpoint, &at
		sum.FinalValueMarketTime = utc(latest.MarketAt)
		sum.PnL, sum.PnLPct, sum.UnrealizedPnL = decimal.NewNullDecimal(f.PnL), f.PnLPct, decimal.NewNullDecimal(f.Unrealized)
		sum.PricesStale = f.PriceStale
	}
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
	if !sess.FinalPortfolioValue.Valid || sess.Status == db.StatusActive {
		r, err := checkpoint.Restore(ctx, s, sess.ID, log)
		switch {
		case err == nil:
			if v, ok := r.SessionValue(); ok {
				latest = Valuation{Session: &v, At: r.CheckpointTime}
				if m, ok := r.MarketTime(); ok {
					latest.MarketAt = &m
				}
			}
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
		return fmt.Sprintf("running (%s pid %d since %s wall time)", s.Holder.Host, s.Holder.PID, s.Holder.Since.Format("2006-01-02 15:04:05"))
	case s.Status == db.StatusActive:
		return "active (not running)"
	default:
		return s.Status
	}
}

// FinalValueNote says where the final value came from when it is not the
// session's recorded end value.
func (s Summary) FinalValueNote() string {
	why := "no final value recorded"
	if s.Status == db.StatusActive {
		why = "session still active"
	}
	stale := ""
	if s.PricesStale {
		stale = ", some prices stale"
	}
	switch s.FinalValueSource {
	case FinalFromCheckpoint:
		// Market time, the report's one clock, when the checkpoint
		// recorded it; else its wall time, said so.
		at := s.FinalValueTime.Format("2006-01-02 15:04:05") + " wall time"
		if s.FinalValueMarketTime != nil {
			at = s.FinalValueMarketTime.Format("2006-01-02 15:04:05") + " market time"
		}
		return fmt.Sprintf("open positions at the prices of the newest checkpoint, %s%s; %s", at, stale, why)
	case FinalFromPositions:
		return "from its positions, none open; " + why
	case FinalUnknown:
		if len(s.Unpriced) > 0 {
			return "no price yet for the open " + strings.Join(s.Unpriced, ", ") + " in the newest checkpoint"
		}
		return "no final value and no checkpoint"
	default:
		return ""
	}
}
