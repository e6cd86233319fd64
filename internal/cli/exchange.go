package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func newExchangeCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "exchange",
		Short: "Run the simulated Alpaca-compatible exchange on its own",
		Long: `Serves Alpaca's trading and market-data REST API from a simulated market, so
gambler (or any Alpaca client) can trade offline. Point the trader at it with
--exchange-url. State survives restarts when --state-file is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			const p = "exchange."
			cfg := exchange.Config{
				StateFile: app.str(p + "state_file"),
				KeyID:     app.str(p + "key_id"),
				Secret:    app.str(p + "secret"),
				BarsFile:  app.str(p + "bars_file"),
				Logger:    app.logger(),
				Now:       app.Now,
			}
			seed, err := app.integer(p + "seed")
			if err != nil {
				return err
			}
			cfg.Seed = int64(seed)
			speed, err := app.dec(p + "speed")
			if err != nil {
				return err
			}
			if !speed.IsPositive() {
				return usageError("--speed must be positive")
			}
			cfg.Speed = speed.InexactFloat64()
			if cfg.SlippageBps, err = app.dec(p + "slippage_bps"); err != nil {
				return err
			}
			if cfg.InitialCash, err = app.dec(p + "initial_cash"); err != nil {
				return err
			}
			if cfg.MarketHours, err = app.boolean(p + "market_hours"); err != nil {
				return err
			}
			// A bars file is a real market: its hours apply unless turned off.
			cfg.MarketHours = cfg.MarketHours || (cfg.BarsFile != "" && !app.explicit(cmd, "market-hours"))
			if cfg.ResetPrices, err = app.boolean(p + "reset_prices"); err != nil {
				return err
			}
			if (cfg.KeyID == "") != (cfg.Secret == "") {
				return usageError("--key-id and --secret go together")
			}
			log := app.logger()
			return exchange.Run(cmd.Context(), cfg, app.str(p+"listen"), func(url string) {
				fmt.Fprintf(app.IO.Out, "gambler exchange listening on %s\n", url)
				log.Info().Str("url", url).Msg("exchange ready")
			})
		},
	}
	f := c.Flags()
	f.String("listen", "127.0.0.1:8765", "address to listen on")
	f.String("state-file", "", "persist orders, positions and account here (atomic writes)")
	f.Int("seed", 1, "seed of the generated prices")
	f.String("speed", "1", "market time runs this many times faster than wall time")
	f.String("key-id", "", "require this API key id from clients")
	f.String("secret", "", "require this API secret from clients")
	f.String("bars-file", "", "replay bars from this CSV (symbol,timestamp,open,high,low,close,volume)")
	f.Bool("market-hours", false, "apply the NYSE calendar and hours (default: always open; on with --bars-file)")
	f.Bool("reset-prices", false, "let a state file made on another seed or bars file continue on these prices")
	f.String("slippage-bps", "0", "slippage of market orders in basis points")
	f.String("initial-cash", "100000", "starting cash of the account")
	return c
}
