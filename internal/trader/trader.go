// Package trader runs a session: the tick loop, the checkpoint timer, the
// order life cycle from journaled intent to recorded fill, and shutdown.
// Every fact is journaled before the broker is asked to act on it (rule 1).
package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/reconcile"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// Store is what the trader needs from the store; resume runs reconcile,
// so it includes what reconcile needs.
type Store interface {
	checkpoint.Store
	reconcile.Store
	Positions(ctx context.Context, sessionID string) ([]db.Position, error)
	NextOrderSeq(ctx context.Context, sessionID string) (int64, error)
	ReleaseIdleClaims(ctx context.Context, sessionID string) ([]string, error)
	TakeOverClaim(ctx context.Context, symbol, fromSessionID, toSessionID string, at time.Time) error
	LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error)
}

// Broker is what the trader needs from the broker.
type Broker interface {
	reconcile.Broker
	Account(ctx context.Context) (broker.Account, error)
	Clock(ctx context.Context) (broker.Clock, error)
	Bars(ctx context.Context, symbols []string, timeframe string, start, end time.Time, limit int) (map[string][]broker.Bar, error)
	Order(ctx context.Context, id string) (broker.Order, error)
	ClosePosition(ctx context.Context, symbol string, opts broker.CloseOptions) (broker.Order, error)
}

// Session is the held session the trader trades.
type Session interface {
	Row() db.Session
	Alive(ctx context.Context) error
	End(ctx context.Context, end db.SessionEnd) error
}

// Config is one run's settings.
type Config struct {
	Symbols            []string
	Interval           time.Duration
	CheckpointInterval time.Duration
	StopLossPct        decimal.Decimal
	TakeProfitPct      decimal.Decimal
	PositionSize       decimal.Decimal
	MaxPositions       int // 0 = no limit
	CloseOnExit        bool
	// Capital caps the money committed to open positions; zero means the
	// broker's buying power is the only limit.
	Capital decimal.Decimal
}

// Trader trades one session.
type Trader struct {
	cfg      Config
	store    Store
	broker   Broker
	strategy strategy.Strategy
	sess     Session
	now      func() time.Time
	log      zerolog.Logger
	fp       *failpoint.Set
	obs      Observer

	lastAccount    checkpoint.Account
	haveAccount    bool
	value          sessionValue
	market         marketClock
	lastCheckpoint time.Time
	cpFailures     int
	storeDownSince time.Time // zero while the store answers
	// claimChecks is when each symbol's claim was last tested for
	// staleness (takeOverStale).
	claimChecks map[string]time.Time
	// lost is set when another process took the session's lease: this
	// process must stop writing at once and leave the session to it.
	lost error
}

// Deps are the trader's collaborators.
type Deps struct {
	Store      Store
	Broker     Broker
	Strategy   strategy.Strategy
	Session    Session
	Now        func() time.Time
	Log        zerolog.Logger
	Failpoints *failpoint.Set
	// Observer is told about checkpoints, orders, fills, the account and
	// the store; nil means nobody listens.
	Observer Observer
}

// New builds a trader.
func New(cfg Config, d Deps) *Trader {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	return &Trader{cfg: cfg, store: d.Store, broker: d.Broker, strategy: d.Strategy, sess: d.Session,
		now: d.Now, log: d.Log, fp: d.Failpoints, obs: d.Observer, claimChecks: map[string]time.Time{}}
}

func (t *Trader) sessionID() string { return t.sess.Row().ID }

// stepTimeout bounds one tick or checkpoint. Steps run on a context that a
// shutdown signal does not cancel, so the step in flight finishes.
const stepTimeout = 60 * time.Second

// Run trades until ctx is cancelled (first SIGINT/SIGTERM) or the duration
// ends, then writes the final checkpoint and completes the session. The
// deadline is measured from start, so a resumed session continues with what
// remains.
func (t *Trader) Run(ctx context.Context, until time.Time) error {
	tick := time.NewTicker(t.cfg.Interval)
	defer tick.Stop()
	cp := time.NewTicker(t.cfg.CheckpointInterval)
	defer cp.Stop()
	var deadline <-chan time.Time
	if !until.IsZero() {
		timer := time.NewTimer(time.Until(until))
		defer timer.Stop()
		deadline = timer.C
	}
	t.log.Info().Str("session", t.sessionID()).Strs("symbols", t.cfg.Symbols).
		Dur("interval", t.cfg.Interval).Dur("checkpoint_interval", t.cfg.CheckpointInterval).
		Msg("trading")
	if until.IsZero() || t.now().Before(until) {
		t.step(ctx)
	}
loop:
	for {
		select {
		case <-ctx.Done():
			t.log.Info().Msg("shutdown requested: no new entries; writing the final checkpoint")
			break loop
		case <-deadline:
			t.log.Info().Msg("session duration reached")
			break loop
		case <-tick.C:
			t.step(ctx)
		case <-cp.C:
			t.checkpoint(ctx, db.TriggerInterval)
		}
		if t.lost != nil {
			return fmt.Errorf("stopped trading: %w", t.lost)
		}
	}
	return t.finish(ctx)
}

