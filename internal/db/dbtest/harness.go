// Package dbtest is the conformance suite both store drivers must pass, and
// the helpers their tests (and other packages' tests) use to get a fresh
// database. It reaches the database only through db.Store, except where a
// test must go around the contract (legacy rows, immutability), which it does
// with Harness.Exec.
package dbtest

import (
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
)

// Harness adapts one driver to the suite.
type Harness struct {
	Name string
	// New returns a store on a FRESH, migrated, empty database that is
	// dropped at t.Cleanup.
	New func(t testing.TB) db.Store
	// Exec runs raw SQL (no placeholders; literals only) against the same
	// database as s, for tests that must reach around the contract.
	Exec func(t testing.TB, s db.Store, sql string) error
}

// suiteTest is one conformance check; each gets its own fresh database.
type suiteTest struct {
	name string
	run  func(t *testing.T, h Harness)
}

func suite() []suiteTest {
	var all []suiteTest
	for _, group := range [][]suiteTest{
		sessionTests(),
		leaseTests(),
		fenceTests(),
		positionTests(),
		journalTests(),
		fillTests(),
		checkpointTests(),
		retentionTests(),
		legacyTests(),
		summaryTests(),
		claimTests(),
		seriesTests(),
		valueTests(),
	} {
		all = append(all, group...)
	}
	return all
}

// Run runs every conformance test against h. Every test owns its database,
// so all of them run in parallel.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Exec == nil {
		t.Fatalf("dbtest: harness %q needs both New and Exec", h.Name)
	}
	for _, st := range suite() {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			st.run(t, h)
		})
	}
}
