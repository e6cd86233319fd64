package chaos

import (
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// symbols are the ones e2e.Env.TradeArgs trades.
var symbols = []string{"AAPL", "MSFT", "NVDA"}

// newRand returns a random source seeded from GAMBLER_CHAOS_SEED or the
// clock; the seed is logged so that a failure can be replayed.
func newRand(t *testing.T) *rand.Rand {
	seed := time.Now().UnixNano()
	if s := os.Getenv("GAMBLER_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("GAMBLER_CHAOS_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("random seed %d (replay with GAMBLER_CHAOS_SEED=%d)", seed, seed)
	return rand.New(rand.NewSource(seed))
}

// moverFor keeps prices moving by 5% so that brackets fill and the trader
// re-enters; it stops when the test ends.
func moverFor(t *testing.T, e *e2e.Env) *e2e.PriceMover {
	m := e.Exchange.StartPriceMover(symbols, 5, 700*time.Millisecond, 11)
	t.Cleanup(func() { m.Stop() })
	return m
}

// waitTrading waits until a trader or resume has taken its session,
// printed it and filled its bar cache: from then on it scans every bar.
func waitTrading(t *testing.T, p *e2e.Proc) {
	t.Helper()
	e2e.Eventually(t, 60*time.Second, "the trader to print its session and fill its bar cache", func() bool {
		if p.Exited() {
			t.Fatalf("trader exited before trading:\n%s", tail(p.Stderr(), 3000))
		}
		return strings.Contains(p.Stdout(), "session ") && strings.Contains(p.Stderr(), `"message":"bar cache filled"`)
	})
}

// finish ends a session the way the invariants can judge it: prices stop
// moving, SIGINT, a clean exit, and then every open order at the exchange
// is canceled so that no bracket leg fills after the trader's last look.
// It returns the number of price moves made.
func finish(t *testing.T, e *e2e.Env, p *e2e.Proc, mover *e2e.PriceMover) int64 {
	t.Helper()
	var moves int64
	if mover != nil {
		moves = mover.Stop()
	}
	stop(t, p)
	if err := e.Exchange.CancelAllOrders("", ""); err != nil {
		t.Fatal(err)
	}
	return moves
}

// stop sends SIGINT and wants a clean exit.
func stop(t *testing.T, p *e2e.Proc) {
	t.Helper()
	p.Signal(syscall.SIGINT)
	if code := p.Wait(60 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGINT:\n%s", code, tail(p.Stderr(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// forDrivers runs body as a parallel subtest on every store; the calling
// test runs in parallel with the others too.
func forDrivers(t *testing.T, body func(t *testing.T, driver string)) {
	t.Parallel()
	for _, driver := range e2e.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			body(t, driver)
		})
	}
}

// keepLog writes the process's whole stderr to $GAMBLER_CHAOS_LOGDIR when
// the test fails; the harness itself only shows its tail.
func keepLog(t *testing.T, name string, p *e2e.Proc) {
	dir := os.Getenv("GAMBLER_CHAOS_LOGDIR")
	if dir == "" {
		return
	}
	t.Cleanup(func() {
		if t.Failed() {
			path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()+"-"+name)+".log")
			_ = os.WriteFile(path, []byte(p.Stderr()), 0o644)
		}
	})
}

// keepRows writes every table row to $GAMBLER_CHAOS_LOGDIR when the test
// fails, before the database is dropped.
func keepRows(t *testing.T, e *e2e.Env) {
	dir := os.Getenv("GAMBLER_CHAOS_LOGDIR")
	if dir == "" {
		return
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		rows, err := e.RawRows()
		if err != nil {
			t.Logf("dump rows: %v", err)
		}
		path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-rows.txt")
		_ = os.WriteFile(path, []byte(strings.Join(rows, "\n")), 0o644)
	})
}

// longRunOnly skips a trial outside make chaos; ciCoverage names the
// in-process tests that cover its behaviour in CI.
func longRunOnly(t *testing.T, ciCoverage string) {
	t.Helper()
	if !longRun {
		t.Skip("runs in the long run (make chaos); CI covers it with " + ciCoverage)
	}
}
