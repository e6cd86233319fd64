package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gambler-trader/gambler/internal/config"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// tradeSection is the config section shared by trade, resume and
// resume-session, so one config file serves all three.
const tradeSection = "trade"

// settingFlags are the trade flags whose values a session stores and a
// resume restores (unless given again).
var settingFlags = []string{
	"symbols", "duration", "interval", "checkpoint-interval", "broker", "exchange-url", "sim-speed", "sim-seed",
	"stop-loss-pct", "take-profit-pct", "position-size", "min-price-change-pct", "min-volume-ratio",
	"max-positions", "timeframe", "capital", "close-on-exit", "settle-delay", "signal-max-age",
}

func addTradeFlags(fs *pflag.FlagSet, withSymbols bool) {
	if withSymbols {
		fs.String("symbols", "AAPL,MSFT,GOOGL,TSLA,NVDA", "comma separated tickers to trade")
	}
	fs.String("duration", "60", "how long to trade: minutes, or a Go duration (90s, 2h); 0 runs until stopped")
	fs.String("interval", "60", "how often orders and positions are read back and exits applied: seconds, or a Go duration (scans follow bar closes)")
	fs.String("settle-delay", "3s", "market time after a bar's close before it is scanned, so the data feed has published it")
	fs.String("signal-max-age", "", "how long after its bar closed (market time) a signal may still be traded (default one bar)")
	fs.String("checkpoint-interval", "30", "checkpoint interval: seconds, or a Go duration")
	fs.String("broker", "", "sim or alpaca (default: alpaca when Alpaca keys are configured, else sim)")
	fs.String("exchange-url", "", "use a separately running `gambler exchange` at this URL")
	fs.String("sim-speed", "60", "in-process simulated market: market time runs this many times faster than wall time")
	fs.Int("sim-seed", 1, "in-process simulated market: price seed")
	fs.String("stop-loss-pct", "2", "stop loss, percent from entry")
	fs.String("take-profit-pct", "4", "take profit, percent from entry")
	fs.String("position-size", "10000", "dollars per position; qty = floor(size / price)")
	fs.String("min-price-change-pct", "2", "momentum: minimum |change%| over the last bars")
	fs.String("min-volume-ratio", "2", "momentum: minimum mean volume ratio over the last bars")
	fs.String("timeframe", "5Min", "momentum: bar timeframe (1Min, 5Min, 15Min, 30Min, 1Hour, 1Day)")
	fs.Int("max-positions", 0, "at most this many open positions (0 = no limit)")
	fs.String("capital", "", "allocated capital: caps the money committed to open positions (default: buying power)")
	fs.Bool("close-on-exit", false, "close all positions when the session ends (default: leave them protected by their exit orders)")
	fs.Int("instance-id", 1, "instance id, for several traders sharing one database")
	fs.Bool("force", false, "resume even when reconciliation finds a side mismatch")
	fs.String("metrics-addr", "", "serve Prometheus /metrics and /healthz on this host:port (empty = off)")
	fs.String("shutdown-timeout", "10s", "after Ctrl-C, how long the broker may take to answer the final read-back (1s to 2m); the final checkpoint is written either way")
}

// tradeOptions are a run's parsed settings.
type tradeOptions struct {
	symbols      []string
	duration     time.Duration
	durationSet  bool // given for this run (on resume it replaces the remaining time)
	interval     time.Duration
	cpInterval   time.Duration
	settleDelay  time.Duration
	signalMaxAge time.Duration
	shutdownWait time.Duration
	broker       string
	exchangeURL  string
	simSpeed     decimal.Decimal
	simSeed      int
	stopLoss     decimal.Decimal
	takeProfit   decimal.Decimal
	positionSize decimal.Decimal
	capital      decimal.Decimal
	maxPositions int
	closeOnExit  bool
	instanceID   int
	force        bool
	momentum     strategy.MomentumParams
	// raw are the values as given, stored with the session for resume.
	raw map[string]string
}

// explicit reports whether the user set key for this run, on the command
// line, in the environment or in the config file.
func (a *App) explicit(cmd *cobra.Command, flag string) bool {
	key := flagKey(cmd, flag)
	if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
		return true
	}
	return a.v.InConfig(key) || a.Getenv("GAMBLER_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))) != ""
}

