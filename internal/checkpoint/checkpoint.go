// Package checkpoint builds, restores, lists, summarises and prunes session
// snapshots on top of the store. The store does the SQL; this package owns
// the rules: what a snapshot holds, which row is good, what may be deleted.
package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// ErrNoCheckpoint means the session has no checkpoint that verifies.
var ErrNoCheckpoint = errors.New("no good checkpoint")

// Store is what this package needs from the store.
type Store interface {
	CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error)
	GetCheckpoint(ctx context.Context, id int64) (db.Checkpoint, error)
	NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error)
	ListCheckpoints(ctx context.Context, sessionID string, limit int) ([]db.CheckpointMeta, error)
	CheckpointStats(ctx context.Context, sessionID string) (db.CheckpointStats, error)
	DeleteCheckpoints(ctx context.Context, d db.CheckpointDelete) (int64, error)
	ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error)
}

// Account is the broker side of a snapshot. PortfolioValue, BuyingPower
// and Cash are the account's, which other sessions may share; Session is
// this session's own value.
type Account struct {
	PortfolioValue decimal.Decimal
	BuyingPower    decimal.Decimal
	Cash           decimal.Decimal
	Timestamp      time.Time
	// MarketTime is the broker's clock at the checkpoint, zero when
	// unknown. The simulated exchange's market time runs faster than the
	// wall clock, and fills carry it, so the report needs it to place
	// trades on a curve drawn against checkpoint_time.
	MarketTime time.Time
	// BarsThrough is the newest bar end the session has scanned, so that
	// a resume evaluates the bars that closed while nobody traded, and no
	// bar twice.
	BarsThrough time.Time
	// Stale marks values carried over from an earlier read because the
	// broker could not be asked this time.
	Stale          bool
	StrategyParams map[string]any
	// Session is the session's own value; nil when it could not be
	// computed (the store did not answer).
	Session *SessionValue
	// PreviousRun is how the session's previous run ended, on the
	// checkpoint of a reopened session: the history the session row's
	// end columns no longer hold.
	PreviousRun *db.SessionEnd
}

// runJSON is the stored layout of a previous run's end.
type runJSON struct {
	EndTime             string       `json:"end_time"`
	FinalPortfolioValue *json.Number `json:"final_portfolio_value"`
	PnL                 *json.Number `json:"pnl"`
	PnLPct              *json.Number `json:"pnl_pct"`
	TotalTrades         int          `json:"total_trades"`
}

func encodeRun(e *db.SessionEnd) *runJSON {
	if e == nil {
		return nil
	}
	num := func(d decimal.NullDecimal) *json.Number {
		if !d.Valid {
			return nil
		}
		n := json.Number(d.Decimal.String())
		return &n
	}
	r := &runJSON{FinalPortfolioValue: num(e.FinalPortfolioValue), PnL: num(e.PnL), PnLPct: num(e.PnLPct),
		TotalTrades: e.TotalTrades}
	if !e.EndTime.IsZero() {
		r.EndTime = e.EndTime.UTC().Format(time.RFC3339Nano)
	}
	return r
}

// accountJSON is the stored layout of account_snapshot. Decimals are JSON
// numbers with their exact text.
type accountJSON struct {
	PortfolioValue json.Number    `json:"portfolio_value"`
	BuyingPower    json.Number    `json:"buying_power"`
	Cash           json.Number    `json:"cash"`
	Timestamp      string         `json:"timestamp"`
	MarketTime     string         `json:"market_time,omitempty"`
	BarsThrough    string         `json:"bars_through,omitempty"`
	Stale          bool           `json:"stale,omitempty"`
	StrategyParams map[string]any `json:"strategy_params,omitempty"`
	PreviousRun    *runJSON       `json:"previous_run,omitempty"`
	*sessionJSON
}

// EncodeAccount renders the account_snapshot JSON.
func EncodeAccount(a Account) ([]byte, error) {
	v := accountJSON{
		PortfolioValue: json.Number(a.PortfolioValue.String()),
		BuyingPower:    json.Number(a.BuyingPower.String()),
		Cash:           json.Number(a.Cash.String()),
		Timestamp:      a.Timestamp.UTC().Format(time.RFC3339Nano),
		Stale:          a.Stale,
		StrategyParams: a.StrategyParams,
		PreviousRun:    encodeRun(a.PreviousRun),
	}
	if a.Session != nil {
		s := encodeSession(*a.Session)
		v.sessionJSON = &s
	}
	if !a.MarketTime.IsZero() {
		v.MarketTime = a.MarketTime.UTC().Format(time.RFC3339Nano)
	}
	if !a.BarsThrough.IsZero() {
		v.BarsThrough = a.BarsThrough.UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode account snapshot: %w", err)
	}
	return b, nil
}

// Create writes a checkpoint of the session's current positions and the
// given account.
func Create(ctx context.Context, s Store, sessionID, trigger string, at time.Time, a Account) (db.CheckpointMeta, error) {
	acct, err := EncodeAccount(a)
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	m, err := s.CreateCheckpoint(ctx, db.CheckpointInput{
		SessionID:       sessionID,
		CheckpointTime:  at.UTC(),
		Trigger:         trigger,
		AccountSnapshot: acct,
	})
	if err != nil {
		return db.CheckpointMeta{}, fmt.Errorf("create %s checkpoint for session %s: %w", trigger, sessionID, err)
	}
	return m, nil
}
