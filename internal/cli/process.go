package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// duplicateSignalWindow is how soon after the first signal a second one is
// taken for the same one delivered twice rather than for an impatient
// "now". coreutils' timeout sends its signal to the child and then to the
// whole process group, and a terminal's Ctrl-C may reach the process both
// directly and through a wrapper: without this window, `timeout -s INT 1h
// gambler trade` would skip the final checkpoint every time.
const duplicateSignalWindow = time.Second

// secondSignalNote is the one line a second signal prints before the exit.
const secondSignalNote = "gambler: second signal: exiting now, without the final checkpoint; the journal is consistent and resume continues the session"

// RunProcess is the whole process: signal handling around Main. The first
// SIGINT or SIGTERM cancels the context, which asks for a clean shutdown;
// a second one, once duplicateSignalWindow has passed, exits at once, which
// is safe because the journal is always consistent. b is what main was
// stamped with, empty for a development build.
func RunProcess(args []string, b Build) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		first := time.Now()
		cancel()
		for range sigs {
			if time.Since(first) >= duplicateSignalWindow {
				fmt.Fprintln(os.Stderr, secondSignalNote)
				os.Exit(130) //nolint:revive // the second signal means "now"
			}
		}
	}()
	return Main(ctx, args, &App{IO: SystemIO(), Build: b})
}
