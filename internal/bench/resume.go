package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/pgstore"
)

const resumePositions = 100

// resumeResult is the resume figure.
type resumeResult struct {
	checkpoints, positions int
	toTick, toLoop         samples
	requests               []int64 // broker requests from process start to the first tick
}

// resume measures `gambler resume-session` of a session with History
// checkpoints and 100 open positions (held at the local exchange too, with
// their exit orders), from process start to the first "tick" log line.
func (r *runner) resume(ctx context.Context) error {
	if r.cfg.Binary == "" {
		r.progress("  skipped: no gambler binary given")
		return nil
	}
	w, err := newWorld(ctx, r.cfg.AdminURL, "gambler_bench_resume", 1)
	if err != nil {
		return err
	}
	defer w.close(ctx)
	d, srv, ctr := w.db, w.srv, w.ctr

	syms := make([]string, resumePositions)
	for i := range syms {
		syms[i] = symbol(i)
	}
	common := []string{"--database-url", d.URL, "--exchange-url", srv.URL, "--log-format", "json"}
	first, err := r.runUntilTick(ctx, append([]string{"trade", "--symbols", strings.Join(syms, ","),
		"--duration", "0", "--interval", "1h", "--checkpoint-interval", "1h",
		"--min-price-change-pct", "1000000"}, common...))
	if err != nil {
		return fmt.Errorf("start the session: %w", err)
	}
	if err := seedResume(ctx, d, srv.URL, first.session, syms, r.cfg.History); err != nil {
		return err
	}
	args := append([]string{"resume-session", first.session}, common...)
	// The first resume adopts the seeded state (recreates the exit orders);
	// the measured ones resume a consistent session.
	if _, err := r.runUntilTick(ctx, args); err != nil {
		return fmt.Errorf("first resume: %w", err)
	}
	res := &resumeResult{checkpoints: r.cfg.History, positions: resumePositions}
	var (
		ds, ready []time.Duration
		last      tickRun
	)
	for range max(r.cfg.Reps, 5) {
		before := ctr.snapshot()
		run, err := r.runUntilTick(ctx, args)
		if err != nil {
			return err
		}
		after := ctr.snapshot()
		res.requests = append(res.requests, after.trading+after.bars+after.barPages-
			before.trading-before.bars-before.barPages)
		ds = append(ds, run.took)
		ready = append(ready, run.ready)
		last = run
	}
	r.progress("  log of the last measured resume:\n%s", last.log)
	res.toTick.addRep(ds)
	res.toLoop.addRep(ready)
	r.report.resume = res
	return nil
}

type tickRun struct {
	session string
	took    time.Duration
	ready   time.Duration // until the trading loop starts: resume done, before the first tick's broker calls
	log     string        // stderr up to the tick, each line prefixed by its arrival time
}

// runUntilTick starts the binary, waits for its first "tick" line and
// kills it with SIGKILL, leaving the session active for the next resume.
func (r *runner) runUntilTick(ctx context.Context, args []string) (tickRun, error) {
	cmd := exec.CommandContext(ctx, r.cfg.Binary, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return tickRun{}, err
	}
	cmd.Stdout = io.Discard
	var logBuf bytes.Buffer
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return tickRun{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	found := make(chan tickRun, 1)
	var mu sync.Mutex
	go func() {
		var run tickRun
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			at := time.Since(start)
			mu.Lock()
			fmt.Fprintf(&logBuf, "+%6.1fms ", float64(at.Microseconds())/1000)
			logBuf.Write(sc.Bytes())
			logBuf.WriteByte('\n')
			mu.Unlock()
			var ev struct {
				Message string `json:"message"`
				Session string `json:"session"`
			}
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			if ev.Session != "" && run.session == "" {
				run.session = ev.Session
			}
			if ev.Message == "trading" {
				run.ready = at
			}
			if ev.Message == "tick" {
				run.took = at
				mu.Lock()
				run.log = logBuf.String()
				mu.Unlock()
				found <- run
				return
			}
		}
		close(found)
	}()
	select {
	case run, ok := <-found:
		if ok {
			return run, nil
		}
	case <-time.After(2 * time.Minute):
	}
	mu.Lock()
	defer mu.Unlock()
	return tickRun{}, fmt.Errorf("no tick from gambler %s:\n%s", strings.Join(args[:2], " "), logBuf.String())
}

// seedResume gives the session 100 positions held at the exchange and in
// the store, and History checkpoints (10-position payloads; resume reads
// only the newest, which the first resume writes with all 100).
func seedResume(ctx context.Context, d *pgDatabase, exchangeURL, sessionID string, syms []string, history int) error {
	for _, sym := range syms {
		body := fmt.Sprintf(`{"symbol":%q,"qty":"10","side":"buy","type":"market","time_in_force":"day"}`, sym)
		resp, err := http.Post(exchangeURL+"/v2/orders", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("buy %s at the exchange: %s", sym, resp.Status)
		}
	}
	prices, err := entryPrices(exchangeURL)
	if err != nil {
		return err
	}
	s, err := pgstore.Open(ctx, d.URL)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	for i, sym := range syms {
		price, ok := prices[sym]
		if !ok {
			return fmt.Errorf("the exchange holds no %s position", sym)
		}
		p := position(sessionID, i)
		p.Symbol, p.Qty, p.OrderID, p.EntryPrice = sym, decimal.NewFromInt(10), "", price
		// Exits far enough away that none fills during the runs.
		p.StopLoss = decimal.NewNullDecimal(price.Mul(decimal.RequireFromString("0.8")).Round(2))
		p.TakeProfit = decimal.NewNullDecimal(price.Mul(decimal.RequireFromString("1.2")).Round(2))
		p.EntryTime = time.Now().UTC()
		if _, err := s.OpenPosition(ctx, p); err != nil {
			return err
		}
	}
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	ten, err := payload(10)
	if err != nil {
		return err
	}
	start := time.Now().Add(-time.Duration(history+10) * time.Minute)
	size, sum := int64(len(ten)+len(account)), db.Checksum(ten, account)
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"position_checkpoints"}, copyColumns,
		pgx.CopyFromSlice(history, func(i int) ([]any, error) {
			at := start.Add(time.Duration(i) * time.Minute)
			return []any{sessionID, at, ten, account, 10, 0, at, int64(1_000_000 + i), db.TriggerInterval,
				1.5, size, sum}, nil
		}))
	if err == nil {
		_, err = conn.Exec(ctx, `VACUUM ANALYZE position_checkpoints`)
	}
	return errors.Join(err)
}

// entryPrices reads the average entry price of every position the exchange
// holds.
func entryPrices(exchangeURL string) (map[string]decimal.Decimal, error) {
	resp, err := http.Get(exchangeURL + "/v2/positions")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var ps []struct {
		Symbol string          `json:"symbol"`
		Price  decimal.Decimal `json:"avg_entry_price"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ps); err != nil {
		return nil, fmt.Errorf("read exchange positions: %w", err)
	}
	out := make(map[string]decimal.Decimal, len(ps))
	for _, p := range ps {
		out[p.Symbol] = p.Price
	}
	return out, nil
}
