package trader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

// Resume runs the resume steps after the lease is taken: restore the latest
// good checkpoint, resolve every unacknowledged intent by client_order_id,
// read back fills, reconcile, and write a resume checkpoint. Any broker
// failure stops the resume before the store is changed on its account.
func (t *Trader) Resume(ctx context.Context) error {
	sid := t.sessionID()
	r, err := checkpoint.Restore(ctx, t.store, sid, t.log)
	switch {
	case err == nil:
		t.log.Info().Int64("checkpoint", r.CheckpointID).Time("time", r.CheckpointTime).
			Int("positions", len(r.Positions)).Int("closed", r.ClosedCount).Msg("restored checkpoint")
		if v, ok := r.AccountInfo["portfolio_value"]; ok {
			if d, err := decimal.NewFromString(fmt.Sprint(v)); err == nil {
				t.lastAccount.PortfolioValue, t.haveAccount = d, true
			}
		}
	case errors.Is(err, checkpoint.ErrNoCheckpoint):
		t.log.Info().Msg("no checkpoint to restore; starting from the journal")
	default:
		return err
	}
	if err := t.resolveIntents(ctx); err != nil {
		return err
	}
	if err := t.sync(ctx); err != nil {
		return fmt.Errorf("read back orders: %w", err)
	}
	if err := t.closeVanished(ctx); err != nil {
		return err
	}
	t.checkpoint(ctx, db.TriggerResume)
	return nil
}

// resolveIntents settles every intent that has no acknowledgement: found at
// the broker -> journaled and tracked; unknown -> abandoned, never resent.
func (t *Trader) resolveIntents(ctx context.Context) error {
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	if err != nil {
		return fmt.Errorf("read open intents: %w", err)
	}
	for _, j := range open {
		if j.Status != db.OrderIntent {
			continue
		}
		o, err := t.broker.OrderByClientID(ctx, j.ClientOrderID)
		if errors.Is(err, broker.ErrNotFound) {
			t.abandon(ctx, j)
			continue
		}
		if err != nil {
			return fmt.Errorf("look up intent %s at the broker: %w", j.ClientOrderID, err)
		}
		ack := t.now().UTC()
		if err := t.store.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: o.ID,
			Status: db.OrderIntent, FilledQty: decimal.Zero, AcknowledgedAt: &ack, UpdatedAt: ack}); err != nil {
			return fmt.Errorf("journal acknowledgement of %s: %w", j.ClientOrderID, err)
		}
		t.log.Info().Str("client_order_id", j.ClientOrderID).Str("status", o.Status).
			Msg("unacknowledged intent found at the broker; tracking it")
	}
	return nil
}

// closeVanished closes store positions the broker no longer holds, with the
// real exit price when a closing fill is found and a null price otherwise.
func (t *Trader) closeVanished(ctx context.Context) error {
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	if err != nil {
		return fmt.Errorf("read active positions: %w", err)
	}
	if len(active) == 0 {
		return nil
	}
	held, err := t.broker.Positions(ctx)
	if err != nil {
		return fmt.Errorf("read broker positions: %w", err)
	}
	at := map[string]bool{}
	for _, p := range held {
		at[p.Symbol] = true
	}
	for _, p := range active {
		if at[p.Symbol] {
			continue
		}
		price, when, err := t.exitFill(ctx, p)
		if err != nil {
			return err
		}
		c := closeAt(p, when, price, ReasonClosedAtBroker)
		if err := t.store.ClosePosition(ctx, c); err != nil {
			return fmt.Errorf("close vanished position %s: %w", p.Symbol, err)
		}
		t.log.Warn().Str("symbol", p.Symbol).Str("exit_price", price.Decimal.String()).Bool("price_known", price.Valid).
			Msg("position was closed at the broker; closed in the store")
	}
	return nil
}

// exitFill finds the newest filled order on the opposite side for the
// position's symbol since its entry.
func (t *Trader) exitFill(ctx context.Context, p db.Position) (decimal.NullDecimal, time.Time, error) {
	orders, err := t.broker.Orders(ctx, broker.ListOrders{Status: "closed", Symbols: []string{p.Symbol},
		After: p.EntryTime.Add(-time.Minute), Limit: 100, Nested: true})
	if err != nil {
		return decimal.NullDecimal{}, time.Time{}, fmt.Errorf("read closed orders of %s: %w", p.Symbol, err)
	}
	exitSide := broker.Sell
	if p.Side == string(broker.Sell) {
		exitSide = broker.Buy
	}
	var best broker.Order
	consider := func(o broker.Order) {
		if o.Side == exitSide && o.Status == broker.StatusFilled && o.FilledAvgPrice.Valid && o.FilledAt.After(best.FilledAt) {
			best = o
		}
	}
	for _, o := range orders {
		consider(o)
		for _, l := range o.Legs {
			consider(l)
		}
	}
	if best.ID == "" {
		return decimal.NullDecimal{}, t.now(), nil
	}
	return best.FilledAvgPrice, best.FilledAt, nil
}
