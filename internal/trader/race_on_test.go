//go:build race

package trader_test

// raceEnabled: the race detector slows the pure-Go SQLite driver tenfold,
// so the replay covers a shorter span under it; make test runs the full
// span without it as well.
const raceEnabled = true
