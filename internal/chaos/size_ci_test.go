//go:build !chaos

package chaos

import "time"

// CI size: the whole package stays within a few minutes under -race.
const (
	crashLoops     = 10
	racingResumes  = 20
	faultSession   = 8 * time.Second
	maxLifeMillis  = 2500
	fullSizeSuffix = ""
	// probePGLeaseAfterOutage runs the second-resume probe after a
	// PostgreSQL outage. Off in CI while the known lease-loss bug is open
	// (see RELIABILITY.md): the probe makes two traders share a session.
	probePGLeaseAfterOutage = false
)
