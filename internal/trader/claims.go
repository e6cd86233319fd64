package trader

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// claim reserves symbol for this session before its entry is journaled.
// Instances that share one broker account would otherwise end up holding
// the same symbol, which the broker nets into one position that neither
// store describes. A claim that outlives its entry (a crash between the
// claim and the intent, a rejected order) is dropped by releaseIdleClaims.
func (t *Trader) claim(ctx context.Context, symbol string, log zerolog.Logger) bool {
	err := t.store.ClaimSymbol(ctx, t.sessionID(), symbol, t.now().UTC())
	t.storeWrite(err)
	var held *db.SymbolClaimedError
	switch {
	case err == nil:
		return true
	case errors.As(err, &held):
		if t.takeOverStale(ctx, held.Claim, log) {
			return true
		}
		log.Info().Str("held_by_session", held.Claim.SessionID).Int("held_by_instance", held.Claim.InstanceID).
			Msg("signal ignored: another session holds this symbol on the shared account")
	default:
		log.Warn().Err(err).Msg("cannot claim the symbol; no entry")
	}
	return false
}

// releaseIdleClaims gives up the claims on symbols this session no longer
// holds or has orders in, so that other instances may trade them.
func (t *Trader) releaseIdleClaims(ctx context.Context) {
	released, err := t.store.ReleaseIdleClaims(ctx, t.sessionID())
	t.storeWrite(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot release idle symbol claims; retrying next tick")
		return
	}
	if len(released) > 0 {
		t.log.Info().Strs("symbols", released).Msg("released symbol claims")
	}
}

// staleClaimRecheck spaces out the broker reads that test whether a claim
// is stale, so a symbol that another session keeps holding costs two
// requests every ten ticks (at most a minute apart), not two a tick.
func (t *Trader) staleClaimRecheck() time.Duration { return min(time.Minute, 10*t.cfg.Interval) }

// takeOverStale takes a claim over when its holder can no longer use it: no
// process trades the holder's session (it completed, or crashed and was not
// resumed), and the broker holds no position and no live order in the
// symbol. A session that completes with open positions keeps their claims
// until the broker has closed them; without this, its symbols would stay
// blocked until someone reconciled it. Taking the claim is safe because the
// broker holds nothing the claim protects, and reconcile treats a symbol
// claimed by another session as gone from this one.
func (t *Trader) takeOverStale(ctx context.Context, c db.SymbolClaim, log zerolog.Logger) bool {
	now := t.now()
	if last, ok := t.claimChecks[c.Symbol]; ok && now.Sub(last) < t.staleClaimRecheck() {
		return false
	}
	t.claimChecks[c.Symbol] = now
	if _, running, err := t.store.LeaseHolder(ctx, c.SessionID); err != nil || running {
		return false
	}
	positions, err := t.broker.Positions(ctx)
	if err != nil {
		return false
	}
	for _, p := range positions {
		if p.Symbol == c.Symbol {
			return false
		}
	}
	open, err := t.broker.Orders(ctx, broker.ListOrders{Status: "open", Symbols: []string{c.Symbol}, Limit: 1})
	if err != nil || len(open) > 0 {
		return false
	}
	if err := t.store.TakeOverClaim(ctx, c.Symbol, c.SessionID, t.sessionID(), now.UTC()); err != nil {
		t.storeWrite(err)
		return false
	}
	log.Warn().Str("from_session", c.SessionID).Int("from_instance", c.InstanceID).
		Msg("took over a stale symbol claim: its session is not running and the broker holds nothing in the symbol")
	return true
}
