package trader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/orders"
)

// sync reads order state back from the broker and journals it: statuses,
// acknowledgements of intents, bracket legs, and fills, each fill applied
// exactly once with its real price, through the same rule reconcile uses
// (orders.Resolve). It pages through the broker's orders since the oldest
// open one (O(orders/500) requests); only orders the list did not return,
// such as those older than the window, are looked up one by one.
func (t *Trader) sync(ctx context.Context) error {
	sid := t.sessionID()
	open, err := t.store.SessionOrders(ctx, sid, true)
	t.storeRead(err)
	if err != nil {
		return fmt.Errorf("read open journal orders: %w", err)
	}
	active, err := t.store.ActivePositions(ctx, sid)
	t.storeRead(err)
	if err != nil {
		return fmt.Errorf("read active positions: %w", err)
	}
	if len(open) == 0 && len(active) == 0 {
		return nil
	}
	// Every page of the window, not just the first: past a page of open
	// positions, the entries the first page missed would each cost a
	// request of their own.
	list, err := broker.AllOrders(ctx, t.broker, broker.ListOrders{Status: "all", Nested: true,
		After: oldest(t.now(), open, active).Add(-time.Hour)})
	if err != nil {
		return fmt.Errorf("list broker orders: %w", err)
	}
	v := newBrokerView(list)
	journal := map[string]db.Order{}
	for _, o := range open {
		journal[o.ClientOrderID] = o
	}
	for _, cid := range roots(open, active) {
		bo, found, err := t.findRoot(ctx, v, cid)
		if err != nil {
			return err
		}
		if !found {
			// A request that timed out may still be on its way to the
			// broker, so a young intent gets another look next tick.
			if j, ok := journal[cid]; ok && j.Status == db.OrderIntent && t.now().Sub(j.CreatedAt) > stepTimeout {
				t.abandon(ctx, j)
			}
			continue
		}
		if active, err = t.applyRoot(ctx, journal, active, bo); err != nil {
			return err
		}
	}
	return nil
}

// oldest is the earliest creation or entry time among open orders and
// active positions, and now when there is none.
func oldest(now time.Time, open []db.Order, active []db.Position) time.Time {
	for _, o := range open {
		if o.CreatedAt.Before(now) {
			now = o.CreatedAt
		}
	}
	for _, p := range active {
		if p.EntryTime.Before(now) {
			now = p.EntryTime
		}
	}
	return now
}

// roots are the client_order_ids to read back, sorted: orders with open
// journal rows that have no parent, the parents of open legs, and the
// entries of active positions, whose legs still protect them.
func roots(open []db.Order, active []db.Position) []string {
	set := map[string]bool{}
	for _, o := range open {
		if o.ParentClientOrderID == "" {
			set[o.ClientOrderID] = true
		} else {
			set[o.ParentClientOrderID] = true
		}
	}
	for _, p := range active {
		if p.EntryClientOrderID != "" {
			set[p.EntryClientOrderID] = true
		}
	}
	out := make([]string, 0, len(set))
	for cid := range set {
		out = append(out, cid)
	}
	slices.Sort(out)
	return out
}

// brokerView indexes one list response.
type brokerView struct {
	byClientID map[string]broker.Order
}

func newBrokerView(list []broker.Order) brokerView {
	v := brokerView{byClientID: map[string]broker.Order{}}
	for _, o := range list {
		v.byClientID[o.ClientOrderID] = o
	}
	return v
}

// findRoot returns the broker's view of an entry order, from the list or by
// client_order_id. found is false only when the broker says it does not
// exist; any other failure is an error, never "not found".
func (t *Trader) findRoot(ctx context.Context, v brokerView, cid string) (broker.Order, bool, error) {
	if o, ok := v.byClientID[cid]; ok {
		return o, true, nil
	}
	o, err := t.broker.OrderByClientID(ctx, cid)
	if errors.Is(err, broker.ErrNotFound) {
		return broker.Order{}, false, nil
	}
	if err != nil {
		return broker.Order{}, false, fmt.Errorf("look up order %s: %w", cid, err)
	}
	if len(o.Legs) == 0 && o.OrderClass == broker.Bracket && o.ID != "" {
		// The single-order lookup may omit legs; the legs are what protect
		// the position, so ask once more by id.
		if full, err := t.broker.Order(ctx, o.ID); err == nil {
			o = full
		}
	}
	return o, true, nil
}