// detached returns a context for one step that outlives a shutdown signal.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), stepTimeout)
}

// finish closes the session: final read-back, optional flattening, final
// checkpoint, completed status, lease released.
func (t *Trader) finish(ctx context.Context) error {
	sctx, cancel := detached(ctx)
	defer cancel()
	if err := t.sync(sctx); err != nil {
		t.log.Warn().Err(err).Msg("final order read-back failed; resume or reconcile-only will pick it up")
	}
	if t.cfg.CloseOnExit {
		t.flatten(sctx)
	}
	t.releaseIdleClaims(sctx)
	t.value.last = nil
	t.checkpoint(sctx, db.TriggerShutdown)
	if t.value.last == nil {
		t.valueSession(sctx) // the checkpoint was skipped or could not value it
	}
	end := db.SessionEnd{Status: db.StatusCompleted, EndTime: t.now().UTC()}
	// The session's own value, as the shutdown checkpoint computed it; the
	// account's value includes every other session on the account.
	if v := t.value.last; v != nil {
		end.FinalPortfolioValue, end.PnL, end.PnLPct = v.Equity, decimal.NewNullDecimal(v.PnL), v.PnLPct
		end.TotalTrades = v.Closed
		if !v.Priced() || v.PriceStale {
			t.log.Warn().Strs("unpriced", v.Unpriced).Bool("stale", v.PriceStale).
				Msg("final session value: some open positions lack a current price")
		}
	}
	if err := t.sess.End(sctx, end); err != nil {
		return fmt.Errorf("complete session: %w", err)
	}
	t.log.Info().Str("session", t.sessionID()).Str("pnl", end.PnL.Decimal.StringFixed(2)).
		Int("trades", end.TotalTrades).Msg("session completed")
	return nil
}

// flatten closes every active position at the broker (--close-on-exit).
// The exit legs hold the shares, so they are canceled first, as Alpaca
// requires. Fills are recorded by the read-back that follows.
func (t *Trader) flatten(ctx context.Context) {
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	if err != nil {
		t.log.Error().Err(err).Msg("cannot read positions to close them")
		return
	}
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	if err != nil {
		t.log.Error().Err(err).Msg("cannot read exit orders to close positions")
		return
	}
	for _, p := range active {
		for _, o := range open {
			if o.ParentClientOrderID == p.EntryClientOrderID && o.BrokerOrderID != "" {
				if err := t.broker.CancelOrder(ctx, o.BrokerOrderID); err != nil {
					t.log.Warn().Err(err).Str("order", o.BrokerOrderID).Msg("cancel exit order failed")
				}
			}
		}
		o, err := t.broker.ClosePosition(ctx, p.Symbol, broker.CloseOptions{})
		if err != nil {
			t.log.Error().Err(err).Str("symbol", p.Symbol).Msg("close position failed; it stays protected by its exit orders")
			continue
		}
		// The closing order is journaled as an exit of the entry, so its
		// fill closes the position like a bracket leg's would.
		root := broker.Order{ClientOrderID: p.EntryClientOrderID, OrderClass: broker.Simple}
		positions := map[string]db.Position{p.EntryClientOrderID: p}
		if err := t.applyLeg(ctx, map[string]db.Order{}, positions, root, o); err != nil {
			t.log.Error().Err(err).Str("symbol", p.Symbol).Msg("journal closing order failed")
		}
	}
	if err := t.sync(ctx); err != nil {
		t.log.Warn().Err(err).Msg("read-back after closing positions failed")
	}
}

// storeResult tracks whether the store answers, so that entries stop when
// it has been down for longer than three checkpoint intervals. A conflict
// or a missing row is an answer: the store is up.
func (t *Trader) storeResult(err error) {
	if errors.Is(err, db.ErrConflict) || errors.Is(err, db.ErrNotFound) {
		err = nil
	}
	t.obs.StoreUp(err == nil)
	if err == nil {
		if !t.storeDownSince.IsZero() {
			t.log.Warn().Msg("store reachable again")
		}
		t.storeDownSince = time.Time{}
		return
	}
	if t.storeDownSince.IsZero() {
		t.storeDownSince = t.now()
	}
}

// leaseHeld checks the lease before this process writes on the session's
// behalf. A store that cannot answer is not a takeover: the step goes on
// and fails on its own writes if the store is really gone.
func (t *Trader) leaseHeld(ctx context.Context) bool {
	err := t.sess.Alive(ctx)
	var held *db.LeaseHeldError
	switch {
	case err == nil:
		return true
	case errors.As(err, &held):
		t.lost = err
		t.log.Error().Err(err).Msg("ANOTHER PROCESS TOOK THIS SESSION: stopping without writing anything more")
		return false
	default:
		t.log.Warn().Err(err).Msg("cannot verify the session lease")
		return true
	}
}

func (t *Trader) storeDown() bool {
	return !t.storeDownSince.IsZero() && t.now().Sub(t.storeDownSince) > 3*t.cfg.CheckpointInterval
}
