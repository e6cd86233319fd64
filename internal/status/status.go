// Package status gathers the live view of what is trading: every session a
// live process holds, valued in its own figures (internal/pnl) and judged
// by the rule /healthz applies. It only reads the store.
package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/config"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/metrics"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// Store is what the live view reads.
type Store interface {
	ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error)
	LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error)
	Positions(ctx context.Context, sessionID string) ([]db.Position, error)
	SessionOrders(ctx context.Context, sessionID string, openOnly bool) ([]db.Order, error)
	NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error)
}

// Screen is one refresh of the live view. JSON names are a stable
// interface for scripts; decimals are strings with their exact text.
type Screen struct {
	GeneratedAt time.Time `json:"generated_at"`
	Sessions    []Session `json:"sessions"`
	// NotRunning lists active sessions no live process holds: crashed,
	// or stopped without completing; `gambler resume` picks them up.
	NotRunning []string `json:"active_not_running"`
}

// Holder is the process trading a session.
type Holder struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

// Session is one running session.
type Session struct {
	InstanceID    int        `json:"instance_id"`
	SessionID     string     `json:"session_id"`
	Symbols       []string   `json:"symbols"`
	Holder        Holder     `json:"holder"`
	UptimeSeconds float64    `json:"uptime_seconds"`
	MarketTime    *time.Time `json:"market_time"`

	// The session's own value: its capital plus its realized P&L and its
	// open positions at the newest checkpoint's prices (PricesAt). Equity,
	// PnL and UnrealizedPnL are null while an open position has no price
	// yet (Unpriced).
	StartingCapital decimal.NullDecimal `json:"starting_capital"`
	Equity          decimal.NullDecimal `json:"equity"`
	PnL             decimal.NullDecimal `json:"pnl"`
	PnLPct          decimal.NullDecimal `json:"pnl_pct"`
	RealizedPnL     decimal.Decimal     `json:"realized_pnl"`
	UnrealizedPnL   decimal.NullDecimal `json:"unrealized_pnl"`
	PricesAt        *time.Time          `json:"prices_at"`
	PricesStale     bool                `json:"prices_stale"`
	Unpriced        []string            `json:"unpriced"`
	ClosedTrades    int                 `json:"closed_trades"`

	OpenPositions []Position `json:"open_positions"`
	PendingOrders []Order    `json:"pending_orders"`

	LastCheckpoint            *time.Time `json:"last_checkpoint"`
	LastCheckpointAgeSeconds  *float64   `json:"last_checkpoint_age_seconds"`
	CheckpointIntervalSeconds *float64   `json:"checkpoint_interval_seconds"`
	// Healthy and Health are the verdict of /healthz's rule on the
	// newest checkpoint: "ok", or the reason.
	Healthy bool   `json:"healthy"`
	Health  string `json:"health"`
}

// Position is an open position valued at its symbol's price.
type Position struct {
	Symbol        string              `json:"symbol"`
	Side          string              `json:"side"`
	Qty           decimal.Decimal     `json:"qty"`
	EntryPrice    decimal.Decimal     `json:"entry_price"`
	EntryTime     time.Time           `json:"entry_time"`
	Price         decimal.NullDecimal `json:"price"`
	UnrealizedPnL decimal.NullDecimal `json:"unrealized_pnl"`
}

// Order is an order the broker has not finished with.
type Order struct {
	ClientOrderID string          `json:"client_order_id"`
	Symbol        string          `json:"symbol"`
	Side          string          `json:"side"`
	Type          string          `json:"type"`
	Purpose       string          `json:"purpose"`
	Qty           decimal.Decimal `json:"qty"`
	Status        string          `json:"status"`
	CreatedAt     time.Time       `json:"created_at"`
}

// Collect reads every running session: active, with a live lease holder.
func Collect(ctx context.Context, s Store, now time.Time, log zerolog.Logger) (Screen, error) {
	scr := Screen{GeneratedAt: now.UTC(), Sessions: []Session{}, NotRunning: []string{}}
	list, err := s.ListSessions(ctx, db.SessionFilter{Status: db.StatusActive})
	if err != nil {
		return Screen{}, fmt.Errorf("list active sessions: %w", err)
	}
	for _, ss := range list {
		h, running, err := s.LeaseHolder(ctx, ss.ID)
		if err != nil {
			return Screen{}, fmt.Errorf("check lease of session %s: %w", ss.ID, err)
		}
		if !running {
			scr.NotRunning = append(scr.NotRunning, ss.ID)
			continue
		}
		sess, err := collectOne(ctx, s, ss, h, now, log)
		if err != nil {
			return Screen{}, err
		}
		scr.Sessions = append(scr.Sessions, sess)
	}
	sort.SliceStable(scr.Sessions, func(i, j int) bool { return scr.Sessions[i].InstanceID < scr.Sessions[j].InstanceID })
	return scr, nil
}

