//go:build failpoint

package failpoint_test

import (
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/failpoint"
)

// TestFromEnvRefusesUnknownPoints: in a failpoint build a mistyped point
// or count is an error, not a crash test that never crashes.
func TestFromEnvRefusesUnknownPoints(t *testing.T) {
	for _, spec := range []string{"no-such-point", "after-ack:0", "after-ack:x", "after-intent,typo"} {
		_, err := failpoint.FromEnv(func(string) string { return spec })
		if err == nil {
			t.Errorf("%s=%s was accepted", failpoint.EnvVar, spec)
		}
	}
	s, err := failpoint.FromEnv(func(string) string { return "" })
	if err != nil || s == nil {
		t.Fatalf("empty: %v %v", s, err)
	}
	if !strings.Contains(strings.Join(failpoint.Names(), ","), failpoint.AfterAck) {
		t.Fatal("names")
	}
}
