//go:build !failpoint

package failpoint_test

import (
	"testing"

	"github.com/gambler-trader/gambler/internal/failpoint"
)

// TestReleaseBuildIgnoresEnv: without the failpoint tag the variable arms
// nothing, not even a malformed value, and every point passes.
func TestReleaseBuildIgnoresEnv(t *testing.T) {
	if failpoint.Enabled {
		t.Fatal("the default build reads GAMBLER_FAILPOINT")
	}
	for _, spec := range []string{failpoint.AfterIntent, "in-checkpoint:1,after-ack", "no-such-point", "after-send:x"} {
		s, err := failpoint.FromEnv(func(k string) string {
			if k == failpoint.EnvVar {
				return spec
			}
			return ""
		})
		if err != nil {
			t.Fatalf("%s=%s: %v", failpoint.EnvVar, spec, err)
		}
		for _, name := range failpoint.Names() {
			s.Hit(name) // would SIGKILL the test binary if armed
		}
	}
}
