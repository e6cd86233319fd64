// Package cli builds gambler's command tree. Commands are built from option
// structs and write to injected streams, so tests drive the real tree.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/viper"
)

// IOStreams are the process streams, injectable for tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutIsTerminal selects table output by default; ErrIsTerminal selects
	// console logs.
	OutIsTerminal bool
	ErrIsTerminal bool
}

// SystemIO returns the real streams.
func SystemIO() IOStreams {
	return IOStreams{
		In:            os.Stdin,
		Out:           os.Stdout,
		ErrOut:        os.Stderr,
		OutIsTerminal: isatty.IsTerminal(os.Stdout.Fd()),
		ErrIsTerminal: isatty.IsTerminal(os.Stderr.Fd()),
	}
}

// App is what every command shares: streams, environment, clock and the one
// viper instance.
type App struct {
	IO     IOStreams
	Getenv func(string) string
	Now    func() time.Time
	// Signals delivers shutdown signals to long-running commands; nil means
	// none (tests cancel through the context instead).
	Signals <-chan os.Signal
	// Build is what the release build stamped into main (main.version,
	// main.commit); empty for a development build.
	Build Build

	// The run's settings: the config file in the one viper instance, the
	// root's options, and every command's option set.
	v       *viper.Viper
	cfgPath string
	g       globalOptions
	sets    []*optionSet
	byDst   map[any]*option
	// keys holds every known config key, for the unknown-key check.
	keys map[string]bool
}

// Main runs the command line and returns the exit code. Only main exits.
func Main(ctx context.Context, args []string, app *App) int {
	if app.Getenv == nil {
		app.Getenv = os.Getenv
	}
	if app.Now == nil {
		app.Now = time.Now
	}
	root := NewRootCmd(app)
	root.SetArgs(args)
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil {
		msg := strings.TrimSpace(err.Error())
		fmt.Fprintf(app.IO.ErrOut, "gambler: %s\n", msg)
		if exitCode(err) == ExitUsage {
			fmt.Fprintln(app.IO.ErrOut, "Run 'gambler --help' for usage.")
		}
	}
	return exitCode(err)
}
