package trader

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

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
	began := time.Now()
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
	var placing []placement
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
		placing = append(placing, placement{sig: sig, price: price, qty: qty})
		busy[sig.Symbol] = true
		slots++
		m.power = m.power.Sub(qty.Mul(price))
	}
	decided := time.Since(began)
	for i, err := range t.placeAll(ctx, placing, active, decided) {
		switch {
		case errors.Is(err, errAttempted):
			skipped.add("already attempted on this bar", placing[i].sig.Symbol)
		case err != nil:
			t.log.Warn().Err(err).Str("symbol", placing[i].sig.Symbol).Msg("entry not placed")
		}
	}
	skipped.log(t.log)
}

// placement is an entry the risk checks let through, and what became of
// it.
type placement struct {
	sig        strategy.Signal
	price, qty decimal.Decimal

	intent db.Order
	req    broker.OrderRequest
	placed broker.Order
	err    error // why it stopped: errAttempted, a store error, a send error
}

// placeConcurrency bounds the intents being journaled, and the orders
// being sent, at once.
const placeConcurrency = 8

// parallel runs fn on every placement, placeConcurrency at a time.
func parallel(ps []placement, fn func(*placement)) {
	sem := make(chan struct{}, placeConcurrency)
	var wg sync.WaitGroup
	for i := range ps {
		wg.Add(1)
		sem <- struct{}{}
		go func(p *placement) {
			defer func() { <-sem; wg.Done() }()
			fn(p)
		}(&ps[i])
	}
	wg.Wait()
}

// placeAll places the entries in three passes, so that a scan with many
// signals sends its orders at once: every intent is journaled, each in its
// own transaction and several at a time (concurrent commits share the
// disk's flushes), then the orders are sent several at a time, then every
// acknowledgement is journaled in order. No order is sent before its
// intent is on disk, and the failpoints stay on the trader's goroutine,
// between the passes: a crash there leaves what a crash between two steps
// of one entry does, intents to look up by their client_order_id on
// resume.
func (t *Trader) placeAll(ctx context.Context, ps []placement, active []db.Position, decided time.Duration) []error {
	if len(ps) == 0 {
		return nil
	}
	began := time.Now()
	parallel(ps, func(p *placement) { t.journalIntent(ctx, p) })
	for i := range ps {
		if ps[i].err == nil {
			t.fp.Hit(failpoint.AfterIntent)
		}
	}
	journaled := time.Now()
	parallel(ps, func(p *placement) {
		if p.err == nil {
			t.send(ctx, p)
		}
	})
	sent := time.Now()
	errs := make([]error, len(ps))
	for i := range ps {
		t.acknowledge(ctx, &ps[i], active)
		errs[i] = ps[i].err
	}
	// Wall time, not the trader's clock: this is what the process spent.
	t.log.Info().Int("entries", len(ps)).Dur("decide_ms", decided).Dur("journal_ms", journaled.Sub(began)).Dur("send_ms", sent.Sub(journaled)).
		Dur("acknowledge_ms", time.Since(sent)).Msg("entries placed")
	return errs
}

// journalIntent writes the entry's intent under the bar's client_order_id,
// with the stop and the target computed from the latest trade. A second
// attempt at the same bar, from this process or another, is refused by the
// journal's unique index (errAttempted), and by the broker's.
func (t *Trader) journalIntent(ctx context.Context, p *placement) {
	stop, target := strategy.Exits(p.sig.Direction, p.price, t.cfg.StopLossPct, t.cfg.TakeProfitPct)
	side := broker.Buy
	if p.sig.Direction == strategy.Down {
		side = broker.Sell
	}
	now := t.now().UTC()
	p.intent = db.Order{
		SessionID: t.sessionID(), ClientOrderID: orders.EntryID(t.sessionID(), p.sig.Symbol, p.sig.Bar),
		Symbol: p.sig.Symbol, OrderType: string(broker.Market), OrderClass: string(broker.Bracket), Side: string(side),
		Qty: p.qty, TakeProfitPrice: decimal.NewNullDecimal(target), StopLossPrice: decimal.NewNullDecimal(stop),
		Status: db.OrderIntent, Purpose: orders.PurposeEntry, CreatedAt: now, SubmittedAt: &now, UpdatedAt: now,
	}
	p.req = broker.OrderRequest{ClientOrderID: p.intent.ClientOrderID, Symbol: p.sig.Symbol, Side: side,
		Type: broker.Market, OrderClass: broker.Bracket, Qty: p.qty,
		TakeProfitLimit: decimal.NewNullDecimal(target), StopLossStop: decimal.NewNullDecimal(stop)}
	_, err := t.store.InsertOrder(ctx, p.intent)
	t.storeWrite(err)
	switch {
	case errors.Is(err, db.ErrConflict):
		p.err = errAttempted
		return
	case err != nil:
		p.err = fmt.Errorf("journal intent: %w", err)
		return
	}
	t.obs.OrderStatus(p.intent.Status)
}

