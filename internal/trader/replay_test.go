package trader_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/realdata"
	"github.com/gambler-trader/gambler/internal/strategy"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// replayWeeks is how much market time the replay covers: half a year, or
// eight weeks under the race detector.
func replayWeeks() int {
	if raceEnabled {
		return 8
	}
	return 26
}

// TestReplayTradesWhatTheRuleSays replays the shared year of real hourly
// bars through the simulated exchange with the real trader, and holds the
// trader to the momentum rule computed offline from the same file: every
// entry is on a signal, at its bar's close plus the settle delay; nearly
// every signal on which the session was flat got its entry; no bar was
// acted on twice.
func TestReplayTradesWhatTheRuleSays(t *testing.T) {
	path := realdata.BarsFile(t)
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) { replay(t, driver, path) })
	}
}

type barKey struct {
	symbol string
	bar    time.Time
}

func replay(t *testing.T, driver, path string) {
	params := strategy.DefaultMomentumParams()
	params.Timeframe = "1Hour"
	file := realdata.Load(t, path)
	symbols := make([]string, 0, len(file))
	for s := range file {
		symbols = append(symbols, s)
	}
	sort.Strings(symbols)
	const settle = 3 * time.Second
	w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: &params,
		Exchange: exchange.Config{BarsFile: path, MarketHours: true},
		Trader: trader.Config{Symbols: symbols, Interval: time.Hour, CheckpointInterval: 6 * time.Hour,
			SettleDelay: settle}})
	clk, err := w.Broker.Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	begin := clk.Timestamp
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	r.For(time.Duration(replayWeeks()) * 7 * 24 * time.Hour)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	clk, err = w.Broker.Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	end := clk.Timestamp

	strat, err := strategy.NewMomentum(params)
	if err != nil {
		t.Fatal(err)
	}
	signals := offlineSignals(strat, file, begin, end.Add(-time.Hour))
	entries := map[barKey]tradertest.ExchangeOrder{}
	for _, o := range w.Entries(sid) {
		sym, bar, _ := orders.EntryBar(sid, o.ClientOrderID)
		k := barKey{sym, bar}
		if _, twice := entries[k]; twice {
			t.Errorf("bar %s %s acted on twice", sym, bar)
		}
		entries[k] = o
		if _, ok := signals[k]; !ok {
			t.Errorf("entry %s on %s %s: the rule gives no signal on that bar", o.ClientOrderID, sym, bar)
		}
	}
	held := holdings(w.ExchangeOrders(), sid)
	cal := calendarOf(t, w.URL, begin, end)
	var due, missed []string
	for k := range signals {
		closeAt := k.bar.Add(time.Hour)
		at, ok := cal.scanOf(closeAt, settle)
		if !ok || at.Sub(closeAt) > time.Hour || held(k.symbol, at.Add(-time.Nanosecond)) {
			continue
		}
		due = append(due, fmt.Sprint(k))
		e, entered := entries[k]
		if !entered {
			missed = append(missed, fmt.Sprintf("%s %s", k.symbol, k.bar.Format(time.RFC3339)))
			continue
		}
		if created, _ := time.Parse(time.RFC3339Nano, e.CreatedAt); created.Before(at) || created.After(at.Add(time.Second)) {
			t.Errorf("entry on %s %s placed at %s, want at its scan, %s", k.symbol, k.bar, created, at)
		}
	}
	t.Logf("replayed %s to %s: %d signals, %d due (flat, market open at the close), %d entries, %d missed",
		begin.Format(time.RFC3339), end.Format(time.RFC3339), len(signals), len(due), len(entries), len(missed))
	if len(missed) > 0 {
		t.Logf("missed: %v", missed)
	}
	if len(due) < 2*replayWeeks()/3 {
		t.Fatalf("only %d signals were due in the replay: too few to judge the trader", len(due))
	}
	if float64(len(due)-len(missed)) < 0.95*float64(len(due)) {
		t.Errorf("%d of %d due signals got no entry (want at least 95%% entered): %v", len(missed), len(due), missed)
	}
	rejected := map[string]int{}
	for _, o := range journal(t, w, sid) {
		if o.Purpose == orders.PurposeEntry && o.Status == "rejected" {
			rejected[o.Symbol+o.ClientOrderID]++
		}
	}
	for k, n := range rejected {
		if n > 1 {
			t.Errorf("entry %s rejected %d times", k, n)
		}
	}
	w.StoreMatchesExchange(sid)
}

