package trader_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// TestCrashAndResume kills the trader at each point of the order path, as
// kill -9 would, lets market time run on while nothing trades, and
// resumes: the order in flight is resolved by its client_order_id, no bar
// is entered twice, the bars that closed meanwhile are evaluated in order
// (the stale ones expire), and the store matches the exchange.
func TestCrashAndResume(t *testing.T) {
	cases := []struct {
		point      string
		reached    bool   // the order in flight reached the exchange
		wantStatus string // its journal status after the resume
	}{
		{failpoint.AfterIntent, false, db.OrderAbandoned},
		{failpoint.AfterSend, true, "filled"},
		{failpoint.AfterAck, true, "filled"},
		{failpoint.AfterFillObserved, true, "filled"},
		{failpoint.InCheckpoint, true, "filled"},
	}
	for _, driver := range []string{"sqlite", "postgres"} {
		for _, c := range cases {
			t.Run(driver+"/"+c.point, func(t *testing.T) {
				w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: oneSymbol("NVDA")})
				r := w.Start(tradertest.StartOptions{Failpoints: []string{c.point}})
				sid := r.Session.ID
				if !r.Until(30*time.Minute, r.Done) || !r.Killed() {
					t.Fatalf("the trader did not die at %s", c.point)
				}
				r.Crash()
				first := firstEntry(t, w, sid)
				atExchange := false
				for _, o := range w.ExchangeOrders() {
					atExchange = atExchange || o.ClientOrderID == first.ClientOrderID
				}
				if atExchange != c.reached && c.point != failpoint.InCheckpoint {
					t.Fatalf("order %s at the exchange: %v, want %v", first.ClientOrderID, atExchange, c.reached)
				}
				// Nobody trades for three bars.
				w.Clock.Advance(3 * time.Minute)
				r2 := w.Resume(sid, tradertest.StartOptions{})
				r2.For(5 * time.Minute)
				if err := r2.Stop(); err != nil {
					t.Fatal(err)
				}
				got, err := w.Store.GetOrder(context.Background(), first.ClientOrderID)
				if err != nil {
					t.Fatal(err)
				}
				if c.point != failpoint.InCheckpoint && got.Status != c.wantStatus {
					t.Errorf("journal status of %s after the resume: %s, want %s", got.ClientOrderID, got.Status, c.wantStatus)
				}
				bars := map[string]int{}
				for _, o := range journal(t, w, sid) {
					if o.Purpose == orders.PurposeEntry {
						sym, bar, _ := orders.EntryBar(sid, o.ClientOrderID)
						bars[sym+bar.String()]++
					}
				}
				for k, n := range bars {
					if n > 1 {
						t.Errorf("bar %s entered %d times", k, n)
					}
				}
				w.StoreMatchesExchange(sid)
				if s := sessionRow(t, w, sid); s.Status != db.StatusCompleted {
					t.Errorf("session %s after the resumed run stopped", s.Status)
				}
			})
		}
	}
}

// TestResumeEvaluatesTheBarsItMissed: bars that closed while no process
// traded the session are evaluated at the resume, in order; their signals
// are older than one bar, so they expire instead of trading.
func TestResumeEvaluatesTheBarsItMissed(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("AMD")})
	// Killed in its second checkpoint: the first one, five minutes in,
	// says which bars were scanned.
	r := w.Start(tradertest.StartOptions{Failpoints: []string{failpoint.InCheckpoint + ":2"}})
	sid := r.Session.ID
	if !r.Until(time.Hour, r.Done) || !r.Killed() {
		t.Fatal("the trader did not die in its second checkpoint")
	}
	r.Crash()
	w.Clock.Advance(10 * time.Minute)
	before := len(w.Log.Messages("signals expired: their bars closed too long ago to trade (--signal-max-age)"))
	r2 := w.Resume(sid, tradertest.StartOptions{})
	r2.For(time.Second)
	expired := w.Log.Messages("signals expired: their bars closed too long ago to trade (--signal-max-age)")
	if len(expired) <= before {
		t.Fatalf("the bars closed while nobody traded were not evaluated at the resume; log:\n%s", w.Log.Tail(30))
	}
	if err := r2.Stop(); err != nil {
		t.Fatal(err)
	}
}

