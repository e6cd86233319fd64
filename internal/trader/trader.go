// Package trader runs a session: scans at bar closes, the read-back of
// orders and fills, the checkpoint timer, and shutdown. Every fact is
// journaled before the broker is asked to act on it (docs/design.md,
// Rules 1), and decisions happen once per closed bar in market time
// (Rules 6).
package trader

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // day bars start at midnight in New York, also on machines without zoneinfo

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/clock"
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
	AppendValuePoint(ctx context.Context, p db.ValuePoint) (int64, error)
}

// Broker is what the trader needs from the broker.
type Broker interface {
	reconcile.Broker
	Account(ctx context.Context) (broker.Account, error)
	Clock(ctx context.Context) (broker.Clock, error)
	Bars(ctx context.Context, symbols []string, timeframe string, start, end time.Time, limit int) (map[string][]broker.Bar, error)
	LatestTrades(ctx context.Context, symbols []string) (map[string]broker.Trade, error)
	Asset(ctx context.Context, symbol string) (broker.Asset, error)
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
	Symbols []string
	// Interval paces the read-back of orders and positions, which records
	// fills and applies exits; scans follow bar closes instead.
	Interval           time.Duration
	CheckpointInterval time.Duration
	// SettleDelay is how long after a bar's end, in market time, the bar
	// is scanned, so that the data feed has published it.
	SettleDelay time.Duration
	// SignalMaxAge is how long after its bar closed (market time) a
	// signal may still be traded; zero means one bar.
	SignalMaxAge  time.Duration
	StopLossPct   decimal.Decimal
	TakeProfitPct decimal.Decimal
	PositionSize  decimal.Decimal
	MaxPositions  int // 0 = no limit
	CloseOnExit   bool
	// Capital caps the money committed to open positions; zero means the
	// broker's buying power is the only limit.
	Capital decimal.Decimal
	// LongOnly are symbols the broker will not lend: DOWN signals on them
	// are not traded.
	LongOnly []string
	// ShutdownTimeout is how long, after a shutdown is asked for, the
	// broker may take to answer the step in flight and the final
	// read-back; zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// DefaultShutdownTimeout is the broker's budget at shutdown.
const DefaultShutdownTimeout = 10 * time.Second

// Trader trades one session.
type Trader struct {
	cfg      Config
	store    Store
	broker   *budgeted
	strategy strategy.Strategy
	sess     Session
	clock    clock.Clock
	log      zerolog.Logger
	fp       *failpoint.Set
	obs      Observer
	spawn    func(fn func())

	tf       timeframe
	bars     *barCache
	symbols  []string // traded now; a symbol the broker stops trading is dropped
	longOnly map[string]bool
	// assetsChecked is the market date of the last tradability check.
	assetsChecked string
	market        marketClock
	marketOpen    bool
	// scanAt is the market time of the next scan.
	scanAt time.Time
	// resumeThrough is the newest bar end the session had scanned before
	// it was resumed, from its checkpoint.
	resumeThrough time.Time
	// previousRun is the end of the run before a reopen, for the reopen
	// checkpoint.
	previousRun *db.SessionEnd

	// acctMu guards what an interval checkpoint, written on its own
	// goroutine, shares with the loop: the account, the session's value,
	// and the checkpoint bookkeeping.
	acctMu         sync.Mutex
	cpBusy         atomic.Bool // an interval checkpoint is being written
	cpWG           sync.WaitGroup
	lastAccount    checkpoint.Account
	haveAccount    bool
	value          sessionValue
	lastCheckpoint time.Time
	cpFailures     int
	// health guards the state that entries placed in parallel share: the
	// store's availability and a lost lease.
	health  sync.Mutex
	leaseMu sync.Mutex
	store0  storeState
	cp0     storeState // the checkpoint writes' own state
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
	Clock      clock.Clock // nil = the real clock
	Log        zerolog.Logger
	Failpoints *failpoint.Set
	// Observer is told about checkpoints, orders, fills, the account and
	// the store; nil means nobody listens.
	Observer Observer
	// Go runs background work (an interval checkpoint) on a goroutine of
	// its own; nil means the go statement. Tests that step a fake clock
	// pass one they can wait for.
	Go func(fn func())
}

// New builds a trader.
func New(cfg Config, d Deps) (*Trader, error) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	if d.Go == nil {
		d.Go = func(fn func()) { go fn() }
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("load the New York time zone: %w", err)
	}
	tf, err := parseTimeframe(d.Strategy.Timeframe(), ny)
	if err != nil {
		return nil, err
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	t := &Trader{cfg: cfg, store: d.Store, broker: newBudgeted(d.Broker), strategy: d.Strategy, sess: d.Session,
		clock: d.Clock, log: d.Log, fp: d.Failpoints, obs: d.Observer, spawn: d.Go, tf: tf,
		symbols: append([]string(nil), cfg.Symbols...), longOnly: map[string]bool{},
		claimChecks: map[string]time.Time{}}
	for _, s := range cfg.LongOnly {
		t.longOnly[s] = true
	}
	t.bars = newBarCache(tf, d.Strategy.Lookback())
	return t, nil
}

func (t *Trader) sessionID() string { return t.sess.Row().ID }

func (t *Trader) now() time.Time { return t.clock.Now() }

// stepTimeout bounds one step or checkpoint. Steps run on a context that a
// shutdown signal does not cancel, so the step in flight finishes.
const stepTimeout = 60 * time.Second

// detached returns a context for one step that outlives a shutdown signal.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), stepTimeout)
}

