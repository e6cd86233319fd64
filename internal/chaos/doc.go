// Package chaos proves the product's two promises with real processes: a
// crash loses nothing, and nothing is ever done twice. Its tests kill the
// trader and the exchange with SIGKILL, inject broker and database faults,
// race resumes, corrupt checkpoints and feed hostile input, then check the
// invariants against the store and the exchange (see internal/e2e).
//
// `go test ./internal/chaos` runs the CI size; `go test -tags chaos` (make
// chaos) runs the long version. GAMBLER_CHAOS_REPORT=file appends one JSON
// line per scenario and driver with the measured figures that
// RELIABILITY.md reports.
package chaos
