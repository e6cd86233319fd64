package trader

import (
	"context"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// intentStore holds one unacknowledged intent and records journal updates.
type intentStore struct {
	Store
	intent  db.Order
	updates []db.OrderUpdate
}

func (s *intentStore) SessionOrders(context.Context, string, bool) ([]db.Order, error) {
	return []db.Order{s.intent}, nil
}
func (s *intentStore) ActivePositions(context.Context, string) ([]db.Position, error) {
	return nil, nil
}
func (s *intentStore) UpdateOrder(_ context.Context, u db.OrderUpdate) error {
	s.updates = append(s.updates, u)
	return nil
}

// unknownOrders is a broker that has never seen any order.
type unknownOrders struct{ Broker }

func (unknownOrders) Orders(context.Context, broker.ListOrders) ([]broker.Order, error) {
	return nil, nil
}
func (unknownOrders) OrderByClientID(context.Context, string) (broker.Order, error) {
	return broker.Order{}, broker.ErrNotFound
}

// TestYoungIntentIsNotAbandoned: an order request that timed out may still
// reach the broker, so an intent the broker does not know is abandoned only
// once it is older than the step timeout (60 s); before that, the next tick
// looks again. Abandoning it early could lose an order that then fills.
func TestYoungIntentIsNotAbandoned(t *testing.T) {
	created := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	store := &intentStore{intent: db.Order{ClientOrderID: "g1-1", Symbol: "AAPL", Status: db.OrderIntent,
		Purpose: "entry", CreatedAt: created}}
	now := created
	tr := New(Config{}, Deps{Store: store, Broker: unknownOrders{}, Session: liveSession{},
		Now: func() time.Time { return now }})

	for _, age := range []time.Duration{0, 10 * time.Second, stepTimeout} {
		now = created.Add(age)
		if err := tr.sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(store.updates) != 0 {
			t.Fatalf("intent %s old was changed: %+v", age, store.updates)
		}
	}
	now = created.Add(stepTimeout + time.Second)
	if err := tr.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(store.updates) != 1 || store.updates[0].Status != db.OrderAbandoned || store.updates[0].ClientOrderID != "g1-1" {
		t.Fatalf("intent 61 s old and unknown at the broker: updates %+v, want it abandoned", store.updates)
	}
}
