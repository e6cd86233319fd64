package cli

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/strategy"
)

// tradeSection is the config section shared by trade, resume and
// resume-session, so one config file serves all three.
const tradeSection = "trade"

const (
	maxInstanceID  = 10000
	defaultSymbols = "AAPL,MSFT,GOOGL,TSLA,NVDA"
)

// tradeOptions are a trading run's settings. Those a session stores are
// restored on resume unless given again.
type tradeOptions struct {
	Symbols            []string
	Duration           time.Duration
	Interval           time.Duration
	SettleDelay        time.Duration
	SignalMaxAge       time.Duration
	CheckpointInterval time.Duration
	brokerSettings
	exitSettings
	PositionSize      decimal.Decimal
	MinPriceChangePct decimal.Decimal
	MinVolumeRatio    decimal.Decimal
	Timeframe         string
	MaxPositions      int
	Capital           decimal.Decimal
	CloseOnExit       bool
	InstanceID        int
	Force             bool
	MetricsAddr       string
	ShutdownTimeout   time.Duration
	// trade's own: how it finds its session.
	Resume        bool
	ResumeSession string
	AutoResume    bool
	Reopen        bool
}

// brokerSettings choose and reach the broker; reconcile-only shares them.
type brokerSettings struct {
	Broker      string
	ExchangeURL string
	SimSpeed    decimal.Decimal
	SimSeed     int
}

// exitSettings place the protective exits; reconcile-only shares them.
type exitSettings struct {
	StopLossPct   decimal.Decimal
	TakeProfitPct decimal.Decimal
}

func (b *brokerSettings) kindOpt() *option {
	return enumOpt(&b.Broker, "broker", "", []string{"sim", "alpaca"},
		"the broker (default: alpaca when Alpaca keys are configured, else sim)").orUnset().storedWithSession()
}

func (b *brokerSettings) urlOpt() *option {
	return urlOpt(&b.ExchangeURL, "exchange-url", "use a separately running gambler exchange at this URL").storedWithSession()
}

func (b *brokerSettings) speedOpt() *option {
	return decOpt(&b.SimSpeed, "sim-speed", "60", aboveSpan("0", "10000"),
		"in-process simulated market: market time runs this many times faster than wall time").storedWithSession()
}

func (b *brokerSettings) seedOpt() *option {
	return intOpt(&b.SimSeed, "sim-seed", 1, 0, math.MaxInt32, "in-process simulated market: price seed").storedWithSession()
}

func (e *exitSettings) stopLossOpt() *option {
	return decOpt(&e.StopLossPct, "stop-loss-pct", "2", betweenSpan("0", "100"), "stop loss, percent from entry").storedWithSession()
}

func (e *exitSettings) takeProfitOpt() *option {
	return decOpt(&e.TakeProfitPct, "take-profit-pct", "4", aboveSpan("0", "1000"), "take profit, percent from entry").storedWithSession()
}

