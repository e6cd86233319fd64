package db

import (
	"errors"
	"fmt"
	"time"
)

// SymbolClaim reserves a symbol for one session. Several instances share one
// broker account, and the broker nets positions per symbol, so a session
// claims a symbol before it enters and keeps the claim while it holds a
// position or has an open order in it.
type SymbolClaim struct {
	Symbol     string
	SessionID  string
	InstanceID int
	ClaimedAt  time.Time
}

// claimAttempts bounds ClaimProtocol's insert-or-read loop: a claim that
// another session releases between the two statements is taken on the next
// attempt.
const claimAttempts = 3

// ClaimSteps are one driver's statements for ClaimProtocol.
type ClaimSteps struct {
	// Insert claims the symbol unless it is claimed already, and reports
	// whether it did.
	Insert func() (bool, error)
	// Holder reads the symbol's claim; an error wrapping ErrNotFound when
	// there is none.
	Holder func() (SymbolClaim, error)
	// SessionExists fails (with ErrNotFound) for a missing session, whose
	// claim insert selects no row.
	SessionExists func() error
}

// ClaimProtocol is ClaimSymbol for both drivers: insert, and when that
// claimed nothing, find out who holds the symbol. Claiming a symbol the
// session holds already succeeds.
func ClaimProtocol(sessionID, symbol string, st ClaimSteps) error {
	for range claimAttempts {
		inserted, err := st.Insert()
		if err != nil {
			return fmt.Errorf("claim %s for session %s: %w", symbol, sessionID, err)
		}
		if inserted {
			return nil
		}
		c, err := st.Holder()
		switch {
		case errors.Is(err, ErrNotFound):
			if err := st.SessionExists(); err != nil {
				return fmt.Errorf("claim %s: %w", symbol, err)
			}
			continue // released meanwhile: try again
		case err != nil:
			return fmt.Errorf("read the claim on %s: %w", symbol, err)
		case c.SessionID == sessionID:
			return nil
		default:
			c.ClaimedAt = c.ClaimedAt.UTC()
			return &SymbolClaimedError{Claim: c}
		}
	}
	return fmt.Errorf("claim %s for session %s: the claim changed hands %d times; try again", symbol, sessionID, claimAttempts)
}
