package exchange

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrStateFileLocked means another exchange holds the state file: two
// processes writing one file would each overwrite the other's orders.
var ErrStateFileLocked = errors.New("state file in use")

// stateLock is the exclusive lock on a state file, held for the life of
// the exchange. The lock file beside the state file names its holder.
type stateLock struct {
	fl *flock.Flock
}

// holderReadTries covers the instant between a winner taking the lock and
// writing its name into the lock file.
const (
	holderReadTries = 5
	holderReadDelay = 10 * time.Millisecond
)

func lockStateFile(stateFile string, now time.Time) (*stateLock, error) {
	path := stateFile + ".lock"
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock state file %s: %w", stateFile, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s is held by %s (lock file %s); stop that exchange, or give this one its own state file",
			ErrStateFileLocked, stateFile, readHolder(path), path)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("pid %d on %s since %s\n", os.Getpid(), host, now.UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(holder), 0o600); err != nil {
		return nil, errors.Join(fmt.Errorf("record the holder of %s: %w", stateFile, err), fl.Unlock())
	}
	return &stateLock{fl: fl}, nil
}

func readHolder(path string) string {
	for i := 0; ; i++ {
		b, err := os.ReadFile(path)
		if s := strings.TrimSpace(string(b)); err == nil && s != "" {
			return s
		}
		if i == holderReadTries {
			return "another process"
		}
		time.Sleep(holderReadDelay)
	}
}

func (l *stateLock) release() error {
	if l == nil {
		return nil
	}
	return l.fl.Unlock()
}
