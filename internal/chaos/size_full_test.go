//go:build chaos

package chaos

import "time"

// make chaos size.
const (
	crashLoops    = 200
	racingResumes = 20
	leaseRounds   = 20 // lease lost mid-tick, per store
	faultSession  = 60 * time.Second
	maxLifeMillis = 3000
	// longRun runs the trials whose behaviour CI already covers in-process
	// (internal/trader, the CLI scripts).
	longRun        = true
	fullSizeSuffix = " (make chaos)"
)
