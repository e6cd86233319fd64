package cli

import (
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// globalOptions are the root's options, which every command shares, and
// the Alpaca settings, which have no flag: secrets stay out of argv.
type globalOptions struct {
	DatabaseURL string
	LogLevel    string
	LogFormat   string
	Output      string
	Alpaca      alpacaOptions
}

type alpacaOptions struct {
	KeyID, SecretKey, BaseURL, DataURL, Feed string
}

func (g *globalOptions) options() []*option {
	return []*option{
		stringOpt(&g.DatabaseURL, "database-url", "", "postgres:// URL, sqlite:// URL or file path (default: the embedded SQLite under $XDG_DATA_HOME/gambler)").
			withKey("database.url").named("url").secretValue(),
		enumOpt(&g.LogLevel, "log-level", "info", []string{"debug", "info", "warn", "error"}, "log level").withKey("log.level").orUnset(),
		enumOpt(&g.LogFormat, "log-format", "auto", []string{"auto", "console", "json"}, "log format; auto is console on a terminal, else json").
			withKey("log.format").orUnset(),
		enumOpt(&g.Output, "output", "table", []string{"table", "json"}, "output format; JSON field names are stable").withKey("output").shorthand("o"),
		stringOpt(&g.Alpaca.KeyID, "alpaca-key-id", "", "Alpaca API key id; with a secret, trade uses Alpaca paper").
			withKey("alpaca.key_id").withEnv("APCA_API_KEY_ID").noFlag().secretValue(),
		stringOpt(&g.Alpaca.SecretKey, "alpaca-secret-key", "", "Alpaca API secret key; prefer the environment to this file").
			withKey("alpaca.secret_key").withEnv("APCA_API_SECRET_KEY").noFlag().secretValue(),
		stringOpt(&g.Alpaca.BaseURL, "alpaca-base-url", "", "Alpaca trading API (default https://paper-api.alpaca.markets); live endpoints are refused").
			withKey("alpaca.base_url").withEnv("APCA_API_BASE_URL").noFlag().named("url"),
		stringOpt(&g.Alpaca.DataURL, "alpaca-data-url", "", "Alpaca market data API (default https://data.alpaca.markets)").
			withKey("alpaca.data_url").withEnv("APCA_API_DATA_URL").noFlag().named("url"),
		stringOpt(&g.Alpaca.Feed, "alpaca-feed", "iex", "Alpaca market data feed: iex (free) or sip").withKey("alpaca.feed").noFlag(),
	}
}

// NewRootCmd builds the whole command tree around app.
func NewRootCmd(app *App) *cobra.Command {
	app.sets, app.byDst = nil, nil
	root := &cobra.Command{
		Use:               "gambler",
		Short:             "Crash-safe paper trader for US equities",
		Long:              "gambler trades US equities on Alpaca's paper API or a built-in simulated exchange,\njournals every order to a database and resumes exactly where it stopped after a crash.",
		Version:           app.buildInfo().line(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return app.prepare(cmd) },
	}
	root.SetVersionTemplate("gambler {{.Version}}\n")
	root.PersistentFlags().String("config", "", "config file (default ./gambler.yaml, then $XDG_CONFIG_HOME/gambler/config.yaml; env GAMBLER_CONFIG)")
	app.bindPersistent(root, app.g.options()...)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError("%v", err)
	})

	root.AddCommand(
		newVersionCmd(app),
		newConfigCmd(app),
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
	wrapArgs(root)
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError("unknown command %q for gambler", args[0])
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	app.finishKeys()
	return root
}

// wrapArgs makes bad positional arguments usage errors (exit 2).
func wrapArgs(c *cobra.Command) {
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

func (a *App) output() string { return a.g.Output }

// logger builds the zerolog logger for this run; logs go to stderr.
func (a *App) logger() zerolog.Logger {
	level, err := zerolog.ParseLevel(strings.ToLower(a.g.LogLevel))
	if err != nil || a.g.LogLevel == "" {
		level = zerolog.InfoLevel
	}
	format := a.g.LogFormat
	console := format == "console" || ((format == "auto" || format == "") && a.IO.ErrIsTerminal)
	var l zerolog.Logger
	if console {
		l = zerolog.New(zerolog.ConsoleWriter{Out: a.IO.ErrOut, TimeFormat: "15:04:05", NoColor: !a.IO.ErrIsTerminal})
	} else {
		l = zerolog.New(a.IO.ErrOut)
	}
	return l.Level(level).With().Timestamp().Logger()
}
