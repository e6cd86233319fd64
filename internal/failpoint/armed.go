//go:build failpoint

package failpoint

import (
	"os"
	"strings"
	"syscall"
)

// Enabled reports whether this binary reads EnvVar.
const Enabled = true

// FromEnv arms the points EnvVar lists, each killing the process with
// SIGKILL, not exit, so that no deferred cleanup runs: the test sees what
// a real crash leaves behind. An unknown name or a malformed count is an
// error: a crash test whose point never fires would prove nothing.
func FromEnv(getenv func(string) string) (*Set, error) {
	armed, err := parse(strings.Split(getenv(EnvVar), ","))
	if err != nil {
		return nil, err
	}
	return &Set{armed: armed, killFn: killSelf, pauseFn: stopSelf}, nil
}

// stopSelf stops the process (SIGSTOP) until a SIGCONT.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not deliverable late; never continue past a failpoint
}
