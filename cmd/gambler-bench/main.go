// Command gambler-bench measures the whole-process figures of BENCHMARKS.md.
// `make bench` runs it; it needs a PostgreSQL role that may create
// databases and creates and drops its own.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gambler-trader/gambler/internal/bench"
)

func main() {
	os.Exit(run())
}

func run() int {
	cfg := bench.Config{Progress: os.Stderr}
	flag.StringVar(&cfg.AdminURL, "pg", envOr("GAMBLER_TEST_POSTGRES_URL",
		"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL admin URL")
	flag.StringVar(&cfg.Binary, "binary", "bin/gambler", "gambler binary for the resume figure (\"\" skips it)")
	flag.IntVar(&cfg.Reps, "reps", 3, "repetitions of the checkpoint table; medians of their medians are reported")
	flag.IntVar(&cfg.History, "history", 100_000, "checkpoints in the long histories")
	flag.IntVar(&cfg.Sessions, "sessions", 50, "sessions in the concurrency run")
	flag.DurationVar(&cfg.SessionsFor, "sessions-for", 30*time.Second, "length of the concurrency run")
	flag.IntVar(&cfg.TickSymbols, "symbols", 500, "symbols in the tick run")
	flag.IntVar(&cfg.Ticks, "ticks", 5, "steady-state ticks measured")
	flag.IntVar(&cfg.Positions, "positions", 4000, "open positions in the positions10k run (the simulated exchange caches 4,096 symbol-days: past that it rebuilds prices on every request)")
	flag.IntVar(&cfg.LatencySymbols, "latency-symbols", 100, "symbols in the signal-to-order run")
	flag.IntVar(&cfg.LatencyBars, "latency-bars", 20, "bar closes in the signal-to-order run")
	flag.IntVar(&cfg.FirstRuns, "first-runs", 5, "runs of `gambler trade` on the defaults in a fresh home")
	flag.StringVar(&cfg.Commit, "commit", "unknown", "commit being measured, for the report")
	flag.StringVar(&cfg.TempDir, "tmp", os.TempDir(), "directory for SQLite files")
	only := flag.String("only", "", "comma separated steps to run: postgres,sqlite,concurrency,tick,positions10k,latency,firstrun,resume (default all)")
	flag.Parse()
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench.Run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gambler-bench:", err)
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
