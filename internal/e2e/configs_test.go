package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// configsDir holds what users install next to the binary.
const configsDir = "../../configs"

// keyValues parses KEY=VALUE lines (a systemd unit, an environment file)
// into key -> values, skipping blank lines, comments and [Section] headers.
func keyValues(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not KEY=VALUE: %q", path, line)
		}
		out[k] = append(out[k], v)
	}
	return out
}

// TestSystemdUnit checks the shipped unit's promises and runs its ExecStart
// with the shipped environment file: twice, the second continuing the
// session the first left behind when it was killed.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	unit := keyValues(t, filepath.Join(configsDir, "gambler.service"))
	one := func(k string) string {
		if len(unit[k]) != 1 {
			t.Fatalf("gambler.service: want one %s, have %q", k, unit[k])
		}
		return unit[k][0]
	}
	if one("Restart") != "always" || one("KillSignal") != "SIGINT" {
		t.Errorf("gambler.service: Restart=%s KillSignal=%s, want always and SIGINT", one("Restart"), one("KillSignal"))
	}
	// The final checkpoint needs a read-back and a checkpoint, each bounded
	// by the trader's 60 s step timeout.
	if s, err := strconv.Atoi(one("TimeoutStopSec")); err != nil || s < 120 {
		t.Errorf("gambler.service: TimeoutStopSec=%s, want at least 120", one("TimeoutStopSec"))
	}
	envPath := one("EnvironmentFile")
	if strings.HasPrefix(envPath, "-") {
		t.Errorf("gambler.service: the environment file %s must be required, not optional", envPath)
	}
	exec := strings.Fields(one("ExecStart"))
	if filepath.Base(exec[0]) != "gambler" || exec[1] != "trade" || !strings.Contains(one("ExecStart"), "--auto-resume") {
		t.Fatalf("gambler.service: ExecStart=%s, want gambler trade --auto-resume", one("ExecStart"))
	}

	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			var env []string
			for k, vs := range keyValues(t, filepath.Join(configsDir, "gambler.env.example")) {
				if v := vs[len(vs)-1]; v != "" && k != "GAMBLER_TRADE_DURATION" && k != "GAMBLER_TRADE_METRICS_ADDR" {
					env = append(env, k+"="+v)
				}
			}
			// The test's exchange, database and pace; the rest is the unit's.
			env = append(env, "GAMBLER_TRADE_EXCHANGE_URL="+e.Exchange.URL, "GAMBLER_TRADE_INTERVAL=300ms",
				"GAMBLER_TRADE_CHECKPOINT_INTERVAL=1s", "GAMBLER_TRADE_MIN_PRICE_CHANGE_PCT=0.0001",
				"GAMBLER_TRADE_MIN_VOLUME_RATIO=0.0001", "GAMBLER_TRADE_TIMEFRAME=1Min", "GAMBLER_TRADE_POSITION_SIZE=1000")
			p, s := e.StartTrading(env, 1, exec[1:]...)
			p.Kill9()
			r, code := e.Run(append(env, "GAMBLER_TRADE_DURATION=2s"), exec[1:]...)
			if code != 0 || !strings.Contains(r.Stdout(), s.ID) {
				t.Fatalf("ExecStart after a crash (exit %d) did not continue session %s:\n%s", code, s.ID, r.Stdout())
			}
			if got := e.Session(); got.Status != db.StatusCompleted {
				t.Errorf("session %s after the restart: %s", got.ID, got.Status)
			}
		})
	}
}

// TestCrontabCommands runs every gambler command of the shipped crontab.
func TestCrontabCommands(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(configsDir, "crontab.example"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || strings.HasPrefix(f[0], "#") || f[5] != "gambler" {
			continue
		}
		// Five schedule fields, then the command up to a redirect or "||".
		var args []string
		for _, a := range f[6:] {
			if strings.HasPrefix(a, ">") || a == "||" || a == "|" {
				break
			}
			args = append(args, a)
		}
		cmds = append(cmds, args)
	}
	if len(cmds) != 2 {
		t.Fatalf("crontab.example: want the cleanup and the stats job, found %v", cmds)
	}
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p := e.Start(nil, e.TradeArgs("--duration", "0")...)
			s := e.WaitForSession()
			Eventually(t, 30*time.Second, "checkpoints", func() bool {
				st, err := e.Store.CheckpointStats(t.Context(), s.ID)
				return err == nil && st.Total >= 2
			})
			// The running session checkpoints: the stats job passes.
			for _, args := range cmds {
				if out, code := e.Run(nil, args...); code != 0 {
					t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), code, tail(out.Stderr(), 2000))
				}
			}
			p.Kill9()
		})
	}
}

// TestExampleConfigIsAccepted: every key of the shipped example config is
// one gambler knows (unknown keys are errors).
func TestExampleConfigIsAccepted(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, "sqlite", "60")
	cfg, err := filepath.Abs(filepath.Join(configsDir, "gambler.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, code := e.Run(nil, "--config", cfg, "sessions", "list")
	if code != 0 {
		t.Fatalf("gambler --config %s sessions list: exit %d\n%s", cfg, code, out.Stderr())
	}
}
