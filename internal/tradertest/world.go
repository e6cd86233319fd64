// Package tradertest runs the real trader in-process, against the
// simulated exchange behind httptest and a real store, on a fake clock that
// the test advances: a test says "until the next wake-up" instead of
// sleeping, so a week of market time runs in seconds and every run is the
// same. Failpoints kill the trader's goroutine instead of the process.
package tradertest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/clock"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/strategy"
	"github.com/gambler-trader/gambler/internal/trader"
)

// LogDirEnv names a directory where each test's whole log is written.
const LogDirEnv = "GAMBLER_TRADERTEST_LOGDIR"

// Monday is a Monday morning, before the open, in March 2025 (New York is
// on daylight time from March 9).
var Monday = time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC)

// Options describe a world. Zero values take the defaults noted.
type Options struct {
	// Driver is "sqlite" (the default) or "postgres".
	Driver string
	// Start is where the fake wall clock starts; with generated prices it
	// is also where market time starts. Default Monday.
	Start time.Time
	// Exchange configures the simulated exchange; Now and Logger are the
	// world's.
	Exchange exchange.Config
	// Trader is the session's configuration; Symbols default to AAPL and
	// MSFT, Interval to a minute, CheckpointInterval to five minutes.
	Trader trader.Config
	// Momentum are the strategy's parameters; default the strategy's
	// defaults on 1-minute bars.
	Momentum *strategy.MomentumParams
	// InstanceID of the sessions started; default 1.
	InstanceID int
}

func (o Options) withDefaults() Options {
	if o.Driver == "" {
		o.Driver = "sqlite"
	}
	if o.Start.IsZero() {
		o.Start = Monday
	}
	if len(o.Trader.Symbols) == 0 {
		o.Trader.Symbols = []string{"AAPL", "MSFT"}
	}
	if o.Trader.Interval == 0 {
		o.Trader.Interval = time.Minute
	}
	if o.Trader.CheckpointInterval == 0 {
		o.Trader.CheckpointInterval = 5 * time.Minute
	}
	d := decimal.NewFromInt
	if o.Trader.StopLossPct.IsZero() {
		o.Trader.StopLossPct = d(2)
	}
	if o.Trader.TakeProfitPct.IsZero() {
		o.Trader.TakeProfitPct = d(4)
	}
	if o.Trader.PositionSize.IsZero() {
		o.Trader.PositionSize = d(10000)
	}
	if o.Momentum == nil {
		p := strategy.DefaultMomentumParams()
		p.Timeframe = "1Min"
		o.Momentum = &p
	}
	if o.InstanceID == 0 {
		o.InstanceID = 1
	}
	return o
}

// World is one test's market, store and clock.
type World struct {
	T          testing.TB
	Opts       Options
	Clock      *clock.Fake
	Exchange   *exchange.Exchange
	URL        string
	Store      db.Store
	DBURL      string // the store's URL: a file path for SQLite
	Broker     *broker.Client
	Log        *LogBuffer
	Logger     zerolog.Logger
	runs       *runCount
	processes  *atomic.Int64
	gate       *gate
	background *background
}

// New builds a world: a fresh database, an in-memory exchange on the fake
// clock behind httptest, and a broker client for it.
func New(t testing.TB, o Options) *World {
	t.Helper()
	o = o.withDefaults()
	w := &World{T: t, Opts: o, Clock: clock.NewFake(o.Start), Log: &LogBuffer{},
		runs: &runCount{}, gate: &gate{}, background: &background{}, processes: &atomic.Int64{}}
	w.Logger = zerolog.New(w.Log).With().Timestamp().Logger()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("trader log (last 60 lines):\n%s", w.Log.Tail(60))
		}
		if dir := os.Getenv(LogDirEnv); dir != "" {
			name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".log")
			if err := os.WriteFile(name, []byte(w.Log.Tail(1<<30)), 0o600); err == nil {
				t.Logf("whole log in %s", name)
			}
		}
	})
	ex := o.Exchange
	ex.Now, ex.Logger = w.Clock.Now, w.Logger.With().Str("component", "exchange").Logger()
	e, err := exchange.New(ex)
	if err != nil {
		t.Fatalf("start the exchange: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	srv := httptest.NewServer(w.gate.wrap(e.Handler()))
	t.Cleanup(srv.Close)
	w.Exchange, w.URL = e, srv.URL

	w.openStore()
	b, err := broker.New(broker.Config{BaseURL: srv.URL, DataURL: srv.URL, RateLimit: 1_000_000, RateBurst: 1000,
		MaxRetries: 3, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 10 * time.Millisecond, Logger: w.Logger})
	if err != nil {
		t.Fatalf("broker client: %v", err)
	}
	w.Broker = b
	return w
}

// openStore creates and opens the world's database.
func (w *World) openStore() {
	t := w.T
	url := filepath.Join(t.TempDir(), "gambler.db")
	if w.Opts.Driver == "postgres" {
		// The world's database is never crashed, only its trader: commits
		// need not wait for the disk, which makes a long replay several
		// times faster.
		url = dbtest.CreatePostgresDB(t) + "&synchronous_commit=off"
	}
	s, err := dbopen.Open(context.Background(), url, func(string) string { return "" })
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	w.Store, w.DBURL = s, url
}

// SplitBrain is a second world on the same market, clock and account but
// a database of its own: what two processes that each believe they hold a
// session, each writing its own copy of the store, would share. Nothing in
// the database can keep them apart there; only the broker can.
func (w *World) SplitBrain() *World {
	w2 := *w
	w2.openStore()
	return &w2
}

// Sessions is a session manager on the world's store and clock. Each one
// stands for a process of its own: its lease holder has a host name of its
// own, since every "process" of a world shares this one's pid.
func (w *World) Sessions() *session.Manager {
	n := w.processes.Add(1)
	return &session.Manager{Store: w.Store, Now: w.Clock.Now, Log: w.Logger,
		Holder: func(now time.Time) db.Holder {
			h := session.ThisProcess(now)
			h.Host = fmt.Sprintf("tradertest-%d", n)
			return h
		}}
}

// Strategy builds the world's strategy.
func (w *World) Strategy() strategy.Strategy {
	s, err := strategy.NewMomentum(*w.Opts.Momentum)
	if err != nil {
		w.T.Fatalf("strategy: %v", err)
	}
	return s
}
