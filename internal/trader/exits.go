package trader

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// applyLeg journals a bracket leg and, when it filled, closes the position
// with the leg's real fill price.
func (t *Trader) applyLeg(ctx context.Context, journal map[string]db.Order, positions map[string]db.Position, root, leg broker.Order) error {
	now := t.now().UTC()
	j, known := journal[leg.ClientOrderID]
	if !known {
		// A leg is journaled when first seen; ErrConflict means an earlier
		// read-back already did (it is then no longer open).
		_, err := t.store.InsertOrder(ctx, db.Order{
			SessionID: t.sessionID(), ClientOrderID: leg.ClientOrderID, BrokerOrderID: leg.ID,
			ParentClientOrderID: root.ClientOrderID, Symbol: leg.Symbol, OrderType: string(leg.Type),
			OrderClass: string(root.OrderClass), Side: string(leg.Side), Qty: leg.Qty,
			LimitPrice: leg.LimitPrice, StopPrice: leg.StopPrice, Status: "new", FilledQty: decimal.Zero,
			Purpose: reconcile.PurposeExit, CreatedAt: now, AcknowledgedAt: &now, UpdatedAt: now,
		})
		t.storeResult(err)
		switch {
		case err == nil:
			t.obs.OrderStatus("new")
			j = db.Order{ClientOrderID: leg.ClientOrderID, Status: "new"}
		case errors.Is(err, db.ErrConflict):
			return nil
		default:
			return fmt.Errorf("journal leg %s: %w", leg.ID, err)
		}
	}
	if j.Status == leg.Status {
		return nil
	}
	if leg.Status != broker.StatusFilled {
		t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: leg.ClientOrderID, BrokerOrderID: leg.ID, Status: leg.Status,
			FilledQty: leg.FilledQty, FilledAvgPrice: leg.FilledAvgPrice, UpdatedAt: now})
		return nil
	}
	t.fp.Hit(failpoint.AfterFillObserved)
	e := db.FillEffect{
		Fill: reconcile.FillOf(t.sessionID(), leg, now),
		Order: &db.OrderUpdate{ClientOrderID: leg.ClientOrderID, BrokerOrderID: leg.ID, Status: leg.Status,
			FilledQty: leg.FilledQty, FilledAvgPrice: leg.FilledAvgPrice, UpdatedAt: now},
	}
	p, ok := positions[root.ClientOrderID]
	if ok {
		c := reconcile.CloseAt(p, e.Fill.FilledAt, decimal.NewNullDecimal(leg.FilledAvgPrice.Decimal), reconcile.ExitReason(leg.Type))
		e.Close = &c
	}
	applied, err := t.store.ApplyFill(ctx, e)
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("record exit fill of %s: %w", leg.ID, err)
	}
	t.observeFill(applied, leg.Status)
	if applied && ok {
		t.log.Info().Str("symbol", p.Symbol).Str("reason", e.Close.ExitReason).Str("price", leg.FilledAvgPrice.Decimal.String()).
			Str("pnl", e.Close.PnL.Decimal.StringFixed(2)).Msg("position closed")
		delete(positions, root.ClientOrderID)
	}
	return nil
}
