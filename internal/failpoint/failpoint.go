// Package failpoint lets crash tests kill the process at a named point of
// the order and checkpoint paths. It is inert unless GAMBLER_FAILPOINT names
// a point, so production runs never pay more than a string compare.
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Names of the points the trader passes through.
const (
	AfterIntent       = "after-intent"        // intent journaled, order not yet sent
	AfterSend         = "after-send"          // order sent, acknowledgement not journaled
	AfterAck          = "after-ack"           // acknowledgement journaled
	InCheckpoint      = "in-checkpoint"       // checkpoint being written
	AfterFillObserved = "after-fill-observed" // broker reported a fill, not yet recorded
)

// Set is the armed failpoints. The zero value is inert.
type Set struct {
	mu     sync.Mutex
	armed  map[string]int // name -> hits to skip before firing
	killFn func()
}

// FromEnv arms the points listed in GAMBLER_FAILPOINT, comma separated, each
// optionally "name:N" to fire on the N-th hit (default the first).
func FromEnv(getenv func(string) string) *Set {
	return New(killSelf, strings.Split(getenv("GAMBLER_FAILPOINT"), ",")...)
}

// New arms points ("name" or "name:N") with kill as what a hit does. The
// in-process test harness passes a kill that ends the trader's goroutine;
// only FromEnv ever kills the process.
func New(kill func(), points ...string) *Set {
	s := &Set{armed: map[string]int{}, killFn: kill}
	for _, item := range points {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, nth := item, 1
		if i := strings.IndexByte(item, ':'); i > 0 {
			if n, err := strconv.Atoi(item[i+1:]); err == nil && n > 0 {
				name, nth = item[:i], n
			}
		}
		s.armed[name] = nth
	}
	return s
}

// Hit kills the process with SIGKILL if name is armed and due. SIGKILL, not
// exit, so that no deferred cleanup runs: the test sees what a real crash
// leaves behind.
func (s *Set) Hit(name string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.armed[name]
	if !ok {
		return
	}
	if n > 1 {
		s.armed[name] = n - 1
		return
	}
	delete(s.armed, name) // fires once, also when kill returns
	s.killFn()
}

func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not deliverable late; never continue past a failpoint
}
