package trader

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// ClientOrderID is the deterministic id of the session's seq-th order:
// the session prefix reconcile uses to tell our orders from another
// session's, then the per-session sequence number.
func ClientOrderID(sessionID string, seq int64) string {
	return fmt.Sprintf("%s%d", orders.Prefix(sessionID), seq)
}

// enter applies the risk checks to the signals and places bracket entries.
func (t *Trader) enter(ctx context.Context, signals []strategy.Signal) {
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	t.storeResult(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot read positions; no entries this tick")
		return
	}
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	t.storeResult(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot read pending orders; no entries this tick")
		return
	}
	busy := map[string]bool{}
	for _, p := range active {
		busy[p.Symbol] = true
	}
	pending := 0
	for _, o := range open {
		if o.Purpose == orders.PurposeEntry {
			busy[o.Symbol] = true
			pending++
		}
	}
	acct, err := t.broker.Account(ctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("account unavailable; no entries this tick")
		return
	}
	t.rememberAccount(acct)
	power := acct.BuyingPower
	size := t.cfg.PositionSize
	if t.cfg.Capital.IsPositive() {
		power = decimal.Min(power, t.cfg.Capital.Sub(committed(active, open)))
		size = decimal.Min(size, t.cfg.Capital)
	}
	slots := len(active) + pending
	for _, sig := range signals {
		log := t.log.With().Str("symbol", sig.Symbol).Str("direction", string(sig.Direction)).Logger()
		qty := strategy.Qty(size, sig.Price)
		cost := qty.Mul(sig.Price)
		switch {
		case busy[sig.Symbol]:
			log.Debug().Msg("signal ignored: already held or pending")
			continue
		case t.cfg.MaxPositions > 0 && slots >= t.cfg.MaxPositions:
			log.Info().Int("max_positions", t.cfg.MaxPositions).Msg("signal ignored: max positions reached")
			continue
		case qty.LessThan(decimal.NewFromInt(1)):
			log.Info().Str("price", sig.Price.String()).Msg("signal ignored: position size buys less than one share")
			continue
		case cost.GreaterThan(power):
			log.Info().Str("cost", cost.StringFixed(2)).Str("buying_power", power.StringFixed(2)).Msg("signal ignored: not enough buying power")
			continue
		}
		if !t.claim(ctx, sig.Symbol, log) {
			busy[sig.Symbol] = true
			continue
		}
		if err := t.placeEntry(ctx, sig, qty, active); err != nil {
			log.Warn().Err(err).Msg("entry not placed")
			continue
		}
		busy[sig.Symbol] = true
		slots++
		power = power.Sub(cost)
	}
}

// committed is the money the session's allocated capital already backs:
// open positions at their entry price, and entries not yet filled at the
// higher of their exit prices, an upper bound of their fill price (a market
// order's journal row has no price of its own).
func committed(active []db.Position, open []db.Order) decimal.Decimal {
	sum := decimal.Zero
	for _, p := range active {
		sum = sum.Add(p.EntryPrice.Mul(p.Qty))
	}
	for _, o := range open {
		if o.Purpose != orders.PurposeEntry || o.FilledQty.IsPositive() {
			continue
		}
		price := decimal.Max(o.TakeProfitPrice.Decimal, o.StopLossPrice.Decimal, o.LimitPrice.Decimal)
		sum = sum.Add(price.Mul(o.Qty))
	}
	return sum
}

// placeEntry journals the intent, sends the bracket and journals the
// acknowledgement, in that order. A crash between any two steps is resolved
// on resume by looking the order up under its client_order_id.
func (t *Trader) placeEntry(ctx context.Context, sig strategy.Signal, qty decimal.Decimal, active []db.Position) error {
	seq, err := t.store.NextOrderSeq(ctx, t.sessionID())
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("next order sequence: %w", err)
	}
	stop, target := strategy.Exits(sig.Direction, sig.Price, t.cfg.StopLossPct, t.cfg.TakeProfitPct)
	side := broker.Buy
	if sig.Direction == strategy.Down {
		side = broker.Sell
	}
	now := t.now().UTC()
	intent := db.Order{
		SessionID: t.sessionID(), ClientOrderID: ClientOrderID(t.sessionID(), seq), Seq: seq,
		Symbol: sig.Symbol, OrderType: string(broker.Market), OrderClass: string(broker.Bracket), Side: string(side),
		Qty: qty, TakeProfitPrice: decimal.NewNullDecimal(target), StopLossPrice: decimal.NewNullDecimal(stop),
		Status: db.OrderIntent, Purpose: orders.PurposeEntry, CreatedAt: now, SubmittedAt: &now, UpdatedAt: now,
	}
	_, err = t.store.InsertOrder(ctx, intent)
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("journal intent: %w", err)
	}
	t.obs.OrderStatus(intent.Status)
	t.fp.Hit(failpoint.AfterIntent)
	o, err := t.broker.PlaceOrder(ctx, broker.OrderRequest{
		ClientOrderID: intent.ClientOrderID, Symbol: sig.Symbol, Side: side, Type: broker.Market,
		OrderClass: broker.Bracket, Qty: qty,
		TakeProfitLimit: decimal.NewNullDecimal(target), StopLossStop: decimal.NewNullDecimal(stop),
	})
	if err != nil {
		if reason, definite := orders.Rejection(err); definite {
			// Recorded so the intent is not looked up again.
			t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: intent.ClientOrderID, Status: broker.StatusRejected,
				RejectionReason: reason, UpdatedAt: t.now().UTC()})
		}
		// Otherwise the outcome is unknown: the intent stays, and the next
		// read-back resolves it by client_order_id.
		return fmt.Errorf("place %s bracket: %w", intent.ClientOrderID, err)
	}
	t.fp.Hit(failpoint.AfterSend)
	t.log.Info().Str("symbol", sig.Symbol).Str("side", string(side)).Str("qty", qty.String()).
		Str("client_order_id", intent.ClientOrderID).Str("stop", stop.String()).Str("target", target.String()).
		Str("change_pct", sig.ChangePct.StringFixed(2)).Str("volume_ratio", sig.VolumeRatio.StringFixed(2)).
		Msg("entry placed")
	// The acknowledgement goes through the same path as every read-back, so
	// an order that filled at once also opens its position and journals
	// its legs now.
	journal := map[string]db.Order{intent.ClientOrderID: intent}
	if _, err := t.applyRoot(ctx, journal, active, o); err != nil {
		t.log.Warn().Err(err).Str("client_order_id", intent.ClientOrderID).Msg("journaling the acknowledgement failed; the next read-back retries")
	}
	t.fp.Hit(failpoint.AfterAck)
	return nil
}

// recordUpdate journals a broker fact; a failure is logged, and the next
// read-back writes it again.
func (t *Trader) recordUpdate(ctx context.Context, u db.OrderUpdate) {
	err := t.store.UpdateOrder(ctx, u)
	t.storeResult(err)
	if err != nil {
		t.log.Warn().Err(err).Str("client_order_id", u.ClientOrderID).Msg("journal update failed; will retry on next read-back")
		return
	}
	t.obs.OrderStatus(u.Status)
}
