package sqlstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/orders"
)

// The store's SQL list of terminal statuses (which must match the
// migrations' partial index predicate for the planners to use it) is the
// order life cycle's list.
func TestTerminalStatusesAreTheOrdersList(t *testing.T) {
	var got []string
	for _, q := range strings.Split(strings.Trim(terminalStatuses, "()"), ",") {
		got = append(got, strings.Trim(strings.TrimSpace(q), "'"))
	}
	var want []string
	for _, s := range orders.TerminalStatuses() {
		want = append(want, string(s))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sqlstore lists terminal statuses %v, orders.TerminalStatuses() %v", got, want)
	}
}