// abandon marks an intent the broker never received. It is never resent:
// the signal that caused it is stale by now.
func (t *Trader) abandon(ctx context.Context, j db.Order) {
	t.log.Warn().Str("client_order_id", j.ClientOrderID).Str("symbol", j.Symbol).
		Msg("order intent never reached the broker; marked abandoned, not resent")
	t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: j.ClientOrderID, Status: db.OrderAbandoned,
		FilledQty: decimal.Zero, UpdatedAt: t.now().UTC()})
}

// applyRoot journals a root order (an entry, or an exit repair) and its
// legs. A leg seen for the first time is journaled first, so that its fill
// goes through the same rule as every other order's. It returns the
// session's active positions as the changes leave them.
func (t *Trader) applyRoot(ctx context.Context, journal map[string]db.Order, active []db.Position, bo broker.Order) ([]db.Position, error) {
	var err error
	if j, open := journal[bo.ClientOrderID]; open {
		if active, err = t.apply(ctx, j, active, bo); err != nil {
			return active, err
		}
	}
	for _, leg := range bo.Legs {
		j, known := journal[leg.ClientOrderID]
		if !known {
			// ErrConflict means an earlier read-back journaled the leg and
			// it is no longer open.
			row := orders.RowOf(t.sessionID(), leg, bo.ClientOrderID, orders.PurposeExit, t.now())
			_, err := t.store.InsertOrder(ctx, row)
			t.storeWrite(err)
			switch {
			case errors.Is(err, db.ErrConflict):
				continue
			case err != nil:
				return active, fmt.Errorf("journal leg %s: %w", leg.ID, err)
			}
			t.obs.OrderStatus(row.Status)
			j = row
		}
		if active, err = t.apply(ctx, j, active, leg); err != nil {
			return active, err
		}
	}
	return active, nil
}

// apply journals what the broker reports about one order (orders.Resolve)
// and returns the active positions afterwards. A position a fill opened is
// read back from the store, so that a leg that filled in the same pass
// (after an outage, say) closes it by its id.
func (t *Trader) apply(ctx context.Context, j db.Order, active []db.Position, bo broker.Order) ([]db.Position, error) {
	c := orders.Resolve(t.sessionID(), j, active, bo, t.now())
	if c.Kind == orders.Nothing {
		return active, nil
	}
	if c.Kind != orders.StatusOnly {
		t.fp.Hit(failpoint.AfterFillObserved)
	}
	rec, err := orders.Record(ctx, t.store, c)
	t.storeWrite(err)
	if err != nil {
		return active, err
	}
	if rec.Kind == orders.StatusOnly || rec.Applied {
		t.obs.OrderStatus(bo.Status)
	}
	if !rec.Applied {
		return active, nil
	}
	t.obs.FillApplied()
	switch rec.Kind {
	case orders.FillOpen:
		t.log.Info().Str("symbol", bo.Symbol).Str("side", string(bo.Side)).Str("qty", bo.FilledQty.String()).
			Str("price", bo.FilledAvgPrice.Decimal.String()).Str("client_order_id", j.ClientOrderID).Msg("position opened")
		fresh, err := t.store.ActivePositions(ctx, t.sessionID())
		t.storeRead(err)
		if err != nil {
			return c.After(active), fmt.Errorf("read the position opened by %s: %w", j.ClientOrderID, err)
		}
		return fresh, nil
	case orders.FillClose:
		t.log.Info().Str("symbol", c.Position.Symbol).Str("reason", c.Effect.Close.ExitReason).
			Str("price", bo.FilledAvgPrice.Decimal.String()).Str("pnl", c.Effect.Close.PnL.Decimal.StringFixed(2)).
			Msg("position closed")
	case orders.FillOnly:
		if j.Purpose == orders.PurposeEntry {
			t.log.Warn().Str("symbol", bo.Symbol).Str("client_order_id", j.ClientOrderID).
				Msg("entry filled while a position in the symbol is already held; the fill is recorded, the position left as it is")
		}
	}
	return c.After(active), nil
}
