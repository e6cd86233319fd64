package trader

import (
	"context"
	"errors"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/db"
)

// claim reserves symbol for this session before its entry is journaled.
// Instances that share one broker account would otherwise end up holding
// the same symbol, which the broker nets into one position that neither
// store describes. A claim that outlives its entry (a crash between the
// claim and the intent, a rejected order) is dropped by releaseIdleClaims.
func (t *Trader) claim(ctx context.Context, symbol string, log zerolog.Logger) bool {
	err := t.store.ClaimSymbol(ctx, t.sessionID(), symbol, t.now().UTC())
	t.storeResult(err)
	var held *db.SymbolClaimedError
	switch {
	case err == nil:
		return true
	case errors.As(err, &held):
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
	t.storeResult(err)
	if err != nil {
		t.log.Warn().Err(err).Msg("cannot release idle symbol claims; retrying next tick")
		return
	}
	if len(released) > 0 {
		t.log.Info().Strs("symbols", released).Msg("released symbol claims")
	}
}
