package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// firstRunLimit is how long one first run may wait for its first entry.
const firstRunLimit = 3 * time.Minute

// firstRunResult is what a first-time user sees on the defaults: the wall
// time from `gambler trade` to the first scan line and to the first entry.
type firstRunResult struct {
	scan, entry []time.Duration
	noEntry     int // runs without an entry within firstRunLimit, counted at the limit
}

// firstRun runs `gambler trade` with nothing but its defaults (the
// in-process exchange, embedded SQLite, five symbols, 5Min bars at speed
// 60) FirstRuns times, each in a fresh home, as a first-time user would.
func (r *runner) firstRun(ctx context.Context) error {
	if r.cfg.Binary == "" {
		r.progress("  skipped: no gambler binary given")
		return nil
	}
	res := &firstRunResult{}
	for i := range r.cfg.FirstRuns {
		scan, entry, err := r.oneFirstRun(ctx)
		if err != nil {
			return fmt.Errorf("first run %d: %w", i+1, err)
		}
		r.progress("  run %d: scan %s, entry %s", i+1, scan.Round(time.Millisecond), entry.Round(time.Millisecond))
		res.scan = append(res.scan, scan)
		if entry == 0 {
			// Counted at the limit, so the median of all runs stays honest.
			res.noEntry++
			entry = firstRunLimit
		}
		res.entry = append(res.entry, entry)
	}
	r.report.firstRun = res
	return nil
}

func (r *runner) oneFirstRun(ctx context.Context) (scan, entry time.Duration, err error) {
	home, err := os.MkdirTemp(r.cfg.TempDir, "gambler-first-run-")
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = os.RemoveAll(home) }()
	bin, err := filepath.Abs(r.cfg.Binary)
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.CommandContext(ctx, bin, "trade", "--log-format", "json")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "APCA_API_KEY_ID=", "APCA_API_SECRET_KEY=")
	cmd.Dir = home
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	}()
	timeout := time.AfterFunc(firstRunLimit, func() { _ = cmd.Process.Signal(syscall.SIGINT) })
	defer timeout.Stop()
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch {
		case ev.Message == "scan" && scan == 0:
			scan = time.Since(start)
		case ev.Message == "entry placed":
			return scan, time.Since(start), nil
		}
	}
	return scan, 0, nil
}
