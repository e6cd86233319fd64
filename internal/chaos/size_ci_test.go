//go:build !chaos

package chaos

// CI size: the whole package stays within a few minutes under -race.
const (
	crashLoops     = 10
	racingResumes  = 20
	faultSession   = "8s"
	maxLifeMillis  = 2500
	fullSizeSuffix = ""
)
