package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// recordingStore serves a fixed state and records every write.
type recordingStore struct {
	positions []db.Position
	orders    []db.Order
	writes    []string
}

func (s *recordingStore) ActivePositions(context.Context, string) ([]db.Position, error) {
	return s.positions, nil
}
func (s *recordingStore) SessionOrders(context.Context, string, bool) ([]db.Order, error) {
	return s.orders, nil
}
func (s *recordingStore) OtherSessionIDs(context.Context, string) ([]string, error) { return nil, nil }
func (s *recordingStore) SymbolClaims(context.Context) ([]db.SymbolClaim, error)    { return nil, nil }
func (s *recordingStore) ClaimSymbol(context.Context, string, string, time.Time) error {
	s.writes = append(s.writes, "claim")
	return nil
}
func (s *recordingStore) OpenPosition(context.Context, db.Position) (int64, error) {
	s.writes = append(s.writes, "open")
	return 1, nil
}
func (s *recordingStore) ClosePosition(_ context.Context, c db.PositionClose) error {
	s.writes = append(s.writes, "close")
	s.positions = slices.DeleteFunc(s.positions, func(p db.Position) bool { return p.ID == c.PositionID })
	return nil
}
func (s *recordingStore) SetPositionQty(context.Context, int64, decimal.Decimal, time.Time) error {
	s.writes = append(s.writes, "qty")
	return nil
}
func (s *recordingStore) IncrementRepairCount(context.Context, int64) (int, error) {
	s.writes = append(s.writes, "repair")
	return 1, nil
}
func (s *recordingStore) InsertOrder(context.Context, db.Order) (int64, error) {
	s.writes = append(s.writes, "insert")
	return 1, nil
}
func (s *recordingStore) UpdateOrder(_ context.Context, u db.OrderUpdate) error {
	s.writes = append(s.writes, "update")
	for i := range s.orders {
		if s.orders[i].ClientOrderID == u.ClientOrderID {
			s.orders[i].Status = u.Status
		}
	}
	return nil
}
func (s *recordingStore) ApplyFill(context.Context, db.FillEffect) (bool, error) {
	s.writes = append(s.writes, "fill")
	return true, nil
}

// flakyBroker answers positions with an empty list and fails the request
// named by fail; it records every order placed or canceled.
type flakyBroker struct {
	fail   string
	writes []string
}

var errDown = errors.New("HTTP 503 from the broker")

func (b *flakyBroker) check(name string) error {
	if b.fail == name {
		return errDown
	}
	return nil
}
func (b *flakyBroker) Positions(context.Context) ([]broker.Position, error) {
	return nil, b.check("positions")
}
func (b *flakyBroker) Orders(_ context.Context, q broker.ListOrders) ([]broker.Order, error) {
	return nil, b.check("orders:" + q.Status)
}
func (b *flakyBroker) OrderByClientID(context.Context, string) (broker.Order, error) {
	if err := b.check("lookup"); err != nil {
		return broker.Order{}, err
	}
	return broker.Order{}, broker.ErrNotFound
}
func (b *flakyBroker) PlaceOrder(_ context.Context, r broker.OrderRequest) (broker.Order, error) {
	b.writes = append(b.writes, "place")
	return broker.Order{ClientOrderID: r.ClientOrderID}, nil
}
func (b *flakyBroker) CancelOrder(context.Context, string) error {
	b.writes = append(b.writes, "cancel")
	return nil
}

// TestFailedBrokerReadChangesNothing: an empty position list is not
// "flat" when any read of the reconcile failed, and an unanswered lookup
// does not abandon an intent.
func TestFailedBrokerReadChangesNothing(t *testing.T) {
	for _, fail := range []string{"positions", "orders:open", "orders:all", "lookup", "orders:closed"} {
		t.Run(fail, func(t *testing.T) {
			st := &recordingStore{
				positions: []db.Position{longPos(1, "AAPL", "10", "100")},
				orders: []db.Order{{SessionID: sid, ClientOrderID: ours("2"), Symbol: "MSFT", Side: "buy",
					Qty: d("1"), Status: db.OrderIntent, Purpose: "entry"}},
			}
			br := &flakyBroker{fail: fail}
			r := &reconcile.Reconciler{Store: st, Broker: br, SessionID: sid, StopLossPct: d("2"), TakeProfitPct: d("4"),
				Now: func() time.Time { return t0 }, Log: zerolog.Nop()}
			plan, err := r.Run(context.Background(), reconcile.Options{})
			if !errors.Is(err, errDown) || !strings.Contains(err.Error(), "nothing was changed") {
				t.Fatalf("err = %v", err)
			}
			if len(st.writes)+len(br.writes) != 0 || !plan.Empty() {
				t.Fatalf("a failed read changed something: store %v broker %v plan %+v", st.writes, br.writes, plan.Items)
			}
		})
	}
	// The same state with every read answering: the position is gone and
	// the intent unknown, so both are acted on. This is what the failed
	// reads above must not do.
	st := &recordingStore{positions: []db.Position{longPos(1, "AAPL", "10", "100")},
		orders: []db.Order{{SessionID: sid, ClientOrderID: ours("2"), Symbol: "MSFT", Status: db.OrderIntent}}}
	r := &reconcile.Reconciler{Store: st, Broker: &flakyBroker{}, SessionID: sid, Now: func() time.Time { return t0 }, Log: zerolog.Nop()}
	plan, err := r.Run(context.Background(), reconcile.Options{})
	if err != nil || strings.Join(classes(plan), ",") != "unacknowledged_intent:MSFT,position_gone:AAPL" {
		t.Fatalf("plan %v, err %v", classes(plan), err)
	}
	if strings.Join(st.writes, ",") != "update,close" {
		t.Fatalf("writes = %v", st.writes)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	st := &recordingStore{positions: []db.Position{longPos(1, "AAPL", "10", "100")}}
	br := &flakyBroker{}
	r := &reconcile.Reconciler{Store: st, Broker: br, SessionID: sid, Now: func() time.Time { return t0 }, Log: zerolog.Nop()}
	plan, err := r.Run(context.Background(), reconcile.Options{DryRun: true})
	if err != nil || len(plan.Items) != 1 || plan.Items[0].Result != reconcile.ResultPlanned {
		t.Fatalf("plan %+v err %v", plan.Items, err)
	}
	if len(st.writes)+len(br.writes) != 0 {
		t.Fatalf("dry run wrote: %v %v", st.writes, br.writes)
	}
}
