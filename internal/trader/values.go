package trader

import (
	"context"
	"maps"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// The session's value series (docs/design.md, Session value) is what the
// report draws the equity curve from: the session's own figures when a
// run starts, right after each fill the trader records, and at each
// checkpoint, each at its market time. Checkpoint cleanup leaves it
// alone. It is history, not state: a point that cannot be written is
// logged and trading goes on.

// quoteReuse is how long the broker's prices read for one fill's point
// serve the next: the fills of one read-back are recorded within it, so
// a read-back of fifty fills asks the broker once, not fifty times.
const quoteReuse = time.Second

// quote is the broker's prices as last read for a fill's point. Only the
// loop's goroutine records fills.
type quote struct {
	at     time.Time
	prices pnl.Prices
}

// recordStart appends the session's value as a run begins, so that the
// curve starts where the session does, not at its first checkpoint.
func (t *Trader) recordStart(ctx context.Context) {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.market.known() {
		if _, err := t.readClock(sctx); err != nil {
			t.log.Warn().Err(err).Msg("broker clock unavailable; the value series starts at the first fill or checkpoint")
			return
		}
	}
	if f, ok := t.valueSession(sctx); ok {
		t.recordValue(sctx, db.ValueStart, t.market.at(t.now()), "", f)
	}
}

// recordFill appends the session's value right after a fill it recorded,
// at the fill's market time: its positions as the store now holds them,
// the filled symbol at the fill's price, its other open symbols at the
// broker's current prices.
func (t *Trader) recordFill(ctx context.Context, fill db.Fill) {
	positions, err := t.store.Positions(ctx, t.sessionID())
	t.storeRead(err)
	if err != nil {
		t.log.Warn().Err(err).Str("fill", fill.FillID).Msg("positions unavailable; no value point for this fill")
		return
	}
	if t.fillQuote.at.IsZero() || t.now().Sub(t.fillQuote.at) >= quoteReuse {
		t.fillQuote = quote{at: t.now(), prices: t.prices(ctx, positions)}
	}
	prices := pnl.Prices{BySymbol: maps.Clone(t.fillQuote.prices.BySymbol), Stale: t.fillQuote.prices.Stale}
	if prices.BySymbol == nil {
		prices.BySymbol = map[string]decimal.Decimal{}
	}
	if fill.Price.IsPositive() {
		prices.BySymbol[fill.Symbol] = fill.Price
	}
	t.recordValue(ctx, db.ValueFill, fill.FilledAt, fill.FillID, pnl.Compute(pnl.Capital(t.sess.Row()), positions, prices))
}

// recordValue appends one point; a zero market time (the broker's clock
// never read) cannot be placed and is left out.
func (t *Trader) recordValue(ctx context.Context, source string, marketTime time.Time, fillID string, f pnl.Figures) {
	if marketTime.IsZero() {
		t.log.Debug().Str("source", source).Msg("market time unknown; no value point")
		return
	}
	_, err := t.store.AppendValuePoint(ctx, db.ValuePoint{SessionID: t.sessionID(), MarketTime: marketTime.UTC(),
		RecordedAt: t.now().UTC(), Source: source, FillID: fillID, Equity: f.Equity, Realized: f.Realized,
		Unrealized: f.Unrealized, PricesStale: f.PriceStale, Unpriced: f.Unpriced})
	if err != nil {
		// Not fed to the store's health: the orders, fills and checkpoints
		// say whether the store answers, and a stale lease stops the
		// trader at its next fenced write.
		t.log.Warn().Err(err).Str("source", source).Msg("value point not written; the report's curve will miss it, trading goes on")
	}
}
