package trader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// The fakes embed the interfaces they stand in for, left nil: a call the
// test did not expect panics instead of passing silently.

type cpStore struct {
	Store
	err error
	// positions are the session's; written records the account snapshot.
	positions []db.Position
	written   *[]byte
}

func (s cpStore) Positions(context.Context, string) ([]db.Position, error) { return s.positions, nil }

func (s cpStore) CreateCheckpoint(_ context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	if s.written != nil {
		*s.written = in.AccountSnapshot
	}
	if s.err != nil {
		return db.CheckpointMeta{}, s.err
	}
	size := int64(1500)
	return db.CheckpointMeta{ID: 7, ActivePositionsCount: 2, SizeBytes: &size}, nil
}

// acctBroker prices AAPL at 151 (the account holds other symbols too);
// with down set, it cannot be asked for prices.
type acctBroker struct {
	Broker
	down *bool
}

func (acctBroker) Account(context.Context) (broker.Account, error) {
	return broker.Account{PortfolioValue: decimal.RequireFromString("100250.5"), Cash: decimal.RequireFromString("40000")}, nil
}

func (b acctBroker) Positions(context.Context) ([]broker.Position, error) {
	if b.down != nil && *b.down {
		return nil, errors.New("503 service unavailable")
	}
	return []broker.Position{
		{Symbol: "AAPL", Qty: decimal.NewFromInt(10), Side: broker.PositionLong, CurrentPrice: decimal.RequireFromString("151")},
		{Symbol: "MSFT", Qty: decimal.NewFromInt(3), Side: broker.PositionLong, CurrentPrice: decimal.RequireFromString("400")},
	}, nil
}

type liveSession struct{ Session }

func (liveSession) Row() db.Session {
	return db.Session{ID: "4b0c7a8e-0000-4000-8000-000000000001", AllocatedCapital: decimal.NewNullDecimal(decimal.NewFromInt(5000))}
}
func (liveSession) Alive(context.Context) error { return nil }

type noParams struct{ strategy.Strategy }

func (noParams) Params() map[string]any { return nil }

// events records Observer calls as text.
type events []string

func (e *events) add(format string, a ...any) { *e = append(*e, fmt.Sprintf(format, a...)) }
func (e *events) CheckpointCreated(_ time.Time, took time.Duration, size int64) {
	e.add("checkpoint created took=%s size=%d", took, size)
}
func (e *events) CheckpointFailed()                { e.add("checkpoint failed") }
func (e *events) CheckpointRestored()              { e.add("checkpoint restored") }
func (e *events) ActivePositions(n int)            { e.add("positions %d", n) }
func (e *events) Account(pv, cash decimal.Decimal) { e.add("account %s %s", pv, cash) }
func (e *events) SessionValue(f pnl.Figures) {
	e.add("session equity %s realized %s unrealized %s stale %v", f.Equity.Decimal, f.Realized, f.Unrealized, f.PriceStale)
}
func (e *events) OrderStatus(s string) { e.add("order %s", s) }
func (e *events) FillApplied()         { e.add("fill") }
func (e *events) StoreUp(up bool)      { e.add("store up %v", up) }

func observedTrader(store Store, obs Observer) *Trader {
	return observedTraderOn(store, acctBroker{}, obs)
}

func observedTraderOn(store Store, b Broker, obs Observer) *Trader {
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	return New(Config{CheckpointInterval: 30 * time.Second}, Deps{
		Store: store, Broker: b, Strategy: noParams{}, Session: liveSession{},
		Now: func() time.Time { return now }, Observer: obs, // the zero Log writes nothing
	})
}

func TestCheckpointIsObserved(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want []string
	}{
		{"written", nil, []string{"account 100250.5 40000", "store up true",
			"session equity 5000 realized 0 unrealized 0 stale false", "store up true",
			"checkpoint created took=0s size=1500", "positions 2"}},
		{"failed", errors.New("connection reset"), []string{"account 100250.5 40000", "store up true",
			"session equity 5000 realized 0 unrealized 0 stale false", "store up false",
			"checkpoint failed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got events
			observedTrader(cpStore{err: c.err}, &got).checkpoint(context.Background(), db.TriggerInterval)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("observed %q, want %q", got, c.want)
			}
		})
	}
}

// TestCheckpointCarriesTheSessionsValue: the account snapshot keeps the
// account's figures and adds the session's own, valued from its positions
// at the broker's prices of the symbols it holds; when the broker cannot
// give prices, the last known ones are used and marked stale.
func TestCheckpointCarriesTheSessionsValue(t *testing.T) {
	closedAt := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	positions := []db.Position{
		{Symbol: "AAPL", Side: "buy", Qty: decimal.NewFromInt(10), EntryPrice: decimal.RequireFromString("150"), Status: db.PositionActive},
		{Symbol: "NVDA", Side: "buy", Qty: decimal.NewFromInt(2), EntryPrice: decimal.RequireFromString("100"), Status: db.PositionClosed,
			ExitTime: &closedAt, PnL: decimal.NewNullDecimal(decimal.RequireFromString("-7.5"))},
	}
	var snapshot []byte
	var got events
	down := false
	tr := observedTraderOn(cpStore{positions: positions, written: &snapshot}, acctBroker{down: &down}, &got)
	want := map[string]any{
		"portfolio_value": "100250.5", "cash": "40000",
		"session_capital": "5000", "session_equity": "5002.5", "session_realized_pnl": "-7.5", "session_unrealized_pnl": "10",
		"session_prices": map[string]any{"AAPL": "151"},
	}
	for round, stale := range []bool{false, true} {
		down = stale
		tr.checkpoint(context.Background(), db.TriggerInterval)
		var acct map[string]any
		dec := json.NewDecoder(bytes.NewReader(snapshot))
		dec.UseNumber()
		if err := dec.Decode(&acct); err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if fmt.Sprint(acct[k]) != fmt.Sprint(v) {
				t.Errorf("round %d: account snapshot %s = %v, want %v", round, k, acct[k], v)
			}
		}
		if acct["session_prices_stale"] != nil != stale {
			t.Errorf("round %d: session_prices_stale = %v, want %v", round, acct["session_prices_stale"], stale)
		}
	}
	if s := fmt.Sprint(got); !strings.Contains(s, "session equity 5002.5 realized -7.5 unrealized 10 stale false") ||
		!strings.Contains(s, "session equity 5002.5 realized -7.5 unrealized 10 stale true") {
		t.Errorf("observed %q", got)
	}
}

// TestStoreAnswersAreNotOutages: a conflict or a missing row means the
// store answered; only other errors count as the store being down.
func TestStoreAnswersAreNotOutages(t *testing.T) {
	var got events
	tr := observedTrader(cpStore{}, &got)
	tr.storeResult(fmt.Errorf("insert order: %w", db.ErrConflict))
	tr.storeResult(fmt.Errorf("get order: %w", db.ErrNotFound))
	if !tr.storeDownSince.IsZero() {
		t.Fatal("a conflict started a store outage")
	}
	tr.storeResult(errors.New("dial tcp: connection refused"))
	if tr.storeDownSince.IsZero() {
		t.Fatal("a connection error did not start a store outage")
	}
	if want := []string{"store up true", "store up true", "store up false"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("observed %q, want %q", got, want)
	}
}

func TestNoObserverByDefault(t *testing.T) {
	tr := New(Config{}, Deps{})
	if _, ok := tr.obs.(noObserver); !ok {
		t.Fatalf("default observer is %T", tr.obs)
	}
	tr.observeFill(true, "filled") // must not panic
}
