package trader

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// errAttempted says an entry for this (session, symbol, bar) was journaled
// before: the bar is not traded twice (docs/design.md, Rules 3).
var errAttempted = errors.New("an entry for this bar was already attempted")

// market is what the risk checks read from the broker once per scan.
type market struct {
	power  decimal.Decimal
	size   decimal.Decimal
	prices map[string]broker.Trade
	held   map[string]bool // symbols the account holds a position in
}

// enter applies the risk checks to the signals and places bracket entries
// priced from the latest trade. Signals it does not trade are logged once
// per reason, with their symbols, not once each.
func (t *Trader) enter(ctx context.Context, signals []strategy.Signal) {
	active, open, claimed, err := t.readBook(ctx)
	if err == nil && holdsAny(active, open, signals) {
		// The book may be stale: an exit that filled since the last
		// read-back (a stop hit at the open) frees its symbol for the
		// signal on the same bar. Read back first, then decide.
		if err = t.sync(ctx); err != nil {
			t.log.Warn().Err(err).Msg("read-back before entries failed; deciding on the book as it stands")
		}
		active, open, claimed, err = t.readBook(ctx)
	}
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot read the session's book; signals not traded")
		return
	}
	busy := map[string]bool{}
	for _, p := range active {
		busy[p.Symbol] = true
	}
	slots := len(active)
	for _, o := range open {
		if o.Purpose == orders.PurposeEntry {
			busy[o.Symbol] = true
			slots++
		}
	}
	m, err := t.readMarket(ctx, signals, active, open)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot read the account or the latest trades; signals not traded")
		return
	}
	skipped := skips{}
	for _, sig := range signals {
		qty, reason := t.check(sig, m, busy, claimed, slots)
		if reason != "" {
			skipped.add(reason, sig.Symbol)
			continue
		}
		log := t.log.With().Str("symbol", sig.Symbol).Str("direction", string(sig.Direction)).Logger()
		if !t.claim(ctx, sig.Symbol, log) {
			busy[sig.Symbol] = true
			continue
		}
		price := m.prices[sig.Symbol].Price
		err := t.placeEntry(ctx, sig, price, qty, active)
		switch {
		case errors.Is(err, errAttempted):
			skipped.add("already attempted on this bar", sig.Symbol)
			continue
		case err != nil:
			log.Warn().Err(err).Msg("entry not placed")
			continue
		}
		busy[sig.Symbol] = true
		slots++
		m.power = m.power.Sub(qty.Mul(price))
	}
	skipped.log(t.log)
}

// holdsAny reports whether the session holds, or has an open order in, the
// symbol of any signal.
func holdsAny(active []db.Position, open []db.Order, signals []strategy.Signal) bool {
	for _, sig := range signals {
		for _, p := range active {
			if p.Symbol == sig.Symbol {
				return true
			}
		}
		for _, o := range open {
			if o.Symbol == sig.Symbol {
				return true
			}
		}
	}
	return false
}

// readBook reads the session's active positions and open orders, and the
// symbols other sessions claim.
func (t *Trader) readBook(ctx context.Context) ([]db.Position, []db.Order, map[string]bool, error) {
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	t.storeResult(err)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read positions: %w", err)
	}
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	t.storeResult(err)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read pending orders: %w", err)
	}
	claims, err := t.store.SymbolClaims(ctx)
	t.storeResult(err)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read symbol claims: %w", err)
	}
	claimed := map[string]bool{}
	for _, c := range claims {
		if c.SessionID != t.sessionID() {
			claimed[c.Symbol] = true
		}
	}
	return active, open, claimed, nil
}

// readMarket reads the account, the latest trade of each signal's symbol
// and the account's positions: three requests per scan with signals.
func (t *Trader) readMarket(ctx context.Context, signals []strategy.Signal, active []db.Position, open []db.Order) (market, error) {
	acct, err := t.broker.Account(ctx)
	if err != nil {
		return market{}, err
	}
	t.rememberAccount(acct)
	m := market{power: acct.BuyingPower, size: t.cfg.PositionSize, held: map[string]bool{}}
	if t.cfg.Capital.IsPositive() {
		m.power = decimal.Min(m.power, t.cfg.Capital.Sub(committed(active, open)))
		m.size = decimal.Min(m.size, t.cfg.Capital)
	}
	syms := make([]string, len(signals))
	for i, s := range signals {
		syms[i] = s.Symbol
	}
	if m.prices, err = t.broker.LatestTrades(ctx, syms); err != nil {
		return market{}, err
	}
	positions, err := t.broker.Positions(ctx)
	if err != nil {
		return market{}, err
	}
	for _, p := range positions {
		m.held[p.Symbol] = true
	}
	return m, nil
}

