package trader_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/trader"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

func activePositions(t *testing.T, w *tradertest.World, sid string) []db.Position {
	t.Helper()
	ps, err := w.Store.ActivePositions(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func allPositions(t *testing.T, w *tradertest.World, sid string) []db.Position {
	t.Helper()
	ps, err := w.Store.Positions(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func sessionRow(t *testing.T, w *tradertest.World, sid string) db.Session {
	t.Helper()
	s, err := w.Store.GetSession(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func oneSymbol(sym string) trader.Config {
	return trader.Config{Symbols: []string{sym}, Interval: time.Minute, CheckpointInterval: 5 * time.Minute,
		StopLossPct: decimal.NewFromInt(2), TakeProfitPct: decimal.NewFromInt(4), PositionSize: decimal.NewFromInt(10000)}
}

// TestBracketLifeCycle follows one entry from its signal to its exit: the
// intent, the acknowledgement, the fill that opens the position, the
// take-profit leg that closes it at its real price, and the session's end.
func TestBracketLifeCycle(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: oneSymbol("AAPL")})
			r := w.Start(tradertest.StartOptions{})
			sid := r.Session.ID
			if !r.Until(10*time.Minute, func() bool { return len(activePositions(t, w, sid)) == 1 }) {
				t.Fatal("no position opened in 10 minutes with every bar signalling")
			}
			p := activePositions(t, w, sid)[0]
			if !p.StopLoss.Valid || !p.TakeProfit.Valid || p.EntryClientOrderID == "" {
				t.Fatalf("position without its exits or entry: %+v", p)
			}
			beyond := p.TakeProfit.Decimal.Mul(decimal.RequireFromString("1.01"))
			if p.Side == "sell" {
				beyond = p.TakeProfit.Decimal.Mul(decimal.RequireFromString("0.99"))
			}
			w.SetPrice("AAPL", beyond.Round(2))
			closed := func() bool {
				for _, q := range allPositions(t, w, sid) {
					if q.ID == p.ID && q.Status == db.PositionClosed {
						return true
					}
				}
				return false
			}
			if !r.Until(5*time.Minute, closed) {
				t.Fatal("the take-profit did not close the position")
			}
			var got db.Position
			for _, q := range allPositions(t, w, sid) {
				if q.ID == p.ID {
					got = q
				}
			}
			if got.ExitReason != orders.ReasonTakeProfit || !got.ExitPrice.Valid {
				t.Fatalf("closed %+v: want take_profit with an exit price", got)
			}
			want := orders.CloseAt(p, *got.ExitTime, got.ExitPrice, orders.ReasonTakeProfit).PnL.Decimal
			if !got.PnL.Decimal.Equal(want) || !got.PnL.Decimal.IsPositive() {
				t.Errorf("pnl %s, want %s and positive", got.PnL.Decimal, want)
			}
			if err := r.Stop(); err != nil {
				t.Fatal(err)
			}
			s := sessionRow(t, w, sid)
			if s.Status != db.StatusCompleted || s.EndTime == nil || s.TotalTrades < 1 {
				t.Errorf("session after stop: %+v", s)
			}
			cp, err := w.Store.NewestCheckpoint(context.Background(), sid, 0)
			if err != nil || cp.Trigger != db.TriggerShutdown {
				t.Errorf("newest checkpoint %+v %v: want the shutdown checkpoint", cp.CheckpointMeta, err)
			}
			if _, running, err := w.Store.LeaseHolder(context.Background(), sid); err != nil || running {
				t.Errorf("lease still held after stop (%v)", err)
			}
			w.StoreMatchesExchange(sid)
			fills, err := w.Store.Fills(context.Background(), sid)
			if err != nil || len(fills) < 2 {
				t.Errorf("fills %v %v: want the entry's and the exit's", fills, err)
			}
		})
	}
}

// TestDeadlineEndsTheSession: a session with a duration completes by itself.
func TestDeadlineEndsTheSession(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager()})
	r := w.Start(tradertest.StartOptions{Until: tradertest.Monday.Add(20 * time.Minute)})
	if err := r.Wait(time.Hour); err != nil {
		t.Fatal(err)
	}
	if now := w.Clock.Now(); now.Before(tradertest.Monday.Add(20*time.Minute)) || now.After(tradertest.Monday.Add(21*time.Minute)) {
		t.Errorf("ended at %s, want at the deadline", now)
	}
	if s := sessionRow(t, w, r.Session.ID); s.Status != db.StatusCompleted {
		t.Errorf("status %s", s.Status)
	}
}

