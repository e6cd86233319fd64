package cli

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// exchangeOptions are `gambler exchange`'s options.
type exchangeOptions struct {
	Listen      string
	StateFile   string
	Seed        int
	Speed       decimal.Decimal
	KeyID       string
	Secret      string
	BarsFile    string
	MarketHours bool
	ResetPrices bool
	Start       time.Time
	SlippageBps decimal.Decimal
	InitialCash decimal.Decimal
}

// exchangeReady is the line `gambler exchange` prints once it listens;
// with --output json it is one JSON document.
type exchangeReady struct {
	URL string `json:"url"`
}

func newExchangeCmd(app *App) *cobra.Command {
	o := &exchangeOptions{}
	c := &cobra.Command{
		Use:   "exchange",
		Short: "Run the simulated Alpaca-compatible exchange on its own",
		Long: `Serves Alpaca's trading and market-data REST API from a simulated market, so
gambler (or any Alpaca client) can trade offline. Point the trader at it with
--exchange-url. State survives restarts when --state-file is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return app.runExchange(cmd, o) },
	}
	set := app.bind(c,
		stringOpt(&o.Listen, "listen", "127.0.0.1:8765", "address to listen on").named("addr"),
		stringOpt(&o.StateFile, "state-file", "", "persist orders, positions and account here (atomic writes)").named("path"),
		intOpt(&o.Seed, "seed", 1, 0, 2147483647, "seed of the generated prices"),
		decOpt(&o.Speed, "speed", "1", aboveSpan("0", "10000"), "market time runs this many times faster than wall time"),
		stringOpt(&o.KeyID, "key-id", "", "require this API key id from clients").secretValue(),
		stringOpt(&o.Secret, "secret", "", "require this API secret from clients").secretValue(),
		stringOpt(&o.BarsFile, "bars-file", "", "replay bars from this CSV (symbol,timestamp,open,high,low,close,volume)").named("path"),
		boolOpt(&o.MarketHours, "market-hours", "apply the NYSE calendar and hours (default: always open; on with --bars-file)"),
		boolOpt(&o.ResetPrices, "reset-prices", "let a state file made on another seed or bars file continue on these prices"),
		timeOpt(&o.Start, "start", "market time a new state starts at, such as 2025-03-12T13:00:00Z (default now, or the bars file's 101st bar)"),
		decOpt(&o.SlippageBps, "slippage-bps", "0", closedSpan("0", "1000"), "slippage of market orders in basis points"),
		decOpt(&o.InitialCash, "initial-cash", "100000", closedSpan("1", "1000000000"), "starting cash of the account"),
	)
	set.check = func() error {
		if (o.KeyID == "") != (o.Secret == "") {
			return usageError("--key-id and --secret go together")
		}
		return nil
	}
	return c
}

func (a *App) runExchange(cmd *cobra.Command, o *exchangeOptions) error {
	log := a.logger()
	cfg := exchange.Config{
		StateFile: o.StateFile, Seed: int64(o.Seed), Speed: o.Speed.InexactFloat64(),
		KeyID: o.KeyID, Secret: o.Secret, BarsFile: o.BarsFile, MarketHours: o.MarketHours, ResetPrices: o.ResetPrices, Start: o.Start,
		SlippageBps: o.SlippageBps, InitialCash: o.InitialCash, Logger: log, Now: a.Now,
	}
	// A bars file is a real market: its hours apply unless turned off.
	cfg.MarketHours = cfg.MarketHours || (cfg.BarsFile != "" && !a.given(&o.MarketHours))
	return exchange.Run(cmd.Context(), cfg, o.Listen, func(url string) {
		ready := exchangeReady{URL: url}
		if err := a.render(ready, func() *table {
			return &table{rows: [][]string{{"gambler exchange listening on " + url}}}
		}); err != nil {
			log.Warn().Err(err).Msg("cannot print the listening address")
		}
		log.Info().Str("url", url).Msg("exchange ready")
	})
}
