package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// positionsResult is issue 16's figure for a tick with many positions.
type positionsResult struct {
	positions, ticks int
	seed             time.Duration
	lists, lookups   []int64
	trading          []int64
	step             []time.Duration
}

// seedClock is the exchange's wall clock: it stands still while seeding,
// moved by hand a second every 10 orders (the list is paged by submission
// second, and each move makes the exchange walk the price path of every
// symbol with resting orders, so moving it after every order would make
// seeding ten times slower), and then runs with the wall clock.
type seedClock struct {
	mu        sync.Mutex
	at, since time.Time // since is zero while seeding
	placed    int
}

func (c *seedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.since.IsZero() {
		return c.at
	}
	return c.at.Add(time.Since(c.since))
}

// pace runs after each seeded order.
func (c *seedClock) pace() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.placed++; c.placed%10 == 0 {
		c.at = c.at.Add(time.Second)
	}
}

func (c *seedClock) run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.since = time.Now()
}

// positions seeds Positions open positions with their bracket legs at a
// local exchange and in PostgreSQL, resumes the session with `gambler
// resume-session` (reconcile, then the trader) and counts each tick's
// order requests and times its read-back step.
func (r *runner) positions(ctx context.Context) error {
	clk := &seedClock{at: time.Now()}
	wld, err := newWorldOn(ctx, r.cfg.AdminURL, "gambler_bench_positions", exchange.Config{Seed: 1, Now: clk.Now,
		Start: monday(), InitialCash: decimal.NewFromInt(1_000_000_000)})
	if err != nil {
		return err
	}
	defer wld.close(ctx)
	res := &positionsResult{positions: r.cfg.Positions, ticks: r.cfg.Ticks}
	start := time.Now()
	sid, err := seedSession(ctx, wld, r.cfg.Positions, clk.pace)
	if err != nil {
		return err
	}
	clk.run()
	res.seed = time.Since(start)
	r.progress("seeded %d positions in %s", r.cfg.Positions, res.seed.Round(time.Second))
	w := &tickWatcher{c: wld.ctr, seen: make(chan struct{}, 1)}
	if err := runTrader(ctx, w, r.cfg.Ticks+1, time.Duration(r.cfg.Ticks+30)*20*time.Second,
		"resume-session", sid, "--database-url", wld.db.URL, "--exchange-url", wld.srv.URL,
		"--log-format", "json", "--interval", "2s", "--checkpoint-interval", "1h", "--min-price-change-pct", "1000000"); err != nil {
		return err
	}
	w.mu.Lock()
	ticks := w.ticks
	w.mu.Unlock()
	// The first tick follows the resume's reconcile; the steady state is
	// the ticks after it.
	for i := 1; i <= r.cfg.Ticks; i++ {
		a, b := ticks[i-1], ticks[i]
		res.lists = append(res.lists, b.lists-a.lists)
		res.lookups = append(res.lookups, b.lookups-a.lookups)
		res.trading = append(res.trading, b.trading-a.trading)
		res.step = append(res.step, b.step)
	}
	r.report.positions = res
	return nil
}

// monday is a Monday at 10:00 in New York, where the market starts.
func monday() time.Time { return time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC) }

// seedSession creates a session, seeds its positions at the exchange and
// in the store, and gives its lease back for resume-session to take.
func seedSession(ctx context.Context, wld *world, n int, pace func()) (string, error) {
	store, err := dbopen.Open(ctx, wld.db.URL, func(string) string { return "" })
	if err != nil {
		return "", fmt.Errorf("open the store: %w", err)
	}
	defer store.Close()
	brk, err := broker.New(broker.Config{BaseURL: wld.srv.URL, DataURL: wld.srv.URL, RateLimit: 1_000_000, RateBurst: 1000,
		MaxRetries: 3, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 10 * time.Millisecond, Logger: zerolog.Nop()})
	if err != nil {
		return "", fmt.Errorf("broker client: %w", err)
	}
	mgr := &session.Manager{Store: store, Now: time.Now, Log: zerolog.Nop()}
	sess, err := mgr.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum", Symbols: []string{"AAPL"},
		InitialPortfolioValue: decimal.NewNullDecimal(decimal.NewFromInt(1_000_000_000))})
	if err != nil {
		return "", fmt.Errorf("start a session: %w", err)
	}
	if err := tradertest.SeedPositions(ctx, brk, store, sess.Row().ID, n, pace); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	if err := sess.Release(ctx); err != nil {
		return "", fmt.Errorf("release the session: %w", err)
	}
	return sess.Row().ID, nil
}

func (rep *report) writePositions(w io.Writer) {
	p := rep.positions
	if p == nil {
		return
	}
	fmt.Fprintf(w, "\n### Tick with %d open positions and their bracket legs, PostgreSQL, local exchange (%d steady ticks)\n\n",
		p.positions, p.ticks)
	fmt.Fprintf(w, "| figure | per tick |\n|---|---|\n")
	fmt.Fprintf(w, "| order list requests (pages) | %s |\n| one-by-one order lookups | %s |\n", ints(p.lists), ints(p.lookups))
	fmt.Fprintf(w, "| trading API calls | %s |\n", ints(p.trading))
	fmt.Fprintf(w, "| read-back step, clock request to status line (median) | %s |\n", ms(medianD(p.step)))
	fmt.Fprintf(w, "| seeding (not a tick figure) | %s |\n", p.seed.Round(time.Second))
}