// tradeOptions resolves the run's settings: explicit values first, then the
// settings stored with a resumed session, then defaults.
func (a *App) tradeOptions(cmd *cobra.Command, stored []byte) (tradeOptions, error) {
	saved := map[string]string{}
	if len(stored) > 0 {
		if err := json.Unmarshal(stored, &saved); err != nil {
			log := a.logger()
			log.Warn().Err(err).Msg("stored session settings unreadable; using flags and defaults")
		}
	}
	raw := map[string]string{}
	for _, name := range settingFlags {
		key := tradeSection + "." + strings.ReplaceAll(name, "-", "_")
		v, ok := saved[name]
		// A resumed session keeps its symbols: resume has no --symbols.
		if !ok || (cmd.Flags().Lookup(name) != nil && a.explicit(cmd, name)) {
			v = a.v.GetString(key)
		}
		raw[name] = strings.TrimSpace(v)
	}
	o := tradeOptions{raw: raw}
	var err error
	if o.symbols, err = config.ParseSymbols([]string{raw["symbols"]}); err != nil {
		return o, usageError("--symbols: %v", err)
	}
	if o.duration, err = config.ParseDuration(raw["duration"], time.Minute); err != nil || o.duration < 0 {
		return o, usageError("--duration: %s", errOr(err, "must be 0 (until stopped) or positive"))
	}
	o.durationSet = a.explicit(cmd, "duration")
	if o.interval, err = config.ParsePositiveDuration(raw["interval"], time.Second); err != nil {
		return o, usageError("--interval: %v", err)
	}
	if o.cpInterval, err = config.ParsePositiveDuration(raw["checkpoint-interval"], time.Second); err != nil {
		return o, usageError("--checkpoint-interval: %v", err)
	}
	if o.settleDelay, err = config.ParseDuration(raw["settle-delay"], time.Second); err != nil || o.settleDelay < 0 || o.settleDelay > time.Hour {
		return o, usageError("--settle-delay: %s", errOr(err, "must be between 0 and 1h"))
	}
	if raw["signal-max-age"] != "" {
		if o.signalMaxAge, err = config.ParsePositiveDuration(raw["signal-max-age"], time.Second); err != nil {
			return o, usageError("--signal-max-age: %v", err)
		}
	}
	// Not a stored setting: the budget is the operator's for this run, and
	// the systemd unit's stop timeout (150 s) must cover it.
	if o.shutdownWait, err = a.positiveDuration(tradeSection+".shutdown_timeout", time.Second); err != nil {
		return o, err
	}
	if o.shutdownWait < time.Second || o.shutdownWait > 2*time.Minute {
		return o, usageError("--shutdown-timeout must be between 1s and 2m, got %s", o.shutdownWait)
	}
	const maxInterval = 24 * time.Hour
	if o.interval > maxInterval || o.cpInterval > maxInterval {
		return o, usageError("--interval and --checkpoint-interval must be at most 24h")
	}
	o.broker, o.exchangeURL = strings.ToLower(raw["broker"]), raw["exchange-url"]
	switch o.broker {
	case "", "sim", "alpaca":
	default:
		return o, usageError("--broker: unknown broker %q (use sim or alpaca)", raw["broker"])
	}
	if err := o.parseNumbers(raw); err != nil {
		return o, err
	}
	if o.maxPositions, err = atoiFlag("max-positions", raw["max-positions"]); err != nil || o.maxPositions < 0 {
		return o, usageError("--max-positions: %s", errOr(err, "must be 0 (no limit) or more"))
	}
	if o.simSeed, err = atoiFlag("sim-seed", raw["sim-seed"]); err != nil {
		return o, usageError("--sim-seed: %v", err)
	}
	if o.closeOnExit, err = parseBool(raw["close-on-exit"]); err != nil {
		return o, usageError("--close-on-exit: %v", err)
	}
	if o.instanceID, err = a.integer(tradeSection + ".instance_id"); err != nil {
		return o, err
	}
	if o.instanceID < 1 {
		return o, usageError("--instance-id must be 1 or more")
	}
	if o.force, err = a.boolean(tradeSection + ".force"); err != nil {
		return o, err
	}
	o.momentum = strategy.DefaultMomentumParams()
	o.momentum.Timeframe = raw["timeframe"]
	if o.momentum.MinPriceChangePct, err = positiveDec("min-price-change-pct", raw["min-price-change-pct"]); err != nil {
		return o, err
	}
	if o.momentum.MinVolumeRatio, err = positiveDec("min-volume-ratio", raw["min-volume-ratio"]); err != nil {
		return o, err
	}
	if err := o.momentum.Validate(); err != nil {
		return o, usageError("strategy: %v", err)
	}
	return o, nil
}

func (o *tradeOptions) parseNumbers(raw map[string]string) error {
	var err error
	for _, f := range []struct {
		name string
		dst  *decimal.Decimal
	}{
		{"stop-loss-pct", &o.stopLoss}, {"take-profit-pct", &o.takeProfit},
		{"position-size", &o.positionSize}, {"sim-speed", &o.simSpeed},
	} {
		if *f.dst, err = positiveDec(f.name, raw[f.name]); err != nil {
			return err
		}
	}
	if raw["capital"] != "" {
		if o.capital, err = positiveDec("capital", raw["capital"]); err != nil {
			return err
		}
	}
	if o.stopLoss.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return usageError("--stop-loss-pct must be below 100")
	}
	return nil
}

func positiveDec(name, s string) (decimal.Decimal, error) {
	d, err := config.ParseDecimal(s)
	if err != nil {
		return d, usageError("--%s: %v", name, err)
	}
	if !d.IsPositive() {
		return d, usageError("--%s must be positive, got %s", name, s)
	}
	return d, nil
}

func atoiFlag(name, s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("invalid integer %q for --%s", s, name)
	}
	return n, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q", s)
}

func errOr(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}

// storedSettings renders the settings saved with a session.
func (o tradeOptions) storedSettings() []byte {
	b, _ := json.Marshal(o.raw) // a map of strings always encodes
	return b
}
