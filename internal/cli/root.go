package cli

import (
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// NewRootCmd builds the whole command tree around app.
func NewRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "gambler",
		Short:         "Crash-safe paper trader for US equities",
		Long:          "gambler trades US equities on Alpaca's paper API or a built-in simulated exchange,\njournals every order to a database and resumes exactly where it stopped after a crash.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.loadSettings(cmd); err != nil {
				return err
			}
			return app.validateGlobals()
		},
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default ./gambler.yaml, then $XDG_CONFIG_HOME/gambler/config.yaml)")
	pf.String("database-url", "", "postgres:// URL, sqlite:// URL or file path (default: embedded SQLite under $XDG_DATA_HOME/gambler)")
	pf.String("log-level", "info", "log level: debug, info, warn, error")
	pf.String("log-format", "auto", "log format: auto (console on a terminal, else json), console, json")
	pf.StringP("output", "o", "table", "output format: table or json")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError("%v", err)
	})

	root.AddCommand(
		newVersionCmd(app),
		newMigrateCmd(app),
		newSessionsCmd(app),
		newCheckpointsCmd(app),
		newExchangeCmd(app),
		newTradeCmd(app),
		newReconcileCmd(app),
		newReportCmd(app),
		newStatusCmd(app),
	)
	root.AddCommand(newResumeCmds(app)...)
	// Unknown subcommands and bad positional args are usage errors too.
	var wrapArgs func(c *cobra.Command)
	wrapArgs = func(c *cobra.Command) {
		if c.Args != nil {
			orig := c.Args
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := orig(cmd, args); err != nil {
					return usageError("%v", err)
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			wrapArgs(sub)
		}
	}
	wrapArgs(root)
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError("unknown command %q for gambler", args[0])
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	app.keys = collectKeys(root)
	return root
}

func (a *App) validateGlobals() error {
	switch a.output() {
	case "table", "json":
	default:
		return usageError("output: unknown format %q (use table or json)", a.str("output"))
	}
	if _, err := zerolog.ParseLevel(strings.ToLower(a.str("log.level"))); err != nil {
		return usageError("log.level: unknown level %q (use debug, info, warn or error)", a.str("log.level"))
	}
	switch strings.ToLower(a.str("log.format")) {
	case "auto", "console", "json", "":
	default:
		return usageError("log.format: unknown format %q (use auto, console or json)", a.str("log.format"))
	}
	return nil
}

func (a *App) output() string { return strings.ToLower(a.str("output")) }

// logger builds the zerolog logger for this run; logs go to stderr.
func (a *App) logger() zerolog.Logger {
	level, err := zerolog.ParseLevel(strings.ToLower(a.str("log.level")))
	if err != nil || a.str("log.level") == "" {
		level = zerolog.InfoLevel
	}
	format := strings.ToLower(a.str("log.format"))
	console := format == "console" || ((format == "auto" || format == "") && a.IO.ErrIsTerminal)
	var l zerolog.Logger
	if console {
		l = zerolog.New(zerolog.ConsoleWriter{Out: a.IO.ErrOut, TimeFormat: "15:04:05", NoColor: !a.IO.ErrIsTerminal})
	} else {
		l = zerolog.New(a.IO.ErrOut)
	}
	return l.Level(level).With().Timestamp().Logger()
}