// send checks the lease once more and sends the bracket.
func (t *Trader) send(ctx context.Context, p *placement) {
	if !t.leaseHeld(ctx) {
		p.err = fmt.Errorf("not sent: %w", t.lostErr())
		return
	}
	p.placed, p.err = t.broker.PlaceOrder(ctx, p.req)
}

// acknowledge journals what the broker said about a sent entry: a definite
// rejection, once, so the bar is not tried again; otherwise the
// acknowledgement through the same path as every read-back, so an order
// that filled at once also opens its position and journals its legs now.
// An outcome the broker left unknown keeps the intent for the next
// read-back to resolve by client_order_id.
func (t *Trader) acknowledge(ctx context.Context, p *placement, active []db.Position) {
	if p.err != nil {
		if reason, definite := orders.Rejection(p.err); definite && p.intent.ClientOrderID != "" {
			t.recordUpdate(ctx, db.OrderUpdate{ClientOrderID: p.intent.ClientOrderID, Status: broker.StatusRejected,
				RejectionReason: reason, UpdatedAt: t.now().UTC()})
			t.log.Warn().Str("symbol", p.sig.Symbol).Str("client_order_id", p.intent.ClientOrderID).Str("reason", reason).
				Msg("entry rejected by the broker; this bar is not tried again")
			p.err = nil
		}
		return
	}
	t.fp.Hit(failpoint.AfterSend)
	t.log.Info().Str("symbol", p.sig.Symbol).Str("side", string(p.req.Side)).Str("qty", p.qty.String()).
		Str("client_order_id", p.intent.ClientOrderID).Time("bar", p.sig.Bar).Str("price", p.price.String()).
		Str("stop", p.req.StopLossStop.Decimal.String()).Str("target", p.req.TakeProfitLimit.Decimal.String()).
		Str("change_pct", p.sig.ChangePct.StringFixed(2)).Str("volume_ratio", p.sig.VolumeRatio.StringFixed(2)).
		Msg("entry placed")
	journal := map[string]db.Order{p.intent.ClientOrderID: p.intent}
	if _, err := t.applyRoot(ctx, journal, active, p.placed); err != nil {
		t.log.Warn().Err(err).Str("client_order_id", p.intent.ClientOrderID).Msg("journaling the acknowledgement failed; the next read-back retries")
	}
	t.fp.Hit(failpoint.AfterAck)
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
	t.storeRead(err)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read positions: %w", err)
	}
	open, err := t.store.SessionOrders(ctx, t.sessionID(), true)
	t.storeRead(err)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read pending orders: %w", err)
	}
	claims, err := t.store.SymbolClaims(ctx)
	t.storeRead(err)
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

// recordUpdate journals a broker fact; a failure is logged, and the next
// read-back writes it again.
func (t *Trader) recordUpdate(ctx context.Context, u db.OrderUpdate) {
	err := t.store.UpdateOrder(ctx, u)
	t.storeWrite(err)
	if err != nil {
		t.log.Warn().Err(err).Str("client_order_id", u.ClientOrderID).Msg("journal update failed; will retry on next read-back")
		return
	}
	t.obs.OrderStatus(u.Status)
}
