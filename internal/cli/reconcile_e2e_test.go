package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/cli"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// recEnv is one store, one in-process exchange and one session whose
// drifts are created by hand at the exchange and in the store.
type recEnv struct {
	t     *testing.T
	ctx   context.Context
	url   string // exchange
	dbURL string
	store db.Store
	brk   *broker.Client
	sid   string
	seq   int64
}

type recOut struct {
	SessionID string `json:"session_id"`
	Items     []struct {
		Class, Symbol, Order, Store, Broker, Action, Result string
	} `json:"items"`
	Summary map[string]int `json:"summary"`
}

func newRecEnv(t *testing.T, dbURL string) *recEnv {
	ctx, cancel := context.WithCancel(context.Background())
	ready, errc := make(chan string, 1), make(chan error, 1)
	go func() {
		errc <- exchange.Run(ctx, exchange.Config{Seed: 3, Logger: zerolog.Nop()}, "127.0.0.1:0", func(u string) { ready <- u })
	}()
	var url string
	select {
	case url = <-ready:
	case err := <-errc:
		t.Fatalf("exchange: %v", err)
	}
	t.Cleanup(func() { cancel(); <-errc })
	store, err := dbopen.Open(ctx, dbURL, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	brk, err := broker.New(broker.Config{BaseURL: url, DataURL: url, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	e := &recEnv{t: t, ctx: ctx, url: url, dbURL: dbURL, store: store, brk: brk, seq: 1}
	e.sid = e.newSession()
	return e
}

func (e *recEnv) newSession() string {
	id := uuid.NewString()
	now := time.Now().UTC()
	settings, _ := json.Marshal(map[string]string{"symbols": "AAPL", "duration": "1", "exchange-url": e.url,
		"stop-loss-pct": "2", "take-profit-pct": "4", "interval": "60", "checkpoint-interval": "30"})
	if err := e.store.CreateSession(e.ctx, db.Session{ID: id, InstanceID: 1, StrategyName: "momentum",
		Status: db.StatusCrashed, StartTime: now.Add(-time.Hour), Symbols: []string{"AAPL"}, DurationMinutes: 1,
		ScanIntervalSeconds: 60, CreatedAt: now, UpdatedAt: now, Settings: settings}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// gambler runs the CLI in-process and returns its exit code and stdout.
func (e *recEnv) gambler(args ...string) (int, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--database-url", e.dbURL, "--exchange-url", e.url, "--log-format", "json")
	code := cli.Main(e.ctx, args, &cli.App{IO: cli.IOStreams{Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }})
	if code != 0 && code != 3 {
		e.t.Logf("gambler %v: exit %d\n%s\n%s", args, code, out.String(), errOut.String())
	}
	return code, out.String()
}

// reconcile runs reconcile-only with JSON output and checks the exit code.
func (e *recEnv) reconcile(wantCode int, extra ...string) recOut {
	e.t.Helper()
	code, stdout := e.gambler(append([]string{"reconcile-only", "--session", e.sid, "--output", "json"}, extra...)...)
	if code != wantCode {
		e.t.Fatalf("reconcile-only %v: exit %d, want %d\n%s", extra, code, wantCode, stdout)
	}
	var out recOut
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		e.t.Fatalf("reconcile-only output: %v\n%s", err, stdout)
	}
	if out.SessionID != e.sid || len(out.Summary) != len(reconcile.Classes) {
		e.t.Fatalf("output header: %+v", out)
	}
	return out
}

// drift checks the whole cycle for one drift: the dry run reports each
// wanted class (and changes nothing), the run fixes it, and a second run
// has nothing to do.
func (e *recEnv) drift(want ...string) recOut {
	e.t.Helper()
	before := e.snapshot()
	dry := e.reconcile(0, "--dry-run")
	e.expectItems(dry, want, "planned")
	if after := e.snapshot(); after != before {
		e.t.Fatalf("dry run changed the store:\n%s\n%s", before, after)
	}
	fixed := e.reconcile(0)
	e.expectItems(fixed, want, "done")
	e.expectAgreement()
	return fixed
}

func (e *recEnv) expectAgreement() {
	e.t.Helper()
	if again := e.reconcile(0); len(again.Items) != 0 {
		e.t.Fatalf("second reconcile is not empty: %+v", again.Items)
	}
}

// expectItems checks that every wanted "class:symbol" is among the items
// with a result starting with result.
func (e *recEnv) expectItems(out recOut, want []string, result string) {
	e.t.Helper()
	for _, w := range want {
		found := false
		for _, it := range out.Items {
			if it.Class+":"+it.Symbol == w && strings.HasPrefix(it.Result, result) {
				found = true
			}
		}
		if !found {
			e.t.Fatalf("no %s item with result %q in %+v", w, result, out.Items)
		}
	}
}

// snapshot renders the session's positions and journal.
func (e *recEnv) snapshot() string {
	ps, err := e.store.Positions(e.ctx, e.sid)
	if err != nil {
		e.t.Fatal(err)
	}
	os, err := e.store.SessionOrders(e.ctx, e.sid, false)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s %s %s %s %s|", p.Symbol, p.Status, p.Qty, p.ExitReason, p.ExitPrice.Decimal)
	}
	for _, o := range os {
		fmt.Fprintf(&b, "%s %s %s|", o.ClientOrderID, o.Status, o.FilledQty)
	}
	return b.String()
}

func (e *recEnv) setPrice(sym, price string) {
	body, _ := json.Marshal(map[string]string{"symbol": sym, "price": price})
	resp, err := http.Post(e.url+"/sim/v1/price", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
}

// journalIntent writes an entry intent the way the trader does before it
// sends the order.
func (e *recEnv) journalIntent(sym string, qty int64, stop, target string) db.Order {
	cid := orders.Prefix(e.sid) + fmt.Sprint(e.seq)
	o := db.Order{SessionID: e.sid, ClientOrderID: cid, Seq: e.seq, Symbol: sym, OrderType: "market",
		OrderClass: "bracket", Side: "buy", Qty: decimal.NewFromInt(qty), StopLossPrice: nd(stop),
		TakeProfitPrice: nd(target), Status: db.OrderIntent, Purpose: orders.PurposeEntry,
		CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	e.seq++
	if _, err := e.store.InsertOrder(e.ctx, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

// sendIntent sends a journaled intent and "crashes" before recording it.
func (e *recEnv) sendIntent(o db.Order) {
	if _, err := e.brk.PlaceOrder(e.ctx, broker.OrderRequest{ClientOrderID: o.ClientOrderID, Symbol: o.Symbol,
		Side: broker.Buy, Type: broker.Market, OrderClass: broker.Bracket, Qty: o.Qty,
		TakeProfitLimit: o.TakeProfitPrice, StopLossStop: o.StopLossPrice}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *recEnv) active(sym string) (db.Position, bool) {
	ps, err := e.store.ActivePositions(e.ctx, e.sid)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Symbol == sym {
			return p, true
		}
	}
	return db.Position{}, false
}

func (e *recEnv) liveExits(sym string) (stop, target int) {
	open, err := e.brk.Orders(e.ctx, broker.ListOrders{Status: "open", Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range open {
		if o.Symbol == sym && o.Side == broker.Sell {
			switch o.Type {
			case broker.Stop:
				stop++
			case broker.Limit:
				target++
			}
		}
	}
	return stop, target
}

// cancelExits cancels the live sell orders of sym, of the given types (all
// when none are given).
func (e *recEnv) cancelExits(sym string, types ...broker.OrderType) {
	e.t.Helper()
	open, err := e.brk.Orders(e.ctx, broker.ListOrders{Status: "open", Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range open {
		if o.Symbol != sym || o.Side != broker.Sell || (len(types) > 0 && !slices.Contains(types, o.Type)) {
			continue
		}
		if err := e.brk.CancelOrder(e.ctx, o.ID); err != nil && !strings.Contains(err.Error(), "not cancelable") {
			e.t.Fatal(err)
		}
	}
}

func nd(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }

func eachStore(t *testing.T, f func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "gambler.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, dbtest.CreatePostgresDB(t)) })
}

// TestReconcileOnlyFixesEveryDrift creates each drift at the exchange and
// in the store, and checks dry run, fix and empty second run for each.
func TestReconcileOnlyFixesEveryDrift(t *testing.T) {
	eachStore(t, func(t *testing.T, dbURL string) {
		e := newRecEnv(t, dbURL)
		for _, s := range []string{"AAPL", "MSFT", "NVDA", "TSLA"} {
			e.setPrice(s, "100")
		}
		e.expectAgreement()

		// Killed between placing and recording: the intent is journaled,
		// the bracket filled at the exchange, nothing else recorded.
		e.sendIntent(e.journalIntent("AAPL", 10, "90", "110"))
		e.drift("order_status:AAPL", "unknown_order:AAPL")
		if p, ok := e.active("AAPL"); !ok || !p.Qty.Equal(decimal.NewFromInt(10)) || !p.StopLoss.Decimal.Equal(decimal.NewFromInt(90)) {
			t.Fatalf("AAPL position after fix: %+v %v", p, ok)
		}

		// An intent that never reached the broker is abandoned, not resent.
		lost := e.journalIntent("TSLA", 1, "90", "110")
		e.drift("unacknowledged_intent:TSLA")
		if o, _ := e.store.GetOrder(e.ctx, lost.ClientOrderID); o.Status != db.OrderAbandoned {
			t.Fatalf("lost intent status %q", o.Status)
		}
		if _, err := e.brk.OrderByClientID(e.ctx, lost.ClientOrderID); err == nil {
			t.Fatal("abandoned intent was sent")
		}

		// A stop leg canceled at the exchange (which cancels its sibling).
		e.cancelExits("AAPL", broker.Stop)
		e.drift("missing_exits:AAPL")
		if stop, target := e.liveExits("AAPL"); stop != 1 || target != 1 {
			t.Fatalf("AAPL live exits after repair: stop %d target %d", stop, target)
		}
		if o, err := e.store.GetOrder(e.ctx, orders.RepairID(e.sid, mustActive(e, "AAPL").ID, 1)); err != nil || o.Purpose != orders.PurposeRepair {
			t.Fatalf("repair order journal: %+v %v", o, err)
		}

		// A position opened by hand is adopted and protected.
		if _, err := e.brk.PlaceOrder(e.ctx, broker.OrderRequest{ClientOrderID: "by-hand-1", Symbol: "MSFT",
			Side: broker.Buy, Type: broker.Market, Qty: decimal.NewFromInt(5)}); err != nil {
			t.Fatal(err)
		}
		e.drift("unknown_position:MSFT")
		if p, ok := e.active("MSFT"); !ok || !p.Qty.Equal(decimal.NewFromInt(5)) || !p.EntryPrice.IsPositive() {
			t.Fatalf("MSFT adopted: %+v %v", p, ok)
		}
		if stop, target := e.liveExits("MSFT"); stop != 1 || target != 1 {
			t.Fatalf("MSFT exits: stop %d target %d", stop, target)
		}

		// A quantity changed by a partial close (the exits hold the shares,
		// so they are canceled first, as a person in the dashboard would).
		e.cancelExits("MSFT")
		if _, err := e.brk.ClosePosition(e.ctx, "MSFT", broker.CloseOptions{Qty: decimal.NewFromInt(2)}); err != nil {
			t.Fatal(err)
		}
		e.drift("qty_mismatch:MSFT", "missing_exits:MSFT")
		if p := mustActive(e, "MSFT"); !p.Qty.Equal(decimal.NewFromInt(3)) {
			t.Fatalf("MSFT qty %s", p.Qty)
		}

		// A position closed by hand is closed with the real fill price; the
		// exits it leaves behind are canceled.
		e.cancelExits("MSFT")
		closing, err := e.brk.ClosePosition(e.ctx, "MSFT", broker.CloseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		e.drift("position_gone:MSFT")
		ps, _ := e.store.Positions(e.ctx, e.sid)
		for _, p := range ps {
			if p.Symbol == "MSFT" && (p.Status != db.PositionClosed || p.ExitReason != orders.ReasonClosedAtBroker || !p.ExitPrice.Valid || !p.PnL.Valid) {
				t.Fatalf("MSFT closed: %+v (close order %+v)", p, closing)
			}
		}
		if stop, target := e.liveExits("MSFT"); stop+target != 0 {
			t.Fatalf("orphaned MSFT exits left: stop %d target %d", stop, target)
		}

		// A position of another session on the shared account is foreign:
		// reported and left alone, and not a failure (several instances
		// share one account by design).
		otherSID := e.newSession()
		if _, err := e.brk.PlaceOrder(e.ctx, broker.OrderRequest{ClientOrderID: orders.Prefix(otherSID) + "1",
			Symbol: "NVDA", Side: broker.Buy, Type: broker.Market, OrderClass: broker.Bracket, Qty: decimal.NewFromInt(3),
			TakeProfitLimit: nd("110"), StopLossStop: nd("90")}); err != nil {
			t.Fatal(err)
		}
		before := e.snapshot()
		out := e.reconcile(0)
		e.expectItems(out, []string{"foreign:NVDA"}, reconcile.ResultLeftAlone)
		if len(out.Items) != 1 || e.snapshot() != before {
			t.Fatalf("foreign position touched: %+v", out.Items)
		}
	})
}

func mustActive(e *recEnv, sym string) db.Position {
	p, ok := e.active(sym)
	if !ok {
		e.t.Fatalf("no active %s position", sym)
	}
	return p
}

// TestResumeReconciles checks that resume runs the same reconcile: it fixes
// drifts before trading, and refuses a side mismatch. (--force reaches the
// trader once trade.go calls ResumeWith; see internal/trader/resume.go.)
func TestResumeReconciles(t *testing.T) {
	eachStore(t, func(t *testing.T, dbURL string) {
		e := newRecEnv(t, dbURL)
		for _, s := range []string{"AAPL", "MSFT"} {
			e.setPrice(s, "100")
		}
		e.sendIntent(e.journalIntent("AAPL", 10, "90", "110"))
		e.journalIntent("TSLA", 1, "90", "110")
		if _, err := e.brk.PlaceOrder(e.ctx, broker.OrderRequest{ClientOrderID: "by-hand-2", Symbol: "MSFT",
			Side: broker.Buy, Type: broker.Market, Qty: decimal.NewFromInt(5)}); err != nil {
			t.Fatal(err)
		}
		e.reconcile(0, "--dry-run")
		if code, _ := e.gambler("resume-session", e.sid); code != 0 {
			t.Fatalf("resume: exit %d", code)
		}
		e.expectAgreement()
		if _, ok := e.active("AAPL"); !ok {
			t.Fatal("resume did not record the AAPL fill")
		}
		if _, ok := e.active("MSFT"); !ok {
			t.Fatal("resume did not adopt MSFT")
		}

		// Side mismatch: the store is long AAPL, the broker short.
		e.cancelExits("AAPL")
		if _, err := e.brk.ClosePosition(e.ctx, "AAPL", broker.CloseOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.brk.PlaceOrder(e.ctx, broker.OrderRequest{ClientOrderID: "by-hand-3", Symbol: "AAPL",
			Side: broker.Sell, Type: broker.Market, Qty: decimal.NewFromInt(4)}); err != nil {
			t.Fatal(err)
		}
		before := e.snapshot()
		out := e.reconcile(3, "--dry-run")
		e.expectItems(out, []string{"side_mismatch:AAPL"}, reconcile.ResultNeedsPerson)
		if code, _ := e.gambler("resume-session", e.sid); code == 0 {
			t.Fatal("resume continued over a side mismatch")
		}
		if e.snapshot() != before {
			t.Fatal("a refused resume changed the store")
		}
	})
}