// offlineSignals runs the rule over the file the way the trader must: on
// the last Lookback bars at every bar, whatever lies between them.
func offlineSignals(s strategy.Strategy, file map[string][]strategy.Bar, from, to time.Time) map[barKey]strategy.Signal {
	out := map[barKey]strategy.Signal{}
	for sym, bars := range file {
		for i, b := range bars {
			if b.Time.Before(from) || b.Time.After(to) {
				continue
			}
			if sig, ok := s.Evaluate(sym, bars[max(0, i+1-s.Lookback()):i+1]); ok {
				out[barKey{sym, b.Time}] = sig
			}
		}
	}
	return out
}

// sessions are the market's open and close per trading day, as the
// exchange's /v2/calendar serves them (NYSE holidays and early closes).
type sessions []struct{ open, close time.Time }

func calendarOf(t *testing.T, baseURL string, from, to time.Time) sessions {
	t.Helper()
	days, err := alpaca.NewClient(alpaca.ClientOpts{BaseURL: baseURL}).GetCalendar(alpaca.GetCalendarRequest{
		Start: from.AddDate(0, 0, -7), End: to.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatalf("calendar: %v", err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	var out sessions
	for _, d := range days {
		open, err1 := time.ParseInLocation("2006-01-02 15:04", d.Date+" "+d.Open, ny)
		shut, err2 := time.ParseInLocation("2006-01-02 15:04", d.Date+" "+d.Close, ny)
		if err1 != nil || err2 != nil {
			t.Fatalf("calendar day %+v: %v %v", d, err1, err2)
		}
		out = append(out, struct{ open, close time.Time }{open.UTC(), shut.UTC()})
	}
	return out
}

// scanOf is when the trader evaluates the bar that closes at closeAt: at
// the close plus the settle delay while the market is open then, else at
// the next open plus the settle delay.
func (cal sessions) scanOf(closeAt time.Time, settle time.Duration) (time.Time, bool) {
	at := closeAt.Add(settle)
	for _, s := range cal {
		if !at.Before(s.open) && at.Before(s.close) {
			return at, true
		}
		if s.open.After(at) {
			return s.open.Add(settle), true
		}
	}
	return time.Time{}, false
}

// holdings returns whether the session held a position in a symbol at a
// market instant, from the exchange's own fills: from the entry's fill to
// the fill of the leg that closed it.
func holdings(all []tradertest.ExchangeOrder, sid string) func(string, time.Time) bool {
	type span struct{ from, to time.Time }
	spans := map[string][]span{}
	parse := func(s *string) time.Time {
		if s == nil {
			return time.Time{}
		}
		t, _ := time.Parse(time.RFC3339Nano, *s)
		return t
	}
	var entries []tradertest.ExchangeOrder
	for _, o := range all {
		if _, _, ok := orders.EntryBar(sid, o.ClientOrderID); ok && o.FilledAt != nil {
			entries = append(entries, o)
		}
	}
	for _, e := range entries {
		from := parse(e.FilledAt)
		to := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, o := range all {
			if o.Symbol == e.Symbol && o.Side != e.Side && o.FilledAt != nil {
				if f := parse(o.FilledAt); !f.Before(from) && f.Before(to) {
					to = f
				}
			}
		}
		spans[e.Symbol] = append(spans[e.Symbol], span{from, to})
	}
	return func(sym string, at time.Time) bool {
		for _, s := range spans[sym] {
			if !at.Before(s.from) && !at.After(s.to) {
				return true
			}
		}
		return false
	}
}
