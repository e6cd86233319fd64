package trader_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// TestLostLeaseStopsTheTrader: the lease is taken from a running trader
// without its knowing (the lock file removed on SQLite, the lock's
// connection killed on PostgreSQL) and another process resumes the
// session. The first trader stops, sends nothing more, and what it may
// still have tried to write is refused; the store matches the exchange.
func TestLostLeaseStopsTheTrader(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			cfg := oneSymbol("AAPL")
			cfg.Symbols = []string{"AAPL", "MSFT", "NVDA"}
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: cfg})
			a := w.Start(tradertest.StartOptions{})
			sid := a.Session.ID
			if !a.Until(10*time.Minute, func() bool { return len(activePositions(t, w, sid)) > 0 }) {
				t.Fatal("no position opened")
			}
			w.LoseLease(sid)
			b := w.Resume(sid, tradertest.StartOptions{})
			err := a.Wait(10 * time.Minute)
			var held *db.LeaseHeldError
			if !errors.As(err, &held) && !errors.Is(err, db.ErrStoreReplaced) && !errors.Is(err, db.ErrFenced) {
				t.Fatalf("the first trader returned %v, want a lost lease", err)
			}
			b.For(5 * time.Minute)
			if err := b.Stop(); err != nil {
				t.Fatal(err)
			}
			w.EveryOrderJournaled(sid)
			w.StoreMatchesExchange(sid)
			if s := sessionRow(t, w, sid); s.Status != db.StatusCompleted {
				t.Errorf("session %s after the second trader stopped", s.Status)
			}
		})
	}
}

// TestDeletedDatabaseStopsTheTrader: the SQLite database's files are
// removed while the trader runs. It notices at its next lease check, says
// so loudly and stops with an error (exit 1), instead of writing on into
// unlinked files.
func TestDeletedDatabaseStopsTheTrader(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("MSFT")})
	r := w.Start(tradertest.StartOptions{})
	r.For(3 * time.Minute)
	w.ReplaceDatabase()
	if err := r.Wait(10 * time.Minute); !errors.Is(err, db.ErrStoreReplaced) {
		t.Fatalf("the trader returned %v, want ErrStoreReplaced", err)
	}
	if len(w.Log.Messages("THE DATABASE OR ITS LEASE FILE WAS REMOVED OR REPLACED WHILE TRADING: stopping without writing or sending anything more; open positions stay protected by their exit orders at the broker, and the journal of this run is in the file that was replaced")) != 1 {
		t.Errorf("no single loud line; log:\n%s", w.Log.Tail(10))
	}
}

// TestTheBrokerRefusesASecondEntryForABar: two processes trade one session
// and nothing in a database keeps them apart (each writes its own copy).
// Each enters on the same bars; since an entry's client_order_id is
// derived from (session, symbol, bar), the broker holds one order per bar
// however many processes send it.
func TestTheBrokerRefusesASecondEntryForABar(t *testing.T) {
	cfg := oneSymbol("AAPL")
	cfg.Symbols = []string{"AAPL", "MSFT"}
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: cfg})
	a := w.Start(tradertest.StartOptions{})
	other := w.SplitBrain()
	b := other.Start(tradertest.StartOptions{SessionID: a.Session.ID})
	a.For(5 * time.Minute)
	for _, r := range []*tradertest.Run{a, b} {
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	entries := w.Entries(a.Session.ID)
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
	w.StoreMatchesExchange(a.Session.ID) // also: no client_order_id twice at the exchange
	for _, name := range []string{"first", "second"} {
		s := w
		if name == "second" {
			s = other
		}
		if n := len(journalEntries(t, s, a.Session.ID)); n == 0 {
			t.Errorf("the %s process journaled no entry: it did not try", name)
		}
	}
}

func journalEntries(t *testing.T, w *tradertest.World, sid string) []db.Order {
	t.Helper()
	var out []db.Order
	for _, o := range journal(t, w, sid) {
		if o.Purpose == "entry" {
			out = append(out, o)
		}
	}
	return out
}

// fencingRounds is how many times TestPausedTraderSendsNothingAfterATakeover
// replays the trial on each store.
const fencingRounds = 20

// TestPausedTraderSendsNothingAfterATakeover replays the field trial that
// doubled a position: a trader is paused inside a scan right after its
// lease check; its lease is taken away (the lock file removed on SQLite,
// the lock's connection killed on PostgreSQL); another process resumes the
// session and trades; then the first trader goes on. Its writes carry the
// old lease epoch and are refused, it stops, and it sends nothing: no
// order at the exchange the journal does not know, and the store matches
// the exchange, round after round.
func TestPausedTraderSendsNothingAfterATakeover(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			for round := 1; round <= fencingRounds; round++ {
				t.Run(fmt.Sprint(round), func(t *testing.T) { pausedTakeover(t, driver, round) })
			}
		})
	}
}

