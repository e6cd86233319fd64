// Package realdata finds the real market data that tests read in place:
// the shared data directory beside the work tree, never copied into the
// repository.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// HourlyBars is the real hourly bars file, relative to the directory that
// holds the work tree.
const HourlyBars = "shared/data/bars_1h_2024-11_2025-11.csv"

// BarsFile returns the path of the real hourly bars, looking for
// shared/data in every ancestor of the test's working directory. When it
// is absent the test is skipped, except under CI=true, where it fails: CI
// always has the data and must never pass by skipping.
func BarsFile(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		p := filepath.Join(dir, HourlyBars)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	msg := "real bars not found: no " + HourlyBars + " in any ancestor of the package directory (the shared data sits beside the work tree)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
