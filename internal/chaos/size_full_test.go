//go:build chaos

package chaos

import "time"

// make chaos size.
const (
	crashLoops     = 200
	racingResumes  = 20
	faultSession   = 60 * time.Second
	maxLifeMillis  = 3000
	fullSizeSuffix = " (make chaos)"
	// probePGLeaseAfterOutage runs the second-resume probe after a
	// PostgreSQL outage. Off in CI while the known lease-loss bug is open
	// (see RELIABILITY.md): the probe makes two traders share a session.
	probePGLeaseAfterOutage = true
)
