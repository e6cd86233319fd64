package chaos

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestDatabaseDeletedWhileTrading: the SQLite database and its -wal and
// -shm are removed under a trading process. It says so loudly and exits 1.
// A new `trade --auto-resume` on the fresh database finds the exchange
// holding positions no session of it explains, names their symbols at its
// start, and never trades into them.
func TestDatabaseDeletedWhileTrading(t *testing.T) {
	longRunOnly(t, "internal/trader TestDeletedDatabaseStopsTheTrader and the foreign-position signal test")
	t.Parallel()
	tl := record(t, "database files deleted while trading, then trade --auto-resume", "sqlite")
	tl.Trials, tl.Faults, tl.FaultNote = 1, 1, "rm db, db-wal, db-shm"
	e := e2e.NewEnv(t, "sqlite", "60")
	mover := moverFor(t, e)
	a := e.Start(nil, e.TradeArgs("--duration", "0")...)
	keepLog(t, "A", a)
	e.WaitForPositions(e.WaitForSession().ID, 1)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(e.DBURL + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if code := a.Wait(60 * time.Second); code != 1 || !strings.Contains(a.Stderr(), lostLease[1]) {
		t.Fatalf("A exited %d, want 1 saying the database was removed:\n%s", code, tail(a.Stderr(), 3000))
	}
	// A's exit legs are canceled so that nothing but the new trader could
	// change the positions it left.
	mover.Stop()
	if err := e.Exchange.CancelAllOrders("", ""); err != nil {
		t.Fatal(err)
	}
	foreign := heldQty(t, e)
	e.ReopenStore()
	args := e.TradeArgs("--duration", "0", "--auto-resume")
	args[2] = "AAPL,MSFT,NVDA,AMD,TSLA" // room to trade beside the foreign positions
	b := e.Start(nil, args...)
	keepLog(t, "B", b)
	waitTrading(t, b)
	if line := logLine(b.Stderr(), "the account holds positions no session of this database explains"); !namesAll(line, foreign) {
		t.Errorf("B's start did not name the foreign positions %v: %q", foreign, line)
	}
	m2 := e.Exchange.StartPriceMover([]string{"AMD", "TSLA"}, 5, 700*time.Millisecond, 11)
	time.Sleep(3 * time.Second)
	finish(t, e, b, m2)
	s := e.CheckAll(keys(foreign)...)
	for sym, qty := range heldQty(t, e) {
		if was, ok := foreign[sym]; ok && was != qty {
			t.Errorf("foreign position %s went from %s to %s", sym, was, qty)
		}
	}
	for _, o := range e.ExchangeOrders() {
		id, _ := o["client_order_id"].(string)
		if sym, _ := o["symbol"].(string); strings.HasPrefix(id, e2e.OrderPrefix(s.ID)) && foreign[sym] != "" {
			t.Errorf("B sent %s into the foreign position %s", id, sym)
		}
	}
}

// heldQty is the exchange's positions, symbol to signed quantity.
func heldQty(t *testing.T, e *e2e.Env) map[string]string {
	t.Helper()
	held, err := e.Broker.Positions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range held {
		out[p.Symbol] = p.Side + " " + p.Qty.String()
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// logLine is the first line of log that holds s, or "".
func logLine(log, s string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func namesAll(line string, syms map[string]string) bool {
	if line == "" || len(syms) == 0 {
		return false
	}
	for s := range syms {
		if !strings.Contains(line, `"`+s+`"`) {
			return false
		}
	}
	return true
}

// TestDiskFull: the SQLite database lives on a 2 MB tmpfs that fills up
// while the trader runs. The trader says "disk full" naming the file once,
// does not flap between full and answering while the disk stays full, and
// once space is freed its writes land again; the session ends completed.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	dir := dbtest.SmallDisk(t, "2m")
	tl := record(t, "disk full (2 MB tmpfs, 4 checkpoint intervals)", "sqlite")
	tl.Trials, tl.Faults, tl.FaultNote = 1, 1, "disk filled for 4 s"
	e := e2e.NewEnvAt(t, filepath.Join(dir, "gambler.db"), "60")
	mover := moverFor(t, e)
	p := e.Start(nil, e.TradeArgs("--duration", "0")...)
	keepLog(t, "trader", p)
	e.WaitForPositions(e.WaitForSession().ID, 1)
	ballast := dbtest.Fill(t, dir, 0)
	const full = `"message":"store write or read failed: disk full"`
	e2e.Eventually(t, 30*time.Second, "the trader to say the disk is full", func() bool {
		return strings.Contains(p.Stderr(), full)
	})
	time.Sleep(4 * time.Second)
	log := p.Stderr()
	if n := strings.Count(log, full); n != 1 {
		t.Errorf("disk full said %d times, want once", n)
	}
	if line := logLine(log, full); !strings.Contains(line, e.DBURL) {
		t.Errorf("the disk-full line does not name %s: %s", e.DBURL, line)
	}
	if n := strings.Count(log[strings.Index(log, full):], "store answering again"); n != 0 {
		t.Errorf("the store was said to answer again %d times while the disk stayed full", n)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	e2e.Eventually(t, 30*time.Second, "the store to answer again", func() bool {
		return strings.Contains(p.Stderr(), "store answering again")
	})
	finish(t, e, p, mover)
	e.CheckAll()
}
