package trader

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// The fakes embed the interfaces they stand in for, left nil: a call the
// test did not expect panics instead of passing silently.

type cpStore struct {
	Store
	err error
}

func (s cpStore) CreateCheckpoint(context.Context, db.CheckpointInput) (db.CheckpointMeta, error) {
	if s.err != nil {
		return db.CheckpointMeta{}, s.err
	}
	size := int64(1500)
	return db.CheckpointMeta{ID: 7, ActivePositionsCount: 2, SizeBytes: &size}, nil
}

type acctBroker struct{ Broker }

func (acctBroker) Account(context.Context) (broker.Account, error) {
	return broker.Account{PortfolioValue: decimal.RequireFromString("100250.5"), Cash: decimal.RequireFromString("40000")}, nil
}

type liveSession struct{ Session }

func (liveSession) Row() db.Session             { return db.Session{ID: "4b0c7a8e-0000-4000-8000-000000000001"} }
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
func (e *events) OrderStatus(s string)             { e.add("order %s", s) }
func (e *events) FillApplied()                     { e.add("fill") }
func (e *events) StoreUp(up bool)                  { e.add("store up %v", up) }

func observedTrader(store Store, obs Observer) *Trader {
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	return New(Config{CheckpointInterval: 30 * time.Second}, Deps{
		Store: store, Broker: acctBroker{}, Strategy: noParams{}, Session: liveSession{},
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
			"checkpoint created took=0s size=1500", "positions 2"}},
		{"failed", errors.New("connection reset"), []string{"account 100250.5 40000", "store up false",
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
