// Package e2e drives the real gambler binary as child processes: a
// `gambler exchange` process, traders, resumes and kills. Tests here prove
// what no in-process test can: that a process dying at any moment loses
// nothing and duplicates nothing.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds gambler once per test process and returns its path. It is
// built with the failpoint tag, so GAMBLER_FAILPOINT can crash it where a
// test says; the release build (make build) has no failpoints.
func Binary() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gambler-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "gambler")
		args := []string{"build", "-tags", "failpoint", "-o", buildPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "github.com/gambler-trader/gambler/cmd/gambler")
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	return buildPath, buildErr
}
