package chaos

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

// tally is one scenario's measured figures on one driver.
type tally struct {
	Scenario   string `json:"scenario"`
	Driver     string `json:"driver"`
	Trials     int    `json:"trials"`
	Kills      int    `json:"kills"`
	Faults     int64  `json:"faults"`
	FaultNote  string `json:"fault_note,omitempty"`
	Violations int    `json:"violations"`
}

var reportMu sync.Mutex

// record registers a tally that is written when the test ends; a failed
// test counts as one violation per failed trial it reported, at least one.
func record(t *testing.T, scenario, driver string) *tally {
	tl := &tally{Scenario: scenario, Driver: driver}
	t.Cleanup(func() {
		if t.Failed() && tl.Violations == 0 {
			tl.Violations = 1
		}
		path := os.Getenv("GAMBLER_CHAOS_REPORT")
		if path == "" {
			return
		}
		reportMu.Lock()
		defer reportMu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Logf("chaos report: %v", err)
			return
		}
		defer f.Close()
		b, _ := json.Marshal(tl)
		_, _ = f.Write(append(b, '\n'))
	})
	return tl
}
