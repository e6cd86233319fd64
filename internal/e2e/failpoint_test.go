package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
)

// TestUnknownFailpointIsRefused: in the failpoint build a mistyped point
// is a usage error before anything starts, not a crash test that silently
// never crashes.
func TestUnknownFailpointIsRefused(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, "sqlite", "60")
	p, code := e.Run([]string{"GAMBLER_FAILPOINT=after-intnet"}, e.TradeArgs("--duration", "2s")...)
	if code != 2 || !strings.Contains(p.Stderr(), "GAMBLER_FAILPOINT") || !strings.Contains(p.Stderr(), `unknown failpoint "after-intnet"`) {
		t.Fatalf("exit %d, want 2 naming GAMBLER_FAILPOINT and the point:\n%s", code, tail(p.Stderr(), 2000))
	}
	list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
	if err != nil || len(list) != 0 {
		t.Errorf("a session was started (%d, %v)", len(list), err)
	}
}
