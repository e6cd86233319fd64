package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// terminal order statuses: the broker will not change these orders again.
var terminal = map[string]bool{
	broker.StatusFilled: true, broker.StatusCanceled: true, broker.StatusExpired: true,
	broker.StatusRejected: true, db.OrderAbandoned: true, "replaced": true, "done_for_day": true,
}

// sync reads order state back from the broker and journals it: statuses,
// acknowledgements of intents, bracket legs, and fills, each fill applied
// exactly once with its real price. It makes one list request; orders that
// the list did not return are looked up one by one.
func (t *Trader) sync(ctx context.Context) error {
	sid := t.sessionID()
	open, err := t.store.SessionOrders(ctx, sid, true)
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("read open journal orders: %w", err)
	}
	active, err := t.store.ActivePositions(ctx, sid)
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("read active positions: %w", err)
	}
	if len(open) == 0 && len(active) == 0 {
		return nil
	}
	after := t.now()
	for _, o := range open {
		if o.CreatedAt.Before(after) {
			after = o.CreatedAt
		}
	}
	for _, p := range active {
		if p.EntryTime.Before(after) {
			after = p.EntryTime
		}
	}
	list, err := t.broker.Orders(ctx, broker.ListOrders{Status: "all", Nested: true, Limit: 500,
		After: after.Add(-time.Hour)})
	if err != nil {
		return fmt.Errorf("list broker orders: %w", err)
	}
	v := newBrokerView(list)
	positions := map[string]db.Position{} // by entry client_order_id
	for _, p := range active {
		positions[p.EntryClientOrderID] = p
	}
	// Roots: entries with open journal rows, and entries of active positions
	// whose legs still matter.
	roots := map[string]bool{}
	for _, o := range open {
		if o.ParentClientOrderID == "" {
			roots[o.ClientOrderID] = true
		} else {
			roots[o.ParentClientOrderID] = true
		}
	}
	for cid := range positions {
		if cid != "" {
			roots[cid] = true
		}
	}
	journal := map[string]db.Order{}
	for _, o := range open {
		journal[o.ClientOrderID] = o
	}
	for cid := range roots {
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
		if err := t.applyRoot(ctx, journal, positions, bo); err != nil {
			return err
		}
	}
	return nil
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

// applyRoot journals an entry order, its fill and its legs.
func (t *Trader) applyRoot(ctx context.Context, journal map[string]db.Order, positions map[string]db.Position, bo broker.Order) error {
	if reconcile.IsRepairID(t.sessionID(), bo.ClientOrderID) {
		return t.applyRepair(ctx, journal, positions, bo)
	}
	now := t.now().UTC()
	j, open := journal[bo.ClientOrderID]
	if open && (j.Status != bo.Status || j.BrokerOrderID == "") {
		if bo.Status == broker.StatusFilled || (terminal[bo.Status] && bo.FilledQty.IsPositive()) {
			t.fp.Hit(failpoint.AfterFillObserved)
			if err := t.applyEntryFill(ctx, j, bo, positions); err != nil {
				return err
			}
			delete(journal, bo.ClientOrderID)
		} else {
			ack := now
			t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: bo.ID, Status: bo.Status,
				FilledQty: bo.FilledQty, FilledAvgPrice: bo.FilledAvgPrice, AcknowledgedAt: &ack, UpdatedAt: now})
		}
	}
	for _, leg := range bo.Legs {
		if err := t.applyLeg(ctx, journal, positions, bo, leg); err != nil {
			return err
		}
	}
	return nil
}

// applyRepair handles an exit OCO that reconcile placed for a position
// (its id marks it): the order and its leg both close the symbol's
// position, whichever fills.
func (t *Trader) applyRepair(ctx context.Context, journal map[string]db.Order, positions map[string]db.Position, bo broker.Order) error {
	owner := map[string]db.Position{}
	for _, p := range positions {
		if p.Symbol == bo.Symbol {
			owner[bo.ClientOrderID] = p
		}
	}
	for _, o := range append([]broker.Order{bo}, bo.Legs...) {
		if err := t.applyLeg(ctx, journal, owner, bo, o); err != nil {
			return err
		}
	}
	return nil
}

// applyEntryFill opens the position of a filled entry and adds it to
// positions, so that a leg that filled before this same read-back (after an
// outage of the store, say) closes it in the same pass; otherwise the leg is
// journaled as filled and the position stays active for ever.
func (t *Trader) applyEntryFill(ctx context.Context, j db.Order, bo broker.Order, positions map[string]db.Position) error {
	price := bo.FilledAvgPrice.Decimal
	filledAt := bo.FilledAt
	if filledAt.IsZero() {
		filledAt = t.now()
	}
	dir := db.DirectionUp
	if bo.Side == broker.Sell {
		dir = db.DirectionDown
	}
	ack := t.now().UTC()
	applied, err := t.store.ApplyFill(ctx, db.FillEffect{
		Fill: reconcile.FillOf(t.sessionID(), bo, t.now()),
		Order: &db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: bo.ID, Status: bo.Status,
			FilledQty: bo.FilledQty, FilledAvgPrice: bo.FilledAvgPrice, AcknowledgedAt: &ack, UpdatedAt: ack},
		Open: &db.Position{
			SessionID: t.sessionID(), Symbol: bo.Symbol, EntryTime: filledAt.UTC(), EntryPrice: price,
			Qty: bo.FilledQty, Direction: dir, Side: string(bo.Side),
			StopLoss: j.StopLossPrice, TakeProfit: j.TakeProfitPrice, OrderID: bo.ID,
			Status: db.PositionActive, EntryClientOrderID: j.ClientOrderID,
		},
	})
	t.storeResult(err)
	if errors.Is(err, db.ErrConflict) {
		// A position for the symbol is already active (adopted by
		// reconcile): record the order, leave the position as it is.
		t.log.Warn().Str("symbol", bo.Symbol).Msg("entry filled while a position for the symbol is already active; journaling the order only")
		t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: bo.ID, Status: bo.Status,
			FilledQty: bo.FilledQty, FilledAvgPrice: bo.FilledAvgPrice, UpdatedAt: ack})
		return nil
	}
	if err != nil {
		return fmt.Errorf("record entry fill of %s: %w", j.ClientOrderID, err)
	}
	t.observeFill(applied, bo.Status)
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("read the position opened by %s: %w", j.ClientOrderID, err)
	}
	for _, p := range active {
		if p.EntryClientOrderID == j.ClientOrderID {
			positions[j.ClientOrderID] = p
		}
	}
	t.log.Info().Str("symbol", bo.Symbol).Str("side", string(bo.Side)).Str("qty", bo.FilledQty.String()).
		Str("price", price.String()).Msg("position opened")
	return nil
}
