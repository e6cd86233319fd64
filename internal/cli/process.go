package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// RunProcess is the whole process: signal handling around Main. The first
// SIGINT or SIGTERM cancels the context, which asks for a clean shutdown;
// the second exits at once, which is safe because the journal is always
// consistent.
func RunProcess(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel()
		if _, ok := <-sigs; ok {
			os.Exit(130) //nolint:revive // the second signal means "now"
		}
	}()
	return Main(ctx, args, &App{IO: SystemIO()})
}
