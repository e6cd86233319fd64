package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gambler-trader/gambler/internal/cli"
)

// apiCounter counts the requests a local exchange serves, by kind.
type apiCounter struct {
	bars, barPages, trading, other atomic.Int64
	// lists and lookups are the trading requests for orders: GET
	// /v2/orders, and one order by id or client_order_id.
	lists, lookups atomic.Int64
	// clockAt is when GET /v2/clock, which starts each read-back step,
	// was last served (Unix nanoseconds).
	clockAt atomic.Int64
}

func (c *apiCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/stocks/bars" && r.URL.Query().Get("page_token") == "":
			c.bars.Add(1)
		case r.URL.Path == "/v2/stocks/bars":
			c.barPages.Add(1)
		case strings.HasPrefix(r.URL.Path, "/v2/stocks/"):
			c.other.Add(1)
		case strings.HasPrefix(r.URL.Path, "/v2/"):
			c.trading.Add(1)
			c.countOrders(r)
		default:
			c.other.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

func (c *apiCounter) countOrders(r *http.Request) {
	switch {
	case r.Method != http.MethodGet:
	case r.URL.Path == "/v2/clock":
		c.clockAt.Store(time.Now().UnixNano())
	case r.URL.Path == "/v2/orders":
		c.lists.Add(1)
	case strings.HasPrefix(r.URL.Path, "/v2/orders/"), strings.HasPrefix(r.URL.Path, "/v2/orders:"):
		c.lookups.Add(1)
	}
}

// counts is a snapshot taken when the trader logs a tick.
type counts struct {
	bars, barPages, trading int64
	lists, lookups          int64
	mallocs, allocBytes     uint64
	cpu                     time.Duration
	// step is how long the read-back step took: from its clock request
	// to its status line.
	step time.Duration
}

func (c *apiCounter) snapshot() counts {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return counts{bars: c.bars.Load(), barPages: c.barPages.Load(), trading: c.trading.Load(),
		lists: c.lists.Load(), lookups: c.lookups.Load(),
		mallocs: ms.Mallocs, allocBytes: ms.TotalAlloc, cpu: cpu,
		step: time.Since(time.Unix(0, c.clockAt.Load()))}
}

// tickWatcher reads the trader's JSON log and snapshots the counters at
// every line of the watched message ("tick" unless told otherwise).
type tickWatcher struct {
	c *apiCounter
	// message is the log line watched; "" means "tick".
	message string
	mu      sync.Mutex
	ticks   []counts
	buf     bytes.Buffer
	log     bytes.Buffer // kept for error reports
	seen    chan struct{}
}

func (w *tickWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.log.Write(p)
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil {
			w.buf.Write(line) // incomplete; wait for the rest
			return len(p), nil
		}
		var ev struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(line, &ev) == nil && ev.Message == w.watched() {
			w.ticks = append(w.ticks, w.c.snapshot())
			select {
			case w.seen <- struct{}{}:
			default:
			}
		}
	}
}

func (w *tickWatcher) watched() string {
	if w.message == "" {
		return "tick"
	}
	return w.message
}

func (w *tickWatcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.ticks)
}

// tickResult is the tick figure.
type tickResult struct {
	symbols, ticks                int
	bars, barPages, trading       []int64
	mallocs, allocBytes           []uint64
	processCPU                    []time.Duration
	strategyCPU                   samples
	strategyAllocs, strategyBytes float64
}

// tick trades TickSymbols symbols in-process against a local exchange
// whose handler counts requests. Thresholds no bar can meet make sure
// nothing trades, so what is counted is the steady-state cost of a tick.
func (r *runner) tick(ctx context.Context) error {
	wld, err := newWorld(ctx, r.cfg.AdminURL, "gambler_bench_tick", 1)
	if err != nil {
		return err
	}
	defer wld.close(ctx)
	d, srv, ctr := wld.db, wld.srv, wld.ctr

	syms := make([]string, r.cfg.TickSymbols)
	for i := range syms {
		syms[i] = symbol(i)
	}
	w := &tickWatcher{c: ctr, seen: make(chan struct{}, 1)}
	if err := runTrader(ctx, w, r.cfg.Ticks+1, time.Duration(r.cfg.Ticks+5)*10*time.Second,
		"trade", "--database-url", d.URL, "--exchange-url", srv.URL,
		"--log-format", "json", "--symbols", strings.Join(syms, ","), "--duration", "0",
		"--interval", "2s", "--checkpoint-interval", "1h", "--min-price-change-pct", "1000000"); err != nil {
		return err
	}
	res := &tickResult{symbols: len(syms), ticks: r.cfg.Ticks}
	w.mu.Lock()
	ticks := w.ticks
	w.mu.Unlock()
	// The first tick includes starting the session; steady state is the
	// difference between consecutive ticks after it.
	for i := 1; i <= r.cfg.Ticks; i++ {
		a, b := ticks[i-1], ticks[i]
		res.bars = append(res.bars, b.bars-a.bars)
		res.barPages = append(res.barPages, b.barPages-a.barPages)
		res.trading = append(res.trading, b.trading-a.trading)
		res.mallocs = append(res.mallocs, b.mallocs-a.mallocs)
		res.allocBytes = append(res.allocBytes, b.allocBytes-a.allocBytes)
		res.processCPU = append(res.processCPU, b.cpu-a.cpu)
	}
	if err := r.strategyCost(res); err != nil {
		return err
	}
	r.report.tick = res
	return nil
}

func tail(w *tickWatcher) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.log.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// runTrader runs the CLI in-process with args, logging into w, until w
// has seen n lines of its kind; then it stops the trader, which must exit
// cleanly. It fails on an early exit or when limit passes first.
func runTrader(ctx context.Context, w *tickWatcher, n int, limit time.Duration, args ...string) error {
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan int, 1)
	app := &cli.App{IO: cli.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: w},
		Getenv: func(string) string { return "" }}
	go func() { done <- cli.Main(tctx, args, app) }()
	deadline := time.After(limit)
	for w.count() < n {
		select {
		case <-w.seen:
		case code := <-done:
			return fmt.Errorf("trader exited with %d before %d %s lines:\n%s", code, n, w.watched(), tail(w))
		case <-deadline:
			cancel()
			<-done
			return fmt.Errorf("only %d %s lines in time:\n%s", w.count(), w.watched(), tail(w))
		}
	}
	cancel()
	if code := <-done; code != 0 {
		return fmt.Errorf("trader exited with %d:\n%s", code, tail(w))
	}
	return nil
}