// Run trades until ctx is cancelled (first SIGINT/SIGTERM) or the duration
// ends, then writes the final checkpoint and completes the session. The
// deadline is measured from start, so a resumed session continues with what
// remains. Three cadences share one goroutine: scans at bar closes (market
// time), the read-back every Interval and checkpoints every
// CheckpointInterval (wall time).
func (t *Trader) Run(ctx context.Context, until time.Time) error {
	t.log.Info().Str("session", t.sessionID()).Strs("symbols", t.symbols).Str("timeframe", t.tf.name).
		Str("interval", t.cfg.Interval.String()).Str("checkpoint_interval", t.cfg.CheckpointInterval.String()).
		Str("settle_delay", t.cfg.SettleDelay.String()).Msg("trading")
	// A shutdown request starts the broker's budget at once, so a step in
	// flight against a broker that hangs is cut off too.
	stopBudget := context.AfterFunc(ctx, func() { t.broker.start(t.cfg.ShutdownTimeout) })
	defer stopBudget()
	sctx, cancel := detached(ctx)
	t.reportForeign(sctx)
	cancel()
	t.recordStart(ctx)
	now := t.now()
	next := schedule{sync: now, checkpoint: now.Add(t.cfg.CheckpointInterval)}
	for {
		if ctx.Err() != nil {
			t.log.Info().Msg("shutdown requested: no new entries; writing the final checkpoint")
			break
		}
		now = t.now()
		if !until.IsZero() && !now.Before(until) {
			t.log.Info().Msg("session duration reached")
			break
		}
		if !now.Before(next.scan) {
			next.scan = t.scanDue(ctx)
		}
		if !now.Before(next.sync) {
			t.step(ctx)
			next.sync = t.now().Add(t.cfg.Interval)
			if t.bars.ready() {
				// The step read the clock: the scan's wake-up time is
				// known more precisely now.
				next.scan = t.wakeFor(t.scanAt)
			}
		}
		if !t.now().Before(next.checkpoint) {
			t.checkpointAsync(ctx, db.TriggerInterval)
			next.checkpoint = t.now().Add(t.cfg.CheckpointInterval)
		}
		if lost := t.lostErr(); lost != nil {
			t.cpWG.Wait()
			return fmt.Errorf("stopped trading: %w", lost)
		}
		_ = t.clock.Sleep(ctx, next.wake(until).Sub(t.now()))
	}
	return t.finish(ctx)
}

// schedule holds the wall times of the loop's next events.
type schedule struct {
	scan, sync, checkpoint time.Time
}

func (s schedule) wake(until time.Time) time.Time {
	w := s.sync
	for _, t := range []time.Time{s.scan, s.checkpoint, until} {
		if !t.IsZero() && t.Before(w) {
			w = t
		}
	}
	return w
}
