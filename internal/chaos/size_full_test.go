//go:build chaos

package chaos

// make chaos size.
const (
	crashLoops     = 200
	racingResumes  = 20
	faultSession   = "60s"
	maxLifeMillis  = 3000
	fullSizeSuffix = " (make chaos)"
)
