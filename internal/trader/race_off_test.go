//go:build !race

package trader_test

const raceEnabled = false
