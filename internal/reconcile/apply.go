package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
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
	case fixJournalUpdate:
		return "", r.Store.UpdateOrder(ctx, r.orderUpdate(f.journal, f.order))
	case fixFillOpen, fixFillClose, fixFillOnly:
		return r.applyFill(ctx, f)
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

func (r *Reconciler) orderUpdate(j db.Order, o broker.Order) db.OrderUpdate {
	now := r.Now().UTC()
	u := db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: o.ID, Status: o.Status,
		FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice, UpdatedAt: now}
	if j.AcknowledgedAt == nil {
		u.AcknowledgedAt = &now
	}
	return u
}

// applyFill records a fill exactly once, with the position it opens or
// closes in the same transaction.
func (r *Reconciler) applyFill(ctx context.Context, f fix) (string, error) {
	j, o := f.journal, f.order
	u := r.orderUpdate(j, o)
	e := db.FillEffect{Fill: FillOf(r.SessionID, o, r.Now()), Order: &u}
	switch f.kind {
	case fixFillOpen:
		dir := db.DirectionUp
		if o.Side == broker.Sell {
			dir = db.DirectionDown
		}
		e.Open = &db.Position{SessionID: r.SessionID, Symbol: o.Symbol, EntryTime: e.Fill.FilledAt,
			EntryPrice: o.FilledAvgPrice.Decimal, Qty: o.FilledQty, Direction: dir, Side: string(o.Side),
			StopLoss: j.StopLossPrice, TakeProfit: j.TakeProfitPrice, OrderID: o.ID, Status: db.PositionActive,
			EntryClientOrderID: j.ClientOrderID}
	case fixFillClose:
		c := CloseAt(f.position, e.Fill.FilledAt, o.FilledAvgPrice, f.reason)
		e.Close = &c
	}
	applied, err := r.Store.ApplyFill(ctx, e)
	if errors.Is(err, db.ErrConflict) && e.Open != nil {
		// Another active position in the symbol (adopted meanwhile):
		// journal the order, leave the position as it is.
		e.Open = nil
		applied, err = r.Store.ApplyFill(ctx, e)
	}
	if err != nil {
		return "", fmt.Errorf("record fill of %s: %w", o.ClientOrderID, err)
	}
	if !applied {
		// The fill was recorded before; the journal row may still lag.
		return "fill already recorded", r.Store.UpdateOrder(ctx, u)
	}
	return "", nil
}

// adoptOrder journals one of our broker orders the journal lacks.
func (r *Reconciler) adoptOrder(ctx context.Context, o broker.Order, parent string) error {
	now := r.Now().UTC()
	purpose := PurposeAdopted
	if parent != "" {
		purpose = PurposeExit
	}
	_, err := r.Store.InsertOrder(ctx, db.Order{
		SessionID: r.SessionID, ClientOrderID: o.ClientOrderID, Seq: seqOf(Prefix(r.SessionID), o.ClientOrderID),
		BrokerOrderID: o.ID, ParentClientOrderID: parent, Symbol: o.Symbol, OrderType: string(o.Type),
		OrderClass: string(o.OrderClass), Side: string(o.Side), Qty: o.Qty, LimitPrice: o.LimitPrice,
		StopPrice: o.StopPrice, Status: o.Status, FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice,
		Purpose: purpose, CreatedAt: now, AcknowledgedAt: &now, UpdatedAt: now,
	})
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
		return "", r.Store.ClosePosition(ctx, CloseAt(f.position, r.Now(), decimal.NullDecimal{}, f.reason))
	}
	o := *f.exitFill
	c := CloseAt(f.position, FillOf(r.SessionID, o, r.Now()).FilledAt, o.FilledAvgPrice, f.reason)
	applied, err := r.Store.ApplyFill(ctx, db.FillEffect{Fill: FillOf(r.SessionID, o, r.Now()), Close: &c})
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
	side := exitSide(p.Side)
	intent := db.Order{
		SessionID: r.SessionID, ClientOrderID: RepairClientOrderID(r.SessionID, p.ID, n),
		Symbol: p.Symbol, OrderType: string(broker.Limit),
		OrderClass: string(broker.OCO), Side: string(side), Qty: qty,
		TakeProfitPrice: decimal.NewNullDecimal(ex.target), StopLossPrice: decimal.NewNullDecimal(ex.stop),
		Status: db.OrderIntent, FilledQty: decimal.Zero, Purpose: PurposeRepair, CreatedAt: now, SubmittedAt: &now, UpdatedAt: now,
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
		var apiErr *broker.APIError
		if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 && apiErr.Status != 429 {
			_ = r.Store.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: intent.ClientOrderID, Status: broker.StatusRejected,
				FilledQty: decimal.Zero, RejectionReason: apiErr.Message, UpdatedAt: now})
		}
		return "", fmt.Errorf("place exit repair %s: %w", intent.ClientOrderID, err)
	}
	if err := r.Store.UpdateOrder(ctx, r.orderUpdate(intent, o)); err != nil {
		return "", fmt.Errorf("journal acknowledgement of %s: %w", intent.ClientOrderID, err)
	}
	return "placed " + intent.ClientOrderID, nil
}
