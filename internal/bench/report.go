package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// report collects every figure of the run.
type report struct {
	history          int
	postgres, sqlite *tableResult
	concurrency      []*concurrencyResult
	tick             *tickResult
	positions        *positionsResult
	latency          *latencyResult
	firstRun         *firstRunResult
	resume           *resumeResult
}

// oldSystem are the replaced system's medians from the issue, by position
// count; "" where it has none.
var oldSystem = map[string][4]string{
	"create":      {"3.3 ms", "2.8 ms", "5.6 ms", "33 ms"},
	"restore100k": {"0.39 ms", "0.37 ms", "0.54 ms", "2.9 ms"},
	"list10":      {"0.59 ms", "0.59 ms", "2.3 ms", "22 ms"},
	"stats1k":     {"15 ms", "37 ms", "251 ms", "2.4 s"},
	"stats100k":   {"3.8 s", "7.0 s", "36 s", "out of memory"},
	"cleanup":     {"18 s", "22 s", "55 s", "not attempted"},
	"bytesPerRow": {"753", "1,709", "10,836", "92,068"},
}

func (rep *report) write(w io.Writer) {
	if rep.postgres != nil {
		fmt.Fprintf(w, "### PostgreSQL checkpoints\n\n")
		writeTable(w, rep.postgres, rep.history, true)
	}
	if rep.sqlite != nil {
		fmt.Fprintf(w, "\n### SQLite checkpoints\n\n")
		writeTable(w, rep.sqlite, rep.history, false)
	}
	for _, c := range rep.concurrency {
		timing := "timers spread over the second, as independent processes"
		if c.aligned {
			timing = "timers aligned: all sessions checkpoint at the same instant (worst case)"
		}
		fmt.Fprintf(w, "\n### %d sessions checkpointing every second on one PostgreSQL, %s\n\n", c.sessions, timing)
		fmt.Fprintf(w, "| figure | value |\n|---|---|\n")
		fmt.Fprintf(w, "| run length | %s |\n| checkpoints written | %d (%.1f/s) |\n| failures | %d |\n",
			c.took.Round(time.Second), c.checkpoints, c.checkpointsSec, c.failures)
		fmt.Fprintf(w, "| create median / p99 | %s / %s |\n| commits/s (pg_stat_database) | %.1f |\n",
			ms(c.creates.median()), ms(c.creates.p99()), c.commitsPerSec)
	}
	if t := rep.tick; t != nil {
		fmt.Fprintf(w, "\n### Tick with %d symbols against a local exchange (%d steady ticks, nothing trades)\n\n",
			t.symbols, t.ticks)
		fmt.Fprintf(w, "| figure | per tick |\n|---|---|\n")
		fmt.Fprintf(w, "| bars requests (first pages) | %s |\n| bars pagination pages | %s |\n",
			ints(t.bars), ints(t.barPages))
		fmt.Fprintf(w, "| trading API calls | %s |\n", ints(t.trading))
		fmt.Fprintf(w, "| strategy CPU (%d symbols) median / p99 | %s / %s |\n", t.symbols,
			ms(t.strategyCPU.median()), ms(t.strategyCPU.p99()))
		fmt.Fprintf(w, "| strategy allocations | %.0f allocs, %.0f KiB |\n", t.strategyAllocs, t.strategyBytes/1024)
		fmt.Fprintf(w, "| process allocations, trader and exchange in one process (median) | %s allocs, %s KiB |\n",
			medianU(t.mallocs, 1), medianU(t.allocBytes, 1024))
		fmt.Fprintf(w, "| process CPU, trader and exchange (median) | %s |\n", ms(medianD(t.processCPU)))
	}
	rep.writePositions(w)
	if l := rep.latency; l != nil {
		fmt.Fprintf(w, "\n### Signal to order, %d symbols, %d bars of 5Min at speed 60 (defaults)\n\n", l.symbols, l.bars)
		fmt.Fprintf(w, "Wall time from a bar's close plus the settle delay to the entry's arrival at the exchange.\n\n")
		fmt.Fprintf(w, "| entries | p50 | p99 | max |\n|---|---|---|---|\n")
		fmt.Fprintf(w, "| %d | %s | %s | %s |\n", len(l.all), ms(quantile(l.all, 0.5)), ms(quantile(l.all, 0.99)),
			ms(quantile(l.all, 1)))
	}
	if f := rep.firstRun; f != nil {
		fmt.Fprintf(w, "\n### A first-time user: `gambler trade` on the defaults, %d runs in fresh homes\n\n", len(f.scan))
		fmt.Fprintf(w, "| figure | median | max | runs |\n|---|---|---|---|\n")
		fmt.Fprintf(w, "| process start to the first scan line | %s | %s | %d |\n", ms(quantile(f.scan, 0.5)),
			ms(quantile(f.scan, 1)), len(f.scan))
		fmt.Fprintf(w, "| process start to the first entry | %s | %s | %d (%d without an entry in %s, counted at that) |\n",
			ms(quantile(f.entry, 0.5)), ms(quantile(f.entry, 1)), len(f.entry), f.noEntry, firstRunLimit)
	}
	if r := rep.resume; r != nil {
		fmt.Fprintf(w, "\n### Resume, %d checkpoints and %d positions, process start to first tick\n\n",
			r.checkpoints, r.positions)
		fmt.Fprintf(w, "| span | runs | median | max |\n|---|---|---|---|\n")
		fmt.Fprintf(w, "| process start to first tick | %d | %s | %s |\n",
			len(r.toTick.all), ms(r.toTick.median()), ms(quantile(r.toTick.all, 1)))
		fmt.Fprintf(w, "| process start to trading loop (lease, restore, reconcile, resume checkpoint) | %d | %s | %s |\n",
			len(r.toLoop.all), ms(r.toLoop.median()), ms(quantile(r.toLoop.all, 1)))
		fmt.Fprintf(w, "\nBroker requests from process start to the first tick: %s.\n", ints(r.requests))
	}
}