// check applies the risk checks to one signal and returns the quantity to
// enter, or why not.
func (t *Trader) check(sig strategy.Signal, m market, busy, claimed map[string]bool, slots int) (decimal.Decimal, string) {
	trade, priced := m.prices[sig.Symbol]
	switch {
	case busy[sig.Symbol]:
		return decimal.Zero, "already held or pending"
	case sig.Direction == strategy.Down && t.longOnly[sig.Symbol]:
		return decimal.Zero, "not shortable at the broker"
	case m.held[sig.Symbol] && !claimed[sig.Symbol]:
		// Never trade into a position no session of this store explains.
		return decimal.Zero, "the account holds a foreign position in the symbol"
	case t.cfg.MaxPositions > 0 && slots >= t.cfg.MaxPositions:
		return decimal.Zero, fmt.Sprintf("max positions (%d) reached", t.cfg.MaxPositions)
	case !priced || !trade.Price.IsPositive():
		return decimal.Zero, "no latest trade"
	case throughStop(sig, trade.Price, t.cfg.StopLossPct, t.cfg.TakeProfitPct):
		return decimal.Zero, "the market moved through the stop since the signal"
	}
	qty := strategy.Qty(m.size, trade.Price)
	switch {
	case qty.LessThan(decimal.NewFromInt(1)):
		return decimal.Zero, "position size buys less than one share"
	case qty.Mul(trade.Price).GreaterThan(m.power):
		return decimal.Zero, "not enough buying power"
	}
	return qty, ""
}

// throughStop reports whether price is already at or beyond the stop the
// signal bar's close would have had: the move the signal saw has reversed.
func throughStop(sig strategy.Signal, price, stopLossPct, takeProfitPct decimal.Decimal) bool {
	stop, _ := strategy.Exits(sig.Direction, sig.Price, stopLossPct, takeProfitPct)
	if sig.Direction == strategy.Down {
		return price.GreaterThanOrEqual(stop)
	}
	return price.LessThanOrEqual(stop)
}

// skips gathers the signals a scan did not trade, by reason.
type skips map[string][]string

func (s skips) add(reason, symbol string) { s[reason] = append(s[reason], symbol) }

func (s skips) log(log zerolog.Logger) {
	reasons := make([]string, 0, len(s))
	for r := range s {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		log.Info().Int("count", len(s[r])).Str("symbols", strings.Join(s[r], ",")).Msg("signals not traded: " + r)
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

// placeEntry journals the intent under the bar's client_order_id, checks
// the lease once more, sends the bracket and journals the acknowledgement,
// in that order. The stop and the target are computed from price, the
// latest trade. A crash between any two steps is resolved on resume by
// looking the order up under its client_order_id; a second attempt at the
// same bar, from this process or another, is refused by the journal's
// unique index, and by the broker's.
func (t *Trader) placeEntry(ctx context.Context, sig strategy.Signal, price, qty decimal.Decimal, active []db.Position) error {
	seq, err := t.store.NextOrderSeq(ctx, t.sessionID())
	t.storeResult(err)
	if err != nil {
		return fmt.Errorf("next order sequence: %w", err)
	}
	stop, target := strategy.Exits(sig.Direction, price, t.cfg.StopLossPct, t.cfg.TakeProfitPct)
	side := broker.Buy
	if sig.Direction == strategy.Down {
		side = broker.Sell
	}
	now := t.now().UTC()
	intent := db.Order{
		SessionID: t.sessionID(), ClientOrderID: orders.EntryID(t.sessionID(), sig.Symbol, sig.Bar), Seq: seq,
		Symbol: sig.Symbol, OrderType: string(broker.Market), OrderClass: string(broker.Bracket), Side: string(side),
		Qty: qty, TakeProfitPrice: decimal.NewNullDecimal(target), StopLossPrice: decimal.NewNullDecimal(stop),
		Status: db.OrderIntent, Purpose: orders.PurposeEntry, CreatedAt: now, SubmittedAt: &now, UpdatedAt: now,
	}
	_, err = t.store.InsertOrder(ctx, intent)
	t.storeResult(err)
	if errors.Is(err, db.ErrConflict) {
		return errAttempted
	}
	if err != nil {
		return fmt.Errorf("journal intent: %w", err)
	}
	t.obs.OrderStatus(intent.Status)
	t.fp.Hit(failpoint.AfterIntent)
	if !t.leaseHeld(ctx) {
		return fmt.Errorf("not sent: %w", t.lost)
	}
	o, err := t.broker.PlaceOrder(ctx, broker.OrderRequest{
		ClientOrderID: intent.ClientOrderID, Symbol: sig.Symbol, Side: side, Type: broker.Market,
		OrderClass: broker.Bracket, Qty: qty,
		TakeProfitLimit: decimal.NewNullDecimal(target), StopLossStop: decimal.NewNullDecimal(stop),
	})
	if err != nil {
		if reason, definite := orders.Rejection(err); definite {
			// Recorded so the intent is not looked up again, and the bar is
			// not tried again: its id is spent.
			t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: intent.ClientOrderID, Status: broker.StatusRejected,
				RejectionReason: reason, UpdatedAt: t.now().UTC()})
			t.log.Warn().Str("symbol", sig.Symbol).Str("client_order_id", intent.ClientOrderID).Str("reason", reason).
				Msg("entry rejected by the broker; this bar is not tried again")
			return nil
		}
		// Otherwise the outcome is unknown: the intent stays, and the next
		// read-back resolves it by client_order_id.
		return fmt.Errorf("place %s bracket: %w", intent.ClientOrderID, err)
	}
	t.fp.Hit(failpoint.AfterSend)
	t.log.Info().Str("symbol", sig.Symbol).Str("side", string(side)).Str("qty", qty.String()).
		Str("client_order_id", intent.ClientOrderID).Time("bar", sig.Bar).Str("price", price.String()).
		Str("stop", stop.String()).Str("target", target.String()).
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