// options declares every trading setting. resuming leaves out what only a
// new session takes: its symbols come from the session.
func (o *tradeOptions) options(resuming bool, completeSymbols cobra.CompletionFunc) []*option {
	symbols := symbolsOpt(&o.Symbols, "symbols", defaultSymbols, "comma separated tickers to trade").
		storedWithSession().completeWith(completeSymbols)
	if resuming {
		symbols.fromSession()
	}
	return []*option{
		symbols,
		durOpt(&o.Duration, "duration", "60", time.Minute, time.Second, 366*24*time.Hour,
			"how long to trade: minutes, or a Go duration (90s, 2h)").orZero("until stopped").storedWithSession(),
		durOpt(&o.Interval, "interval", "60", time.Second, 100*time.Millisecond, 24*time.Hour,
			"how often orders and positions are read back and exits applied: seconds, or a Go duration (scans follow bar closes)").
			warnBelow(time.Second, "every read-back queries the broker").storedWithSession(),
		durOpt(&o.SettleDelay, "settle-delay", "3s", time.Second, 0, time.Hour,
			"market time after a bar's close before it is scanned, so the data feed has published it").storedWithSession(),
		durOpt(&o.SignalMaxAge, "signal-max-age", "", time.Second, time.Second, 30*24*time.Hour,
			"how long after its bar closed (market time) a signal may still be traded (default one bar)").orUnset().storedWithSession(),
		durOpt(&o.CheckpointInterval, "checkpoint-interval", "30", time.Second, 100*time.Millisecond, 24*time.Hour,
			"checkpoint interval: seconds, or a Go duration").warnBelow(time.Second, "every checkpoint is a database write").storedWithSession(),
		o.kindOpt(), o.urlOpt(), o.speedOpt(), o.seedOpt(), o.stopLossOpt(), o.takeProfitOpt(),
		decOpt(&o.PositionSize, "position-size", "10000", closedSpan("1", "100000000"), "dollars per position; qty = floor(size / price)").storedWithSession(),
		decOpt(&o.MinPriceChangePct, "min-price-change-pct", "2", aboveSpan("0", "1000000"), "momentum: minimum |change%| over the last bars").storedWithSession(),
		decOpt(&o.MinVolumeRatio, "min-volume-ratio", "2", aboveSpan("0", "1000000"), "momentum: minimum mean volume ratio over the last bars").storedWithSession(),
		enumOpt(&o.Timeframe, "timeframe", "5Min", []string{"1Min", "5Min", "15Min", "30Min", "1Hour", "1Day"}, "momentum: bar timeframe").storedWithSession(),
		intOpt(&o.MaxPositions, "max-positions", 0, 0, 10000, "at most this many open positions; 0 means no limit").storedWithSession(),
		decOpt(&o.Capital, "capital", "", closedSpan("1", "1000000000"),
			"allocated capital: caps the money committed to open positions (default: buying power)").orUnset().storedWithSession(),
		boolOpt(&o.CloseOnExit, "close-on-exit", "close all positions when the session ends (default: leave them protected by their exit orders)").storedWithSession(),
		intOpt(&o.InstanceID, "instance-id", 1, 1, maxInstanceID, "instance id, for several traders sharing one database"),
		boolOpt(&o.Force, "force", "resume even when reconciliation finds a side mismatch"),
		stringOpt(&o.MetricsAddr, "metrics-addr", "", "serve Prometheus /metrics and /healthz on this host:port (empty = off)").named("addr"),
		// Not stored: the budget is the operator's for this run, and the
		// systemd unit's stop timeout (150 s) must cover it.
		durOpt(&o.ShutdownTimeout, "shutdown-timeout", "10s", time.Second, time.Second, 2*time.Minute,
			"after Ctrl-C, how long the broker may take to answer the final read-back; the final checkpoint is written either way"),
	}
}

// reopenOpt lets a resume by id continue a completed session.
func (o *tradeOptions) reopenOpt() *option {
	return boolOpt(&o.Reopen, "reopen", "with a session id: resume the session even though it completed; its previous end stays in its history")
}

// resumeOptions are trade's own: how it finds its session.
func (o *tradeOptions) resumeOptions(completeSessions cobra.CompletionFunc) []*option {
	return []*option{
		boolOpt(&o.Resume, "resume", "resume the newest unfinished session"),
		sessionOpt(&o.ResumeSession, "resume-session", "resume this session").completeWith(completeSessions),
		boolOpt(&o.AutoResume, "auto-resume", "resume the newest unfinished session of this --instance-id, or start a new one when there is none (for Restart=always)"),
		o.reopenOpt(),
	}
}

// bindTrade binds a trading command's options; all three share trade.*.
func (a *App) bindTrade(cmd *cobra.Command, o *tradeOptions, resuming bool, extra ...*option) *optionSet {
	set := a.bind(cmd, append(o.options(resuming, a.completeSymbols), extra...)...)
	set.section, set.restorable = tradeSection, true
	set.check = func() error { return a.checkTrade(o) }
	return set
}

// checkTrade validates the settings together.
func (a *App) checkTrade(o *tradeOptions) error {
	n := 0
	for _, b := range []bool{o.Resume, o.ResumeSession != "", o.AutoResume} {
		if b {
			n++
		}
	}
	if n > 1 {
		return usageError("--resume, --resume-session and --auto-resume exclude each other")
	}
	if err := o.momentum().Validate(); err != nil {
		return usageError("strategy: %v", err)
	}
	return nil
}

func (o *tradeOptions) momentum() strategy.MomentumParams {
	p := strategy.DefaultMomentumParams()
	p.Timeframe, p.MinPriceChangePct, p.MinVolumeRatio = o.Timeframe, o.MinPriceChangePct, o.MinVolumeRatio
	return p
}
