package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/pgstore"
)

// concurrencyResult is the concurrency figure.
type concurrencyResult struct {
	aligned        bool // every session checkpoints at the same instant
	sessions       int
	took           time.Duration
	creates        samples
	failures       int64
	checkpoints    int64
	commitsPerSec  float64
	checkpointsSec float64
}

// concurrency runs Sessions traders' checkpoint timers on one PostgreSQL:
// each session has its own store (its own pool, as separate processes
// would) and 10 open positions, and checkpoints every second.
func (r *runner) concurrency(ctx context.Context) error {
	for _, aligned := range []bool{false, true} {
		res, err := r.concurrencyRun(ctx, aligned)
		if err != nil {
			return err
		}
		r.report.concurrency = append(r.report.concurrency, res)
	}
	return nil
}

// concurrencyRun spreads the sessions' timers over the second, as
// independent processes started at different times would have them, or
// aligns them so all 50 creates arrive at once (the worst case).
func (r *runner) concurrencyRun(ctx context.Context, aligned bool) (*concurrencyResult, error) {
	d, err := createPGDatabase(ctx, r.cfg.AdminURL, "gambler_bench_conc")
	if err != nil {
		return nil, err
	}
	defer func() { _ = d.drop(context.WithoutCancel(ctx)) }()
	n := r.cfg.Sessions
	stores, err := openConcurrencyStores(ctx, d, n)
	defer func() {
		for _, s := range stores {
			_ = s.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	commitsBefore, err := xactCommits(ctx, d)
	if err != nil {
		return nil, err
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		all      []time.Duration
		failures atomic.Int64
		firstErr error
	)
	start := time.Now()
	end := start.Add(r.cfg.SessionsFor)
	for i, s := range stores {
		id := sessionID(9, i)
		wg.Go(func() {
			if !aligned {
				time.Sleep(time.Duration(i) * time.Second / time.Duration(n))
			}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			var mine []time.Duration
			for time.Now().Before(end) {
				t := time.Now()
				_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: id,
					Trigger: db.TriggerInterval, AccountSnapshot: account})
				if err != nil {
					failures.Add(1)
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
				} else {
					mine = append(mine, time.Since(t))
				}
				<-tick.C
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(start)
	commitsAfter, err := xactCommits(ctx, d)
	if err != nil {
		return nil, err
	}
	res := &concurrencyResult{aligned: aligned, sessions: n, took: took, failures: failures.Load(), checkpoints: int64(len(all))}
	res.creates.addRep(all)
	res.commitsPerSec = float64(commitsAfter-commitsBefore) / took.Seconds()
	res.checkpointsSec = float64(len(all)) / took.Seconds()
	if firstErr != nil {
		r.progress("  failures: %v", firstErr)
	}
	return res, nil
}

// xactCommits reads the database's commit counter. Statistics are flushed
// by backends at most once a second, so the caller waits that long first.
func xactCommits(ctx context.Context, d *pgDatabase) (int64, error) {
	time.Sleep(1100 * time.Millisecond)
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close(ctx) }()
	var n int64
	if _, err := conn.Exec(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
		return 0, err
	}
	err = conn.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, d.name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read commit counter: %w", err)
	}
	return n, nil
}

// openConcurrencyStores opens n stores, one per session, each with a
// session of 10 open positions: n processes, each with its own pool.
func openConcurrencyStores(ctx context.Context, d *pgDatabase, n int) ([]*pgstore.Store, error) {
	stores := make([]*pgstore.Store, 0, n)
	for i := range n {
		s, err := pgstore.Open(ctx, d.withParam("pool_max_conns", "2"))
		if err != nil {
			return stores, err
		}
		stores = append(stores, s)
		id := sessionID(9, i)
		if err := s.CreateSession(ctx, db.Session{ID: id, StartTime: t0, Symbols: []string{"AAPL"}}); err != nil {
			return stores, err
		}
		for p := range 10 {
			if _, err := s.OpenPosition(ctx, position(id, p)); err != nil {
				return stores, err
			}
		}
	}
	return stores, nil
}
