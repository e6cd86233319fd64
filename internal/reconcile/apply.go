package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

// Apply carries out every item of the plan in order and records each
// result. A failed item does not stop the others: each is independent, and
// the next reconcile retries it.
func (r *Reconciler) Apply(ctx context.Context, plan *Plan) {
	for i := range plan.Items {
		it := &plan.Items[i]
		if it.untouched() {
			continue
		}
		detail, err := r.apply(ctx, it.fix)
		switch {
		case err != nil:
			it.Result = failed(err)
		case detail != "":
			it.Result = ResultDone + ": " + detail
		default:
			it.Result = ResultDone
		}
	}
}

func (r *Reconciler) apply(ctx context.Context, f fix) (string, error) {
	now := r.Now().UTC()
	switch f.kind {
	case fixAbandon:
		return "", r.Store.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: f.journal.ClientOrderID,
			Status: db.OrderAbandoned, FilledQty: decimal.Zero, UpdatedAt: now})
	case fixChange:
		rec, err := orders.Record(ctx, r.Store, f.change)
		if err == nil && !rec.Applied && rec.Kind != orders.StatusOnly {
			return "fill already recorded", nil
		}
		return "", err
	case fixAdoptOrder:
		return "", r.adoptOrder(ctx, f.order, f.parent)
	case fixClose:
		return r.closeGone(ctx, f)
	case fixAdjustQty:
		return "", r.Store.SetPositionQty(ctx, f.position.ID, f.held.Qty, now)
	case fixAdoptPosition:
		return r.adoptPosition(ctx, f)
	case fixRepairExits:
		return r.repairExits(ctx, f.position, f.held.Qty, f.exits, f.cancel)
	}
	return "", nil
}

// adoptOrder journals one of our broker orders the journal lacks.
func (r *Reconciler) adoptOrder(ctx context.Context, o broker.Order, parent string) error {
	purpose := orders.PurposeAdopted
	if parent != "" {
		purpose = orders.PurposeExit
	}
	_, err := r.Store.InsertOrder(ctx, orders.RowOf(r.SessionID, o, parent, purpose, r.Now()))
	if errors.Is(err, db.ErrConflict) {
		return nil // journaled meanwhile (by the trader's read-back)
	}
	return err
}

// closeGone closes a position the broker no longer holds: with the exit
// fill's real price when one was found, else with a null price. Our exit
// orders left behind are canceled first, so they cannot open a position.
func (r *Reconciler) closeGone(ctx context.Context, f fix) (string, error) {
	if err := r.cancel(ctx, f.cancel); err != nil {
		return "", err
	}
	if f.exitFill == nil {
		return "", r.Store.ClosePosition(ctx, orders.CloseAt(f.position, r.Now(), decimal.NullDecimal{}, f.reason))
	}
	fill := orders.FillOf(r.SessionID, *f.exitFill, r.Now())
	c := orders.CloseAt(f.position, fill.FilledAt, f.exitFill.FilledAvgPrice, f.reason)
	applied, err := r.Store.ApplyFill(ctx, db.FillEffect{Fill: fill, Close: &c})
	if err != nil {
		return "", fmt.Errorf("record exit fill of %s: %w", f.position.Symbol, err)
	}
	if !applied {
		return "fill already recorded", r.Store.ClosePosition(ctx, c)
	}
	return "pnl " + c.PnL.Decimal.StringFixed(2), nil
}

func (r *Reconciler) cancel(ctx context.Context, orders []broker.Order) error {
	for _, o := range orders {
		if err := r.Broker.CancelOrder(ctx, o.ID); err != nil && !errors.Is(err, broker.ErrNotFound) {
			return fmt.Errorf("cancel exit order %s: %w", o.ClientOrderID, err)
		}
	}
	return nil
}

func (r *Reconciler) adoptPosition(ctx context.Context, f fix) (string, error) {
	p := f.position
	if p.EntryTime.IsZero() {
		p.EntryTime = r.Now().UTC()
	}
	// The claim comes first: a symbol another instance holds is never
	// adopted into this session.
	if err := r.Store.ClaimSymbol(ctx, r.SessionID, p.Symbol, r.Now().UTC()); err != nil {
		return "", fmt.Errorf("adopt position %s: %w", p.Symbol, err)
	}
	id, err := r.Store.OpenPosition(ctx, p)
	if err != nil {
		return "", fmt.Errorf("adopt position %s: %w", p.Symbol, err)
	}
	if f.exits == nil {
		return fmt.Sprintf("position %d", id), nil
	}
	p.ID = id
	detail, err := r.repairExits(ctx, p, f.held.Qty, f.exits, f.cancel)
	if err != nil {
		return "", fmt.Errorf("position %d adopted, exits not attached: %w", id, err)
	}
	return fmt.Sprintf("position %d, %s", id, detail), nil
}

// repairExits places a protective OCO under a client_order_id derived from
// the position and its repair counter. The counter is bumped first and the
// intent journaled before the order is sent: a crash anywhere leaves either
// an intent that the next reconcile resolves by its id, or a fresh id.
func (r *Reconciler) repairExits(ctx context.Context, p db.Position, qty decimal.Decimal, ex *exitPair, cancel []broker.Order) (string, error) {
	if err := r.cancel(ctx, cancel); err != nil {
		return "", err
	}
	n, err := r.Store.IncrementRepairCount(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("bump repair counter of position %d: %w", p.ID, err)
	}
	now := r.Now().UTC()
	side := orders.ExitSide(p.Side)
	intent := db.Order{
		SessionID: r.SessionID, ClientOrderID: orders.RepairID(r.SessionID, p.ID, n),
		Symbol: p.Symbol, OrderType: string(broker.Limit),
		OrderClass: string(broker.OCO), Side: string(side), Qty: qty,
		TakeProfitPrice: decimal.NewNullDecimal(ex.target), StopLossPrice: decimal.NewNullDecimal(ex.stop),
		Status: db.OrderIntent, FilledQty: decimal.Zero, Purpose: orders.PurposeRepair, CreatedAt: now, SubmittedAt: &now, UpdatedAt: now,
	}
	if _, err := r.Store.InsertOrder(ctx, intent); err != nil {
		return "", fmt.Errorf("journal exit repair %s: %w", intent.ClientOrderID, err)
	}
	o, err := r.Broker.PlaceOrder(ctx, broker.OrderRequest{
		ClientOrderID: intent.ClientOrderID, Symbol: p.Symbol, Side: side, Type: broker.Limit, OrderClass: broker.OCO,
		Qty: qty, LimitPrice: decimal.NewNullDecimal(ex.target),
		TakeProfitLimit: decimal.NewNullDecimal(ex.target), StopLossStop: decimal.NewNullDecimal(ex.stop),
	})
	if err != nil {
		if reason, definite := orders.Rejection(err); definite {
			_ = r.Store.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: intent.ClientOrderID, Status: broker.StatusRejected,
				FilledQty: decimal.Zero, RejectionReason: reason, UpdatedAt: now})
		}
		return "", fmt.Errorf("place exit repair %s: %w", intent.ClientOrderID, err)
	}
	if _, err := orders.Record(ctx, r.Store, orders.Resolve(r.SessionID, intent, []db.Position{p}, o, r.Now())); err != nil {
		return "", fmt.Errorf("journal acknowledgement of %s: %w", intent.ClientOrderID, err)
	}
	return "placed " + intent.ClientOrderID, nil
}