// TestCloseOnExitFlattens: with CloseOnExit the session's positions are
// closed at the broker before it completes, and journaled as closed.
func TestCloseOnExitFlattens(t *testing.T) {
	cfg := oneSymbol("MSFT")
	cfg.CloseOnExit = true
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	if !r.Until(10*time.Minute, func() bool { return len(activePositions(t, w, sid)) == 1 }) {
		t.Fatal("no position opened")
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(activePositions(t, w, sid)); n != 0 {
		t.Errorf("%d positions left active after close-on-exit", n)
	}
	if held := w.ExchangePositions(); len(held) != 0 {
		t.Errorf("exchange still holds %v", held)
	}
	for _, p := range allPositions(t, w, sid) {
		if p.Status != db.PositionClosed || !p.ExitPrice.Valid {
			t.Errorf("position %+v not closed at a real price", p)
		}
	}
}

// TestCapitalAndMaxPositionsBoundEntries: allocated capital caps the money
// committed to open positions and pending entries, and max positions caps
// their number; the signals beyond are logged once per reason, with a
// count.
func TestCapitalAndMaxPositionsBoundEntries(t *testing.T) {
	cfg := oneSymbol("AAPL")
	cfg.Symbols = []string{"AAPL", "MSFT", "NVDA", "AMD"}
	cfg.Capital = decimal.NewFromInt(25000)
	cfg.MaxPositions = 3
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: cfg})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	r.For(10 * time.Minute)
	if n := len(activePositions(t, w, sid)); n != 2 {
		t.Errorf("%d positions open with 25,000 of capital and 10,000 a position, want 2", n)
	}
	if len(w.Log.Messages("signals not traded: not enough buying power")) == 0 {
		t.Errorf("no line about the capital; log:\n%s", w.Log.Tail(20))
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}

	cfg.Capital = decimal.Zero
	w = tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: cfg})
	r = w.Start(tradertest.StartOptions{})
	r.For(10 * time.Minute)
	if n := len(activePositions(t, w, r.Session.ID)); n != 3 {
		t.Errorf("%d positions open with max positions 3", n)
	}
	if len(w.Log.Messages("signals not traded: max positions (3) reached")) == 0 {
		t.Errorf("no line about max positions; log:\n%s", w.Log.Tail(20))
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownWhileTheBrokerHangs: a stop asked for while the exchange
// hangs costs the broker's shutdown budget and no more; the final
// checkpoint is written and the session completed whatever the broker did,
// and one line says what it did not answer.
func TestShutdownWhileTheBrokerHangs(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			cfg := oneSymbol("GOOGL")
			cfg.ShutdownTimeout = 300 * time.Millisecond
			w := tradertest.New(t, tradertest.Options{Driver: driver, Momentum: eager(), Trader: cfg})
			r := w.Start(tradertest.StartOptions{})
			sid := r.Session.ID
			if !r.Until(10*time.Minute, func() bool { return len(activePositions(t, w, sid)) == 1 }) {
				t.Fatal("no position opened")
			}
			w.Hang()
			defer w.Unhang()
			began := time.Now()
			if err := r.Stop(); err != nil {
				t.Fatalf("stop while the broker hangs: %v", err)
			}
			if took := time.Since(began); took > cfg.ShutdownTimeout+5*time.Second {
				t.Errorf("the stop took %s with a %s budget", took, cfg.ShutdownTimeout)
			}
			if s := sessionRow(t, w, sid); s.Status != db.StatusCompleted {
				t.Errorf("session %s after the stop", s.Status)
			}
			cp, err := w.Store.NewestCheckpoint(context.Background(), sid, 0)
			if err != nil || cp.Trigger != db.TriggerShutdown || cp.ActivePositionsCount != 1 {
				t.Errorf("newest checkpoint %+v %v: want a shutdown checkpoint with the open position", cp.CheckpointMeta, err)
			}
			if len(w.Log.Messages("the broker did not answer within the shutdown budget; the final checkpoint is written without it, and resume or reconcile-only picks up what it did not say")) != 1 {
				t.Errorf("no single line about the broker; log:\n%s", w.Log.Tail(15))
			}
		})
	}
}
