//go:build failpoint

package failpoint

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Enabled reports whether this binary has failpoints.
const Enabled = true

// Set is the armed failpoints. The zero value and nil are inert.
type Set struct {
	mu     sync.Mutex
	armed  map[string]int // name -> hits to skip before firing
	killFn func()
}

// FromEnv arms the points EnvVar lists. An unknown name or a malformed
// count is an error: a test that arms a point which never fires would
// prove nothing.
func FromEnv(getenv func(string) string) (*Set, error) {
	return New(getenv(EnvVar), killSelf)
}

// New arms the points spec lists (EnvVar's syntax) with kill as what a
// due point does.
func New(spec string, kill func()) (*Set, error) {
	s := &Set{armed: map[string]int{}, killFn: kill}
	for _, item := range strings.Split(spec, ",") {
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
		s.armed[name] = nth
	}
	return s, nil
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
	delete(s.armed, name)
	s.killFn()
}

func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not deliverable late; never continue past a failpoint
}
