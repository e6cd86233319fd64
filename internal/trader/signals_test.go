package trader_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/realdata"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

func logged(w *tradertest.World, msg, field, want string) bool {
	for _, m := range w.Log.Messages(msg) {
		if v, _ := m[field].(string); strings.Contains(v, want) {
			return true
		}
		if vs, ok := m[field].([]any); ok {
			for _, v := range vs {
				if v == want {
					return true
				}
			}
		}
	}
	return false
}

// TestSignalThroughItsStopIsSkipped: between a signal bar's close and the
// scan, the market falls through the stop the bar's close would have had;
// the signal is skipped with one line, and nothing is sent.
func TestSignalThroughItsStopIsSkipped(t *testing.T) {
	cfg := oneSymbol("TSLA")
	cfg.SettleDelay = 30 * time.Second
	// Only a move of 5% in five bars signals: the generated minutes never
	// make one, the test does.
	p := eager()
	p.MinPriceChangePct = decimal.NewFromInt(5)
	w := tradertest.New(t, tradertest.Options{Momentum: p, Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	start := tradertest.Monday
	// The bar 14:01-14:02 closes 10% up: an UP signal, scanned at 14:02:30.
	r.To(start.Add(70 * time.Second))
	up := w.Price("TSLA").Mul(decimal.RequireFromString("1.10")).Round(2)
	w.SetPrice("TSLA", up)
	// After its close and before its scan, the market falls 10%.
	r.To(start.Add(130 * time.Second))
	w.SetPrice("TSLA", up.Mul(decimal.RequireFromString("0.90")).Round(2))
	r.To(start.Add(155 * time.Second))
	if !logged(w, "signals not traded: the market moved through the stop since the signal", "symbols", "TSLA") {
		t.Fatalf("the signal was not skipped; log:\n%s", w.Log.Tail(20))
	}
	if n := len(w.Entries(sid)); n != 0 {
		t.Fatalf("%d entries sent for a signal whose stop the market had passed", n)
	}
}

// TestStallEvaluatesEveryBarOnce: a broker outage of three bars holds the
// scans back; when it ends the bars that closed meanwhile are evaluated in
// order, and the signals of all but the newest are logged as expired.
func TestStallEvaluatesEveryBarOnce(t *testing.T) {
	cfg := oneSymbol("AMZN")
	cfg.MaxPositions = 0
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	r.For(2 * time.Minute)
	w.Faults(1)
	r.For(3*time.Minute + 30*time.Second)
	w.Faults(0)
	r.For(time.Minute)
	if !logged(w, "signals expired: their bars closed too long ago to trade (--signal-max-age)", "symbols", "AMZN") {
		t.Fatalf("no expired signals after the outage; log:\n%s", w.Log.Tail(30))
	}
	scans := w.Log.Messages("scan")
	seen := map[string]bool{}
	total := 0
	for _, s := range scans {
		bar, _ := s["bar"].(string)
		if seen[bar] {
			t.Errorf("bars up to %s scanned twice", bar)
		}
		seen[bar] = true
		total += int(s["evaluated"].(float64))
	}
	// One bar a minute from 14:00 to the last scan, each evaluated once.
	last, _ := time.Parse(time.RFC3339, scans[len(scans)-1]["bar"].(string))
	if want := int(last.Sub(tradertest.Monday) / time.Minute); total != want {
		t.Errorf("%d bar evaluations up to %s, want %d: one per closed bar", total, last, want)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestMarketClosedWaitsForTheOpen: started on a Saturday with the market
// calendar on, the trader scans nothing until Monday's open, and its first
// entries come at the first bar close after it.
func TestMarketClosedWaitsForTheOpen(t *testing.T) {
	saturday := time.Date(2025, 3, 1, 15, 0, 0, 0, time.UTC)
	cfg := oneSymbol("META")
	cfg.Interval, cfg.CheckpointInterval = time.Hour, 6*time.Hour
	w := tradertest.New(t, tradertest.Options{Start: saturday, Momentum: eager(),
		Exchange: exchange.Config{MarketHours: true}, Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	if !r.Until(72*time.Hour, func() bool { return len(w.Entries(sid)) > 0 }) {
		t.Fatal("no entry by Monday")
	}
	e := w.Entries(sid)[0]
	created, _ := time.Parse(time.RFC3339Nano, e.CreatedAt)
	open := time.Date(2025, 3, 3, 14, 30, 0, 0, time.UTC) // 09:30 New York
	if created.Before(open) || created.After(open.Add(2*time.Minute)) {
		t.Errorf("first entry at %s, want within the first bars after the open %s", created, open)
	}
	if n := len(w.Log.Messages("scan")); n > 5 {
		t.Errorf("%d scans by the first entry: the closed market was scanned", n)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckSymbols asks the exchange about symbols: with a bars file only
// its symbols exist.
func TestCheckSymbols(t *testing.T) {
	path := realdata.BarsFile(t)
	w := tradertest.New(t, tradertest.Options{Exchange: exchange.Config{BarsFile: path}})
	c, err := trader.CheckSymbols(context.Background(), w.Broker, []string{"AAPL", "ZZZZ", "MSFT", "QQQQ"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Tradable, ",") != "AAPL,MSFT" || strings.Join(c.Bad(), ",") != "ZZZZ,QQQQ" {
		t.Errorf("check %+v", c)
	}
}

// TestUnknownSymbolMidSessionIsDropped: a symbol the broker stops knowing
// fails the bars request; it is dropped with one warning and the others
// keep trading.
func TestUnknownSymbolIsDropped(t *testing.T) {
	path := realdata.BarsFile(t)
	cfg := trader.Config{Symbols: []string{"AAPL", "NOPE"}, Interval: time.Hour, CheckpointInterval: 6 * time.Hour,
		StopLossPct: decimal.NewFromInt(2), TakeProfitPct: decimal.NewFromInt(4), PositionSize: decimal.NewFromInt(10000)}
	w := tradertest.New(t, tradertest.Options{Exchange: exchange.Config{BarsFile: path, MarketHours: true}, Trader: cfg,
		Momentum: hourly()})
	r := w.Start(tradertest.StartOptions{})
	r.For(48 * time.Hour)
	if !logged(w, "symbols the broker no longer trades are dropped from this session", "dropped", "NOPE") {
		t.Fatalf("NOPE not dropped; log:\n%s", w.Log.Tail(20))
	}
	scans := w.Log.Messages("scan")
	if len(scans) == 0 || scans[len(scans)-1]["symbols"].(float64) != 1 {
		t.Errorf("scans after the drop: %v", scans)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestYoungIntentIsNotAbandoned: an order request that timed out may still
// reach the broker, so an intent the broker does not know is abandoned only
// once it is older than the step timeout (60 s); before that, the next
// read-back looks again.
func TestYoungIntentIsNotAbandoned(t *testing.T) {
	cfg := oneSymbol("AAPL")
	cfg.Interval = 10 * time.Second
	w := tradertest.New(t, tradertest.Options{Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	now := w.Clock.Now()
	cid := orders.EntryID(sid, "AAPL", now.Add(-time.Hour))
	if _, err := w.Store.InsertOrder(context.Background(), db.Order{SessionID: sid, ClientOrderID: cid, Symbol: "AAPL",
		OrderType: "market", OrderClass: "bracket", Side: "buy", Qty: decimal.NewFromInt(1), Status: db.OrderIntent,
		Purpose: orders.PurposeEntry, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		o, err := w.Store.GetOrder(context.Background(), cid)
		if err != nil {
			t.Fatal(err)
		}
		return o.Status
	}
	r.To(now.Add(59 * time.Second))
	if s := status(); s != db.OrderIntent {
		t.Fatalf("intent 59 s old is %s, want still an intent", s)
	}
	r.To(now.Add(80 * time.Second))
	if s := status(); s != db.OrderAbandoned {
		t.Fatalf("intent 80 s old and unknown at the broker is %s, want abandoned", s)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestAnotherSessionsSymbol: two instances on one account; the second's
// signal on a symbol the first holds is not traded, and never nets into
// the first's position.
func TestAnotherSessionsSymbol(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("NFLX")})
	a := w.Start(tradertest.StartOptions{})
	if !a.Until(10*time.Minute, func() bool { return len(activePositions(t, w, a.Session.ID)) == 1 }) {
		t.Fatal("the first instance opened nothing")
	}
	w.Opts.InstanceID = 2
	b := w.Start(tradertest.StartOptions{})
	b.For(5 * time.Minute)
	if n := len(w.Entries(b.Session.ID)); n != 0 {
		t.Errorf("the second instance sent %d entries in a symbol the first holds", n)
	}
	if !logged(w, "signal ignored: another session holds this symbol on the shared account", "symbol", "NFLX") {
		t.Errorf("the second instance did not say why; log:\n%s", w.Log.Tail(20))
	}
	for _, r := range []*tradertest.Run{a, b} {
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	w.StoreMatchesExchange(a.Session.ID)
}

// TestForeignPositionIsNotTradedInto: the account holds a position that no
// session of this store explains; a signal on that symbol is refused.
func TestForeignPositionIsNotTradedInto(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("SPY")})
	if _, err := w.Broker.PlaceOrder(context.Background(), broker.OrderRequest{ClientOrderID: "by-hand-1", Symbol: "SPY",
		Side: broker.Buy, Type: broker.Market, Qty: decimal.NewFromInt(5)}); err != nil {
		t.Fatal(err)
	}
	r := w.Start(tradertest.StartOptions{})
	r.For(5 * time.Minute)
	if n := len(w.Entries(r.Session.ID)); n != 0 {
		t.Errorf("%d entries into a foreign position", n)
	}
	if !logged(w, "signals not traded: the account holds a foreign position in the symbol", "symbols", "SPY") {
		t.Errorf("no line about the foreign position; log:\n%s", w.Log.Tail(20))
	}
	start := w.Log.Messages("the account holds positions no session of this database explains: they are never traded into; see gambler reconcile-only")
	if len(start) != 1 || !logged(w, "the account holds positions no session of this database explains: they are never traded into; see gambler reconcile-only", "symbols", "SPY") {
		t.Errorf("the session's start did not name the foreign position once: %v", start)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}