func firstEntry(t *testing.T, w *tradertest.World, sid string) db.Order {
	t.Helper()
	for _, o := range journal(t, w, sid) {
		if o.Purpose == orders.PurposeEntry {
			return o
		}
	}
	t.Fatalf("no entry in the journal; log:\n%s", w.Log.Tail(30))
	return db.Order{}
}

// TestCompletedSessionIsReopenedOnlyOnPurpose: a completed session is not
// resumed; reopened on purpose it trades again, and its first checkpoint
// keeps the previous run's end for the history.
func TestCompletedSessionIsReopenedOnlyOnPurpose(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("AAPL")})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	r.For(5 * time.Minute)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	first := sessionRow(t, w, sid)
	var completed *session.CompletedError
	if _, err := w.TryResume(sid, tradertest.StartOptions{}); !errors.As(err, &completed) {
		t.Fatalf("resume of a completed session: %v, want *session.CompletedError", err)
	}
	w.Clock.Advance(time.Hour)
	r2 := w.Resume(sid, tradertest.StartOptions{Reopen: true})
	r2.For(2 * time.Minute)
	if err := r2.Stop(); err != nil {
		t.Fatal(err)
	}
	metas, err := w.Store.ListCheckpoints(context.Background(), sid, 100)
	if err != nil {
		t.Fatal(err)
	}
	var reopen *db.CheckpointMeta
	for i := range metas {
		if metas[i].Trigger == db.TriggerReopen {
			reopen = &metas[i]
		}
	}
	if reopen == nil {
		t.Fatalf("no reopen checkpoint among %d", len(metas))
	}
	cp, err := w.Store.GetCheckpoint(context.Background(), reopen.ID)
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		PreviousRun struct {
			EndTime     string      `json:"end_time"`
			PnL         json.Number `json:"pnl"`
			TotalTrades int         `json:"total_trades"`
		} `json:"previous_run"`
	}
	if err := json.Unmarshal(cp.AccountSnapshot, &acct); err != nil {
		t.Fatal(err)
	}
	if acct.PreviousRun.EndTime != first.EndTime.UTC().Format(time.RFC3339Nano) ||
		acct.PreviousRun.PnL.String() != first.PnL.Decimal.String() || acct.PreviousRun.TotalTrades != first.TotalTrades {
		t.Errorf("previous run %+v, want the first run's end %s, pnl %s, trades %d", acct.PreviousRun,
			first.EndTime, first.PnL.Decimal, first.TotalTrades)
	}
	if again := sessionRow(t, w, sid); again.Status != db.StatusCompleted || !again.EndTime.After(*first.EndTime) {
		t.Errorf("after the reopened run: %s ended %v", again.Status, again.EndTime)
	}
}

// TestMarketTimeBackwardsIsRefused: a checkpoint whose market time is more
// than a day ahead of the broker's clock (another exchange, another state
// file) stops the resume loudly before anything changes; --force resumes.
func TestMarketTimeBackwardsIsRefused(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("AAPL")})
	r := w.Start(tradertest.StartOptions{Failpoints: []string{failpoint.InCheckpoint + ":2"}})
	sid := r.Session.ID
	if !r.Until(time.Hour, r.Done) || !r.Killed() {
		t.Fatal("no crash")
	}
	r.Crash()
	future := w.Clock.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339Nano)
	if _, err := w.Store.CreateCheckpoint(context.Background(), db.CheckpointInput{SessionID: sid,
		CheckpointTime: w.Clock.Now(), Trigger: db.TriggerManual,
		AccountSnapshot: []byte(`{"portfolio_value":100000,"buying_power":200000,"cash":100000,"timestamp":"` + future + `","market_time":"` + future + `"}`)}); err != nil {
		t.Fatal(err)
	}
	run, err := w.TryResume(sid, tradertest.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Wait(time.Minute); !errors.Is(err, trader.ErrMarketTimeBackwards) {
		t.Fatalf("resume: %v, want ErrMarketTimeBackwards", err)
	}
	run.Crash()
	forced := w.Resume(sid, tradertest.StartOptions{Force: true})
	forced.For(time.Minute)
	if err := forced.Stop(); err != nil {
		t.Fatal(err)
	}
}
