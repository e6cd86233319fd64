package db

import "time"

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
