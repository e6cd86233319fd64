// Package failpoint lets crash tests stop the trader at a named point of
// the order and checkpoint paths. Tests arm points in code with New and a
// kill of their own (the in-process harness ends the trader's goroutine).
// Only a binary built with the failpoint tag reads GAMBLER_FAILPOINT and
// kills its own process (the e2e and chaos tests build gambler that way);
// in the release build FromEnv ignores the variable, and nothing else
// arms a point, so no environment can make a production process kill
// itself.
package failpoint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Names of the points the trader passes through.
const (
	AfterIntent       = "after-intent"        // intent journaled, order not yet sent
	AfterSend         = "after-send"          // order sent, acknowledgement not journaled
	AfterAck          = "after-ack"           // acknowledgement journaled
	InCheckpoint      = "in-checkpoint"       // checkpoint being written
	AfterFillObserved = "after-fill-observed" // broker reported a fill, not yet recorded
	// AfterLeaseCheck pauses rather than kills: a scan that checked its
	// lease stops there until it is let go (SIGCONT for a process), as a
	// process frozen by a debugger, a VM pause or a long GC would, so a
	// test can take the session over meanwhile.
	AfterLeaseCheck = "after-lease-check"
)

// EnvVar arms failpoints in a failpoint build: comma separated names,
// each optionally "name:N" to fire on the N-th hit (default the first).
const EnvVar = "GAMBLER_FAILPOINT"

// Names lists every point.
func Names() []string {
	return []string{AfterIntent, AfterSend, AfterAck, InCheckpoint, AfterFillObserved, AfterLeaseCheck}
}

// Set is the armed failpoints. The zero value and nil are inert.
type Set struct {
	mu      sync.Mutex
	armed   map[string]int // name -> hits to skip before firing
	killFn  func()
	pauseFn func()
}

// New arms points ("name" or "name:N") with kill as what a due point does.
// A point that does not exist is a mistake in the test that names it, so
// New panics rather than arm nothing.
func New(kill func(), points ...string) *Set {
	armed, err := parse(points)
	if err != nil {
		panic(err)
	}
	return &Set{armed: armed, killFn: kill}
}

// parse reads "name" and "name:N" items; an unknown name or a count that
// is not a positive integer is an error.
func parse(points []string) (map[string]int, error) {
	armed := map[string]int{}
	for _, item := range points {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, nth := item, 1
		if n, count, ok := strings.Cut(item, ":"); ok {
			c, err := strconv.Atoi(count)
			if err != nil || c < 1 {
				return nil, fmt.Errorf("failpoint %q: the count after ':' must be a positive integer", item)
			}
			name, nth = n, c
		}
		if !slices.Contains(Names(), name) {
			return nil, fmt.Errorf("unknown failpoint %q (known: %s)", name, strings.Join(Names(), ", "))
		}
		armed[name] = nth
	}
	return armed, nil
}

// Hit runs the kill if name is armed and due; a point fires once.
func (s *Set) Hit(name string) {
	if s.due(name) {
		s.killFn()
	}
}

// Pause runs the pause if name is armed and due; a point fires once. It
// returns when the pause does (the process was continued).
func (s *Set) Pause(name string) {
	if s.due(name) && s.pauseFn != nil {
		s.pauseFn()
	}
}

// WithPause sets what a due pause point does, for tests that arm points in
// code; it returns s.
func (s *Set) WithPause(pause func()) *Set {
	s.pauseFn = pause
	return s
}

// due reports whether name is armed and due now, and disarms it then. The
// lock is not held while the point acts: a pause must not hold up the
// others.
func (s *Set) due(name string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.armed[name]
	if !ok {
		return false
	}
	if n > 1 {
		s.armed[name] = n - 1
		return false
	}
	delete(s.armed, name) // fires once, also when the action returns
	return true
}
