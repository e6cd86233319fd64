package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

// TestTwoInProcessTradersInOneHome: two `trade` runs with the in-process
// exchange in one HOME never share its state file. On the same database and
// instance the second is refused, naming the first; another instance gets
// an exchange of its own.
func TestTwoInProcessTradersInOneHome(t *testing.T) {
	t.Parallel()
	e := &Env{T: t, Dir: t.TempDir()}
	e.DBURL = filepath.Join(e.Dir, "gambler.db")
	args := []string{"trade", "--symbols", "AAPL", "--interval", "300ms", "--checkpoint-interval", "1s", "--timeframe", "1Min"}
	first := e.Start(nil, append(args, "--duration", "0")...)
	Eventually(t, 60*time.Second, "the first trader's session", func() bool {
		return strings.Contains(first.Stdout(), "session ") || first.Exited()
	})
	if first.Exited() {
		t.Fatalf("first trader exited: %s", first.Stderr())
	}

	second, code := e.Run(nil, append(args, "--duration", "2s")...)
	if want := fmt.Sprintf("pid %d", first.cmd.Process.Pid); code != 1 || !strings.Contains(second.Stderr(), "in use") || !strings.Contains(second.Stderr(), want) {
		t.Errorf("second trader on the same database and instance: exit %d, stderr %s; want exit 1 naming %s", code, tail(second.Stderr(), 600), want)
	}
	other, code := e.Run(nil, append(args, "--duration", "2s", "--instance-id", "2")...)
	if code != 0 {
		t.Errorf("trader of instance 2: exit %d: %s", code, tail(other.Stderr(), 600))
	}
	first.Signal(syscall.SIGINT)
	if code := first.Wait(30 * time.Second); code != 0 {
		t.Errorf("first trader after SIGINT: exit %d", code)
	}
	states, err := filepath.Glob(filepath.Join(e.Dir, "data", "gambler", "exchange-state*.json"))
	if err != nil || len(states) != 2 {
		t.Errorf("state files of the in-process exchanges: %v, %v; want one per instance", states, err)
	}
	list, _ := e.Run(nil, "sessions", "list", "-o", "json")
	if n := strings.Count(list.Stdout(), `"session_id"`); n != 2 {
		t.Errorf("%d sessions, want 2 (the refused trader started none): %s", n, list.Stdout())
	}
}

// TestExchangeBarsFileDefaultsToMarketHours: a bars file is a real market,
// so `gambler exchange --bars-file` applies market hours unless told not to.
func TestExchangeBarsFileDefaultsToMarketHours(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("symbol,timestamp,open,high,low,close,volume\n")
	// Replay starts at the 101st stamp: Friday 2025-03-14 04:00 UTC,
	// midnight in New York, when the market is closed.
	start := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&sb, "AAPL,%s,100,101,99,100.5,1000\n", start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
	}
	bars := filepath.Join(dir, "bars.csv")
	if err := os.WriteFile(bars, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		extra []string
		open  bool
	}{{nil, false}, {[]string{"--market-hours=false"}, true}, {[]string{"--market-hours"}, false}} {
		sub := t.TempDir()
		ex := StartExchange(t, sub, append([]string{"--bars-file", bars}, c.extra...)...)
		clock, err := alpaca.NewClient(alpaca.ClientOpts{BaseURL: ex.URL, RetryLimit: -1}).GetClock()
		if err != nil {
			t.Fatal(err)
		}
		if clock.IsOpen != c.open {
			t.Errorf("exchange %v at %v: open %v, want %v", c.extra, clock.Timestamp, clock.IsOpen, c.open)
		}
		resp, err := http.Get(ex.URL + "/v2/calendar?start=2025-03-14&end=2025-03-14")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("calendar: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
	}
}
