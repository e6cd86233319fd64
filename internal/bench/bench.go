// Package bench measures the whole-process figures of BENCHMARKS.md: the
// checkpoint table on PostgreSQL and SQLite against a floor measured in the
// same run, 50 sessions checkpointing on one PostgreSQL, the tick with 500
// symbols against a local exchange, and resume of a long session by the
// real binary. `make bench` runs it through cmd/gambler-bench.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Config selects what to run and how big.
type Config struct {
	AdminURL string // PostgreSQL role that may create databases
	Binary   string // gambler binary for the resume figure; "" skips it
	Reps     int    // independent repetitions; medians of their medians are reported
	History  int    // checkpoints in the long histories (issue: 100,000)
	// Sessions checkpoint every second for SessionsFor in the concurrency run.
	Sessions    int
	SessionsFor time.Duration
	TickSymbols int
	Ticks       int
	// LatencySymbols trade for LatencyBars bar closes in the
	// signal-to-order figure.
	LatencySymbols int
	LatencyBars    int
	// FirstRuns are `gambler trade` runs on the defaults in a fresh home.
	FirstRuns int
	// Positions are the open positions of the positions10k run.
	Positions int
	Progress  io.Writer // one line per step
	TempDir   string
	Commit    string
	// Only names the steps to run (postgres, sqlite, concurrency, tick,
	// positions10k, latency, firstrun, resume); empty runs all.
	Only []string
}

// Run measures everything and writes the report as Markdown to out.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	r := &runner{cfg: cfg, report: report{history: cfg.History}}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"postgres", r.postgresTable},
		{"sqlite", r.sqliteTable},
		{"concurrency", r.concurrency},
		{"tick", r.tick},
		{"positions10k", r.positions},
		{"latency", r.latency},
		{"firstrun", r.firstRun},
		{"resume", r.resume},
	}
	for _, s := range steps {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, s.name) {
			continue
		}
		start := time.Now()
		r.progress("== %s", s.name)
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.progress("== %s done in %s", s.name, time.Since(start).Round(time.Second))
	}
	r.writeHeader(ctx, out)
	r.report.write(out)
	return nil
}

// writeHeader names the machine, the server and the commit measured.
func (r *runner) writeHeader(ctx context.Context, out io.Writer) {
	pg, err := serverVersion(ctx, r.cfg.AdminURL)
	if err != nil {
		pg = "unknown (" + err.Error() + ")"
	}
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	fmt.Fprintf(out, "Measured %s on commit %s: %d CPUs (%s), PostgreSQL %s, %s %s/%s. "+
		"Repetitions: %d; latencies are medians of the repetitions' medians, p99 over all samples.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), r.cfg.Commit, runtime.NumCPU(), cpu, pg,
		runtime.Version(), runtime.GOOS, runtime.GOARCH, r.cfg.Reps)
}

type runner struct {
	cfg    Config
	report report
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
}

// samples are latencies of one operation, pooled over repetitions, and the
// median of each repetition.
type samples struct {
	all     []time.Duration
	medians []time.Duration
}

func (s *samples) addRep(ds []time.Duration) {
	s.all = append(s.all, ds...)
	s.medians = append(s.medians, quantile(ds, 0.5))
}

// median is the median of the repetitions' medians.
func (s *samples) median() time.Duration { return quantile(s.medians, 0.5) }
func (s *samples) p99() time.Duration    { return quantile(s.all, 0.99) }

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	c := slices.Clone(ds)
	slices.Sort(c)
	return c[min(int(float64(len(c))*q), len(c)-1)]
}

// timeN runs op n times and returns each duration.
func timeN(n int, op func() error) ([]time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := op(); err != nil {
			return ds, err
		}
		ds = append(ds, time.Since(start))
	}
	return ds, nil
}

// timePairs runs a and b alternately, n times each, and returns their
// durations.
func timePairs(n int, a, b func() error) (as, bs []time.Duration, err error) {
	as, bs = make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	for range n {
		for _, op := range []struct {
			run  func() error
			into *[]time.Duration
		}{{a, &as}, {b, &bs}} {
			start := time.Now()
			if err := op.run(); err != nil {
				return as, bs, err
			}
			*op.into = append(*op.into, time.Since(start))
		}
	}
	return as, bs, nil
}

func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000)
	}
}
