package trader

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// The session's value series (docs/design.md, Session value) is what the
// report's equity curve is drawn from, with the session's fills and
// positions: the session's own figures and the prices of its open
// positions when a run starts and at each checkpoint, each at its market
// time. Checkpoint cleanup leaves it alone. It is history, not state: a
// point that cannot be written is logged and trading goes on.

// recordStart appends the session's value as a run begins, so that the
// curve starts where the session does, not at its first checkpoint.
func (t *Trader) recordStart(ctx context.Context) {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.market.known() {
		if _, err := t.readClock(sctx); err != nil {
			t.log.Warn().Err(err).Msg("broker clock unavailable; the value series starts at the first checkpoint")
			return
		}
	}
	if f, ok := t.valueSession(sctx); ok {
		t.recordValue(sctx, db.ValueStart, t.market.at(t.now()), f)
	}
}

// recordValue appends one point; a zero market time (the broker's clock
// never read) cannot be placed and is left out.
func (t *Trader) recordValue(ctx context.Context, source string, marketTime time.Time, f pnl.Figures) {
	if marketTime.IsZero() {
		t.log.Debug().Str("source", source).Msg("market time unknown; no value point")
		return
	}
	prices := map[string]decimal.Decimal{}
	for _, o := range f.Open {
		if o.Price.Valid {
			prices[o.Position.Symbol] = o.Price.Decimal
		}
	}
	_, err := t.store.AppendValuePoint(ctx, db.ValuePoint{SessionID: t.sessionID(), MarketTime: marketTime.UTC(),
		RecordedAt: t.now().UTC(), Source: source, Equity: f.Equity, Realized: f.Realized, Unrealized: f.Unrealized,
		Prices: prices, PricesStale: f.PriceStale})
	if err != nil {
		// Not fed to the store's health: the orders, fills and checkpoints
		// say whether the store answers, and a stale lease stops the
		// trader at its next fenced write.
		t.log.Warn().Err(err).Str("source", source).Msg("value point not written; the report's curve will miss it, trading goes on")
	}
}
