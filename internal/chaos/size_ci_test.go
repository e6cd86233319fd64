//go:build !chaos

package chaos

import "time"

// CI size: the whole package stays within a few minutes under -race.
const (
	crashLoops    = 10
	racingResumes = 20
	leaseRounds   = 1 // lease lost mid-tick, per store
	faultSession  = 8 * time.Second
	maxLifeMillis = 2500
	// longRun runs the trials whose behaviour CI already covers in-process
	// (internal/trader, the CLI scripts).
	longRun        = false
	fullSizeSuffix = ""
)