func writeTable(w io.Writer, t *tableResult, history int, withOld bool) {
	long := fmt.Sprintf("%dk", history/1000)
	floor := t.floor.median()
	fmt.Fprintf(w, "Floor (one autocommit single-row INSERT of a 10-position checkpoint): median %s, p99 %s",
		ms(floor), ms(t.floor.p99()))
	for name, s := range t.extraFloors {
		fmt.Fprintf(w, "; %s: median %s", name, ms(s.median()))
	}
	fmt.Fprintf(w, "\n\nFloor insert and 10-position create alternating (the same load on both): floor median %s, "+
		"create median %s = %.2f× that floor", ms(t.pairedFloor.median()), ms(t.pairedCreate.median()),
		float64(t.pairedCreate.median())/float64(t.pairedFloor.median()))
	fmt.Fprintf(w, "\n\n| operation | 1 pos | 10 pos | 100 pos | 1000 pos |\n|---|---|---|---|---|\n")
	row := func(name, old string, cell func(n int) string) {
		cells := make([]string, 0, len(positionCounts))
		for i, n := range positionCounts {
			c := cell(n)
			if withOld && old != "" {
				c += " (old " + oldSystem[old][i] + ")"
			}
			cells = append(cells, c)
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	ratio := func(s *samples) string {
		return fmt.Sprintf("%s = %.2f× floor, p99 %s", ms(s.median()), float64(s.median())/float64(floor), ms(s.p99()))
	}
	row("create checkpoint", "create", func(n int) string { return ratio(t.create[n]) })
	row("restore latest (1k checkpoints)", "", func(n int) string { return ms(t.restore1k[n].median()) })
	row("restore latest ("+long+" checkpoints)", "restore100k", func(n int) string {
		return fmt.Sprintf("%s = %.2f× the 1k figure", ms(t.restore100k[n].median()),
			float64(t.restore100k[n].median())/float64(t.restore1k[n].median()))
	})
	row("list 10 ("+long+" checkpoints)", "list10", func(int) string { return ms(t.list10.median()) })
	row("stats (1k checkpoints)", "stats1k", func(int) string { return ms(t.stats1k.median()) })
	row("stats ("+long+" checkpoints)", "stats100k", func(int) string { return ms(t.stats.median()) })
	row("cleanup keeping 100 of "+long, "cleanup", func(int) string {
		return fmt.Sprintf("%s, concurrent create p99 %s", ms(t.cleanup.median()), ms(t.cleanupCreates.p99()))
	})
	row("bytes per checkpoint row", "bytesPerRow", func(n int) string { return fmt.Sprintf("%.0f", t.bytesPerRow[n]) })
	fmt.Fprintf(w, "\nlist, stats and cleanup read no payloads, so they are measured once on 10-position "+
		"histories and shown in every column.\n")
}

func ints(v []int64) string {
	if len(v) == 0 {
		return "-"
	}
	lo, hi := slices.Min(v), slices.Max(v)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

func medianU(v []uint64, div uint64) string {
	if len(v) == 0 {
		return "-"
	}
	c := slices.Clone(v)
	slices.Sort(c)
	return fmt.Sprint(c[len(c)/2] / div)
}

func medianD(v []time.Duration) time.Duration { return quantile(v, 0.5) }