func pausedTakeover(t *testing.T, driver string, round int) {
	cfg := oneSymbol("AAPL")
	cfg.Symbols = []string{"AAPL", "MSFT", "NVDA"}
	w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: cfg,
		Start: tradertest.Monday.Add(time.Duration(round) * 37 * time.Minute)})
	// Paused in its scan of the second, third or fourth bar.
	a := w.Start(tradertest.StartOptions{Failpoints: []string{fmt.Sprintf("%s:%d", failpoint.AfterLeaseCheck, 2+round%3)}})
	sid := a.Session.ID
	stepUntilPaused(t, a)
	w.LoseLease(sid)
	b := w.Resume(sid, tradertest.StartOptions{})
	b.For(3 * time.Minute)
	before := len(w.ExchangeOrders())
	a.Release()
	err := a.Wait(10 * time.Minute)
	var held *db.LeaseHeldError
	if !errors.As(err, &held) && !errors.Is(err, db.ErrStoreReplaced) && !errors.Is(err, db.ErrFenced) {
		t.Fatalf("the paused trader returned %v, want a lost lease", err)
	}
	if after := len(w.ExchangeOrders()); after != before {
		t.Errorf("the paused trader sent %d orders after it went on", after-before)
	}
	b.For(2 * time.Minute)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	w.EveryOrderJournaled(sid)
	w.StoreMatchesExchange(sid)
}

// stepUntilPaused steps the clock until a pause failpoint stops r.
func stepUntilPaused(t *testing.T, r *tradertest.Run) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		select {
		case <-r.Paused():
			return
		default:
		}
		stepped := make(chan bool, 1)
		go func() { stepped <- r.Step() }()
		select {
		case <-r.Paused():
			return
		case ok := <-stepped:
			if !ok {
				t.Fatal("the trader returned before its pause point")
			}
		}
	}
	t.Fatal("the pause point was never reached")
}

// takenBy is what the trader's "session taken" line says about the process
// that took the session.
func takenBy(w *tradertest.World) string {
	for _, m := range w.Log.Lines() {
		if strings.HasPrefix(fmt.Sprint(m["message"]), "ANOTHER PROCESS TOOK THIS SESSION") {
			return fmt.Sprint(m["taken_by"])
		}
	}
	return ""
}

// takeoverBeforeClaim is a store on which another process takes the
// session right before the trader's first symbol claim: the takeover lands
// between the lease check and a fenced write, as it did on a loaded
// machine in the e2e takeover test.
type takeoverBeforeClaim struct {
	trader.Store
	once     sync.Once
	takeover func(sessionID string)
}

func (s *takeoverBeforeClaim) ClaimSymbol(ctx context.Context, sessionID, symbol string, at time.Time) error {
	s.once.Do(func() { s.takeover(sessionID) })
	return s.Store.ClaimSymbol(ctx, sessionID, symbol, at)
}

// TestRefusedWriteNamesTheNewHolder: when a write's stale epoch, not the
// lease check, finds the takeover, the trader still stops at once, sends
// nothing, and names the process that holds the session now (the epoch
// error alone does not).
func TestRefusedWriteNamesTheNewHolder(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: oneSymbol("AAPL")})
			usurper := w.Sessions()
			var taken db.Holder
			r := w.Start(tradertest.StartOptions{Store: func(s trader.Store) trader.Store {
				return &takeoverBeforeClaim{Store: s, takeover: func(sid string) {
					w.LoseLease(sid)
					if _, err := usurper.Resume(context.Background(), sid, 0); err != nil {
						t.Errorf("take the session over: %v", err)
						return
					}
					h, running, err := w.Store.LeaseHolder(context.Background(), sid)
					if err != nil || !running {
						t.Errorf("the session's holder after the takeover: %v, %v", running, err)
					}
					taken = h
				}}
			}})
			err := r.Wait(time.Hour)
			if !errors.Is(err, db.ErrFenced) {
				t.Fatalf("the trader returned %v, want a write refused for its stale epoch", err)
			}
			if n := len(w.ExchangeOrders()); n != 0 {
				t.Errorf("the trader sent %d orders after the takeover", n)
			}
			want := fmt.Sprintf("pid %d on host %s", taken.PID, taken.Host)
			if by := takenBy(w); by != want {
				t.Errorf("the stopped trader named %q as the session's holder, want %q", by, want)
			}
		})
	}
}
