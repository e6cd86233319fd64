package trader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// AssetChecker is what CheckSymbols needs from the broker.
type AssetChecker interface {
	Asset(ctx context.Context, symbol string) (broker.Asset, error)
}

// SymbolCheck is what the broker says about the symbols of a session.
type SymbolCheck struct {
	Tradable []string // known and tradable, in the order given
	LongOnly []string // tradable but not shortable
	Unknown  []string // the broker does not know them
	Halted   []string // known but not tradable
}

// Bad lists the symbols that cannot be traded at all.
func (c SymbolCheck) Bad() []string { return append(append([]string(nil), c.Unknown...), c.Halted...) }

// CheckSymbols asks the broker about each symbol. A failed request is an
// error, never "unknown".
func CheckSymbols(ctx context.Context, b AssetChecker, symbols []string) (SymbolCheck, error) {
	var c SymbolCheck
	for _, sym := range symbols {
		a, err := b.Asset(ctx, sym)
		switch {
		case errors.Is(err, broker.ErrNotFound):
			c.Unknown = append(c.Unknown, sym)
		case err != nil:
			return c, fmt.Errorf("check symbol %s: %w", sym, err)
		case !a.Tradable:
			c.Halted = append(c.Halted, sym)
		default:
			c.Tradable = append(c.Tradable, sym)
			if !a.Shortable {
				c.LongOnly = append(c.LongOnly, sym)
			}
		}
	}
	return c, nil
}

// recheckAssetsDaily checks once per market day that the traded symbols
// still trade.
func (t *Trader) recheckAssetsDaily(ctx context.Context, marketNow time.Time) {
	day := marketNow.In(t.tf.ny).Format(time.DateOnly)
	if day == t.assetsChecked {
		return
	}
	if t.recheckAssets(ctx, false) {
		t.assetsChecked = day
	}
}

// recheckAssets drops the symbols the broker no longer trades, with one
// warning, and updates which may be shorted. It reports whether the check
// completed.
func (t *Trader) recheckAssets(ctx context.Context, afterFailure bool) bool {
	c, err := CheckSymbols(ctx, t.broker, t.symbols)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot check the symbols with the broker; checked again later")
		return false
	}
	if bad := c.Bad(); len(bad) > 0 {
		t.log.Warn().Strs("dropped", bad).Strs("trading", c.Tradable).Bool("after_failed_bars_request", afterFailure).
			Msg("symbols the broker no longer trades are dropped from this session")
		t.symbols = c.Tradable
	}
	for _, s := range c.LongOnly {
		if !t.longOnly[s] {
			t.log.Warn().Str("symbol", s).Msg("the broker will not lend this symbol: DOWN signals on it are not traded")
			t.longOnly[s] = true
		}
	}
	for s := range t.longOnly {
		if !slices.Contains(c.LongOnly, s) && slices.Contains(c.Tradable, s) {
			delete(t.longOnly, s)
		}
	}
	return true
}

// reportForeign says, once at the start of a run, which positions the
// account holds that no session of this store explains: no claim names
// their symbol and this session does not hold them. Entries never trade
// into them (check refuses each signal on them); reconcile-only lists them
// as foreign.
func (t *Trader) reportForeign(ctx context.Context) {
	held, err := t.broker.Positions(ctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot list the account's positions to look for foreign ones")
		return
	}
	claims, err := t.store.SymbolClaims(ctx)
	t.storeRead(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot read symbol claims to look for foreign positions")
		return
	}
	active, err := t.store.ActivePositions(ctx, t.sessionID())
	t.storeRead(err)
	if err != nil {
		return
	}
	explained := map[string]bool{}
	for _, c := range claims {
		explained[c.Symbol] = true
	}
	for _, p := range active {
		explained[p.Symbol] = true
	}
	var foreign []string
	for _, p := range held {
		if !explained[p.Symbol] {
			foreign = append(foreign, p.Symbol)
		}
	}
	if len(foreign) > 0 {
		slices.Sort(foreign)
		t.log.Warn().Strs("symbols", foreign).
			Msg("the account holds positions no session of this database explains: they are never traded into; see gambler reconcile-only")
	}
}