func collectOne(ctx context.Context, s Store, ss db.SessionSummary, h db.Holder, now time.Time, log zerolog.Logger) (Session, error) {
	out := Session{InstanceID: ss.InstanceID, SessionID: ss.ID, Symbols: ss.Symbols,
		Holder:        Holder{Host: h.Host, PID: h.PID, Since: h.Since.UTC()},
		UptimeSeconds: now.Sub(h.Since).Seconds(), LastCheckpoint: utc(ss.LastCheckpoint),
		OpenPositions: []Position{}, PendingOrders: []Order{}, Unpriced: []string{}}
	if out.Symbols == nil {
		out.Symbols = []string{}
	}
	positions, err := s.Positions(ctx, ss.ID)
	if err != nil {
		return Session{}, fmt.Errorf("read positions of session %s: %w", ss.ID, err)
	}
	var prices pnl.Prices
	r, err := checkpoint.Restore(ctx, s, ss.ID, log)
	switch {
	case err == nil:
		if mt, ok := r.MarketTime(); ok {
			out.MarketTime = &mt
		}
		if v, ok := r.SessionValue(); ok {
			prices, out.PricesAt = v.PnLPrices(), utc(&r.CheckpointTime)
		}
	case errors.Is(err, checkpoint.ErrNoCheckpoint):
	default:
		return Session{}, err
	}
	out.value(pnl.Compute(pnl.Capital(ss.Session), positions, prices))
	orders, err := s.SessionOrders(ctx, ss.ID, true)
	if err != nil {
		return Session{}, fmt.Errorf("read open orders of session %s: %w", ss.ID, err)
	}
	for _, o := range orders {
		out.PendingOrders = append(out.PendingOrders, Order{ClientOrderID: o.ClientOrderID, Symbol: o.Symbol, Side: o.Side,
			Type: o.OrderType, Purpose: o.Purpose, Qty: o.Qty, Status: o.Status, CreatedAt: o.CreatedAt.UTC()})
	}
	out.judge(ss.Session, h.Since, now)
	return out, nil
}

// value fills the session's own figures.
func (out *Session) value(f pnl.Figures) {
	out.StartingCapital, out.RealizedPnL, out.ClosedTrades = f.Capital, f.Realized, f.Closed
	out.PricesStale = f.PriceStale
	if f.Priced() {
		out.Equity, out.PnL, out.PnLPct = f.Equity, decimal.NewNullDecimal(f.PnL), f.PnLPct
		out.UnrealizedPnL = decimal.NewNullDecimal(f.Unrealized)
	} else {
		out.Unpriced = f.Unpriced
	}
	for _, o := range f.Open {
		p := o.Position
		out.OpenPositions = append(out.OpenPositions, Position{Symbol: p.Symbol, Side: p.Side, Qty: p.Qty,
			EntryPrice: p.EntryPrice, EntryTime: p.EntryTime.UTC(), Price: o.Price, UnrealizedPnL: o.Unrealized})
	}
}

// judge applies /healthz's checkpoint rule with the session's checkpoint
// interval, counting from when its process took the lease.
func (out *Session) judge(sess db.Session, since, now time.Time) {
	if out.LastCheckpoint != nil {
		age := now.Sub(*out.LastCheckpoint).Seconds()
		out.LastCheckpointAgeSeconds = &age
	}
	interval, ok := checkpointInterval(sess.Settings)
	if !ok {
		out.Health = "unknown: the session stores no checkpoint interval"
		return
	}
	secs := interval.Seconds()
	out.CheckpointIntervalSeconds = &secs
	var last time.Time
	if out.LastCheckpoint != nil {
		last = *out.LastCheckpoint
	}
	if err := metrics.CheckpointAge(last, since, now, interval); err != nil {
		out.Health = err.Error()
		return
	}
	out.Healthy, out.Health = true, "ok"
}

// checkpointInterval is the --checkpoint-interval the session runs with,
// from the settings stored with it.
func checkpointInterval(settings json.RawMessage) (time.Duration, bool) {
	var raw map[string]string
	if len(settings) == 0 || json.Unmarshal(settings, &raw) != nil {
		return 0, false
	}
	d, err := config.ParsePositiveDuration(raw["checkpoint-interval"], time.Second)
	return d, err == nil
}

func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
