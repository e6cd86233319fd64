package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/clock"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/exchange"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/strategy"
	"github.com/gambler-trader/gambler/internal/trader"
)

// tradeStarted is the line trade prints once its session runs.
type tradeStarted struct {
	SessionID string `json:"session_id"`
	Resumed   bool   `json:"resumed"`
}

// resumeMode says how a trade run finds its session.
type resumeMode struct {
	resume    bool   // the newest unfinished session
	sessionID string // a specific session
	// auto resumes the newest unfinished session of this instance and
	// starts a new one when there is none (--auto-resume, for systemd).
	auto bool
	// reopen resumes sessionID even when it completed (--reopen).
	reopen bool
}

func newTradeCmd(app *App) *cobra.Command {
	o := &tradeOptions{}
	c := &cobra.Command{
		Use:   "trade",
		Short: "Start a trading session (or resume one with --resume / --resume-session)",
		Example: `  gambler trade --symbols AAPL,MSFT --checkpoint-interval 30
  gambler trade --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Reopen && o.ResumeSession == "" {
				return usageError("%s goes with --resume-session: it names the completed session to reopen", app.sourceOf(&o.Reopen))
			}
			return app.runTrade(cmd, o, resumeMode{resume: o.Resume, sessionID: o.ResumeSession, auto: o.AutoResume, reopen: o.Reopen})
		},
	}
	app.bindTrade(c, o, false, o.resumeOptions(app.completeSessions)...)
	return c
}

func newResumeCmds(app *App) []*cobra.Command {
	latest := &tradeOptions{}
	resume := &cobra.Command{
		Use:   "resume",
		Short: "Resume the newest unfinished session (same as trade --resume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.runTrade(cmd, latest, resumeMode{resume: true})
		},
	}
	app.bindTrade(resume, latest, true)
	named := &tradeOptions{}
	byID := &cobra.Command{
		Use:               "resume-session ID",
		Short:             "Resume a specific session (same as trade --resume-session ID)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: app.completeSessionArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.runTrade(cmd, named, resumeMode{sessionID: args[0], reopen: named.Reopen})
		},
	}
	app.bindTrade(byID, named, true, named.reopenOpt())
	return []*cobra.Command{resume, byID}
}

// runTrade starts or resumes a session and trades it until it ends or a
// signal stops it. Until the trader runs, any error gives the session's
// lease back, in one place, so the next resume finds it.
func (a *App) runTrade(cmd *cobra.Command, o *tradeOptions, m resumeMode) error {
	ctx := cmd.Context()
	log := a.logger()
	if m.sessionID != "" {
		if err := validSessionID(m.sessionID); err != nil {
			return err
		}
	}
	fp, strat, err := a.tradeParts(o)
	if err != nil {
		return err
	}
	if m == (resumeMode{}) {
		a.warnUnwise(a.setOf(cmd)) // a new session's settings are final
	}
	tm, err := a.listenMetrics(o)
	if err != nil {
		return err
	}
	store, err := a.openStore(ctx)
	if err != nil {
		tm.stop(log)
		return err
	}
	defer store.Close()
	// Deferred after Close, so it runs first: no probe reaches a closed
	// store.
	defer tm.stop(log)
	if err := a.chooseSession(ctx, cmd, store, o, &m, log); err != nil {
		return err
	}
	resuming := m.resume || m.sessionID != ""
	mgr := &session.Manager{Store: store, Now: a.Now, Log: log}
	var sess *session.Session
	trading := false
	defer func() {
		if sess != nil && !trading {
			_ = sess.Release(context.WithoutCancel(ctx))
		}
	}()
	if resuming {
		if sess, err = a.resumeSession(ctx, cmd, mgr, m, o); err != nil {
			return err
		}
	}
	brk, stopExchange, err := a.connectBroker(ctx, &o.brokerSettings, o.InstanceID, log, tm.brokerObserver())
	if err != nil {
		return err
	}
	defer stopExchange()
	symbols, err := a.checkSymbols(ctx, brk, o, resuming, log)
	if err != nil {
		return err
	}
	if !resuming {
		if sess, err = a.startSession(ctx, cmd, mgr, brk, o); err != nil {
			return err
		}
	}
	t, err := trader.New(o.traderConfig(symbols), trader.Deps{Store: sess.Store(), Broker: brk, Strategy: strat, Session: sess,
		Clock: clock.Real{}, Log: log, Failpoints: fp, Observer: tm.traderObserver()})
	if err != nil {
		return err
	}
	a.serveMetrics(tm, store, sess.Row(), o.CheckpointInterval, log)
	if resuming {
		if err := t.ResumeWith(ctx, trader.ResumeOptions{Force: o.Force, Reopened: sess.Reopened}); err != nil {
			return fmt.Errorf("resume session %s (nothing was changed at the broker): %w", sess.ID, err)
		}
	}
	if err := a.render(tradeStarted{SessionID: sess.ID, Resumed: resuming}, func() *table {
		return &table{rows: [][]string{{"session " + sess.ID}}}
	}); err != nil {
		return err
	}
	trading = true
	return t.Run(ctx, a.deadline(sess.Row(), o, resuming))
}

// chooseSession settles --auto-resume: the newest unfinished session of
// this instance, or a new one, whose settings are final now, so their
// warnings are given; a resumed one's wait for what it stored.
func (a *App) chooseSession(ctx context.Context, cmd *cobra.Command, store db.Store, o *tradeOptions, m *resumeMode, log zerolog.Logger) error {
	if !m.auto {
		return nil
	}
	id, err := autoResumeTarget(ctx, store, o.InstanceID, log)
	if err != nil {
		return err
	}
	if m.sessionID = id; id == "" {
		a.warnUnwise(a.setOf(cmd))
	}
	return nil
}

// tradeParts are what a run needs besides its session: the failpoints a
// failpoint build arms, and the strategy.
func (a *App) tradeParts(o *tradeOptions) (*failpoint.Set, strategy.Strategy, error) {
	fp, err := failpoint.FromEnv(a.Getenv)
	if err != nil {
		return nil, nil, usageError("%s: %v", failpoint.EnvVar, err)
	}
	strat, err := strategy.NewMomentum(o.momentum())
	if err != nil {
		return nil, nil, usageError("strategy: %v", err)
	}
	return fp, strat, nil
}

// traderConfig is the trader's configuration: the run's settings and the
// symbols the broker trades.
func (o *tradeOptions) traderConfig(symbols trader.SymbolCheck) trader.Config {
	return trader.Config{
		Symbols: symbols.Tradable, LongOnly: symbols.LongOnly, Interval: o.Interval, CheckpointInterval: o.CheckpointInterval,
		SettleDelay: o.SettleDelay, SignalMaxAge: o.SignalMaxAge, ShutdownTimeout: o.ShutdownTimeout,
		StopLossPct: o.StopLossPct, TakeProfitPct: o.TakeProfitPct, PositionSize: o.PositionSize,
		MaxPositions: o.MaxPositions, CloseOnExit: o.CloseOnExit, Capital: o.Capital,
	}
}

// resumeSession takes the session's lease and resolves the run's settings
// again with what the session stored: a setting given for this run wins,
// a stored one comes next. The session is returned even when its settings
// are refused, so the caller releases it.
func (a *App) resumeSession(ctx context.Context, cmd *cobra.Command, mgr *session.Manager, m resumeMode, o *tradeOptions) (*session.Session, error) {
	var sess *session.Session
	var err error
	if m.reopen {
		sess, err = mgr.Reopen(ctx, m.sessionID)
	} else {
		sess, err = mgr.Resume(ctx, m.sessionID, instanceFilter(m, o.InstanceID))
	}
	var completed *session.CompletedError
	if errors.As(err, &completed) {
		return nil, usageError("%v", err)
	}
	if err != nil {
		return nil, err
	}
	set := a.setOf(cmd)
	if err := a.resolve(cmd, set, a.parseStored(sess.ID, sess.Settings)); err != nil {
		return sess, err
	}
	a.warnUnwise(set)
	log := a.logger()
	log.Info().Str("session", sess.ID).Time("started", sess.StartTime).Msg("resuming session")
	return sess, nil
}

// autoResumeTarget is the session --auto-resume continues: the newest
// unfinished one of this instance, or "" to start a new session.
func autoResumeTarget(ctx context.Context, store db.Store, instance int, log zerolog.Logger) (string, error) {
	s, err := store.LatestResumable(ctx, instance)
	switch {
	case errors.Is(err, db.ErrNotFound):
		log.Info().Int("instance_id", instance).Msg("auto-resume: no unfinished session of this instance; starting a new one")
		return "", nil
	case err != nil:
		return "", fmt.Errorf("auto-resume: find the unfinished session of instance %d: %w", instance, err)
	}
	log.Info().Int("instance_id", instance).Str("session", s.ID).Str("status", s.Status).Msg("auto-resume: resuming the unfinished session of this instance")
	return s.ID, nil
}

// instanceFilter limits `resume` to this instance's sessions only when the
// user named an instance; resume-session ignores it.
func instanceFilter(m resumeMode, instance int) int {
	if m.sessionID != "" {
		return 0
	}
	return instance
}

// deadline is when the session ends: its start plus its duration, so a
// resumed session runs only what remains, unless --duration was given for
// this run. Zero means until stopped.
func (a *App) deadline(s db.Session, o *tradeOptions, resuming bool) time.Time {
	if o.Duration == 0 {
		return time.Time{}
	}
	if resuming && a.given(&o.Duration) {
		return a.Now().Add(o.Duration)
	}
	return s.StartTime.Add(o.Duration)
}

func (a *App) startSession(ctx context.Context, cmd *cobra.Command, mgr *session.Manager, brk *broker.Client, o *tradeOptions) (*session.Session, error) {
	acct, err := brk.Account(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the broker account before starting: %w", err)
	}
	s := db.Session{
		InstanceID: o.InstanceID, StrategyName: "momentum", Symbols: o.Symbols,
		DurationMinutes: int(o.Duration / time.Minute), ScanIntervalSeconds: int(o.Interval / time.Second),
		InitialPortfolioValue: decimal.NewNullDecimal(acct.PortfolioValue), Settings: storedSettings(a.setOf(cmd)),
	}
	if o.Capital.IsPositive() {
		s.AllocatedCapital = decimal.NewNullDecimal(o.Capital)
	}
	sess, err := mgr.Start(ctx, s)
	if err != nil {
		return nil, err
	}
	log := a.logger()
	log.Info().Str("session", sess.ID).Str("portfolio_value", acct.PortfolioValue.StringFixed(2)).Msg("session started")
	return sess, nil
}

// connectBroker picks the broker and logs the choice in one line. With sim
// and no --exchange-url, the simulated exchange runs in-process on a
// loopback port, its state file beside the embedded database.
func (a *App) connectBroker(ctx context.Context, b *brokerSettings, instance int, log zerolog.Logger, obs broker.Observer) (*broker.Client, func(), error) {
	al := a.g.Alpaca
	if (al.KeyID == "") != (al.SecretKey == "") {
		return nil, nil, a.missingKeyHalf()
	}
	kind := b.Broker
	if kind == "" {
		kind = "sim"
		if al.KeyID != "" {
			kind = "alpaca"
		}
	}
	cfg := broker.Config{KeyID: al.KeyID, Secret: al.SecretKey, Logger: log, Feed: al.Feed,
		BaseURL: al.BaseURL, DataURL: al.DataURL, Observer: obs}
	stopExchange := func() {}
	var choice func()
	switch {
	case b.ExchangeURL != "":
		cfg.BaseURL, cfg.DataURL = b.ExchangeURL, b.ExchangeURL
		choice = func() {
			log.Info().Str("broker", kind).Str("url", b.ExchangeURL).Msg("broker: simulated exchange at --exchange-url")
		}
	case kind == "alpaca":
		if al.KeyID == "" {
			return nil, nil, usageError("%s needs Alpaca keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY", a.typed(&b.Broker))
		}
		if err := a.checkAlpacaURLs(); err != nil {
			return nil, nil, err
		}
		choice = func() { log.Info().Str("broker", "alpaca").Msg("broker: Alpaca paper trading") }
	default:
		url, stop, err := a.startSimExchange(ctx, b, instance, log)
		if err != nil {
			return nil, nil, err
		}
		stopExchange = stop
		cfg.BaseURL, cfg.DataURL = url, url
		choice = func() {
			log.Info().Str("broker", "sim").Str("url", url).Msg("broker: in-process simulated exchange (no Alpaca keys configured)")
		}
	}
	if b.ExchangeURL != "" || kind != "alpaca" {
		// A simulated exchange has no rate limit to respect; Alpaca's
		// budget would only slow resume and the tests.
		cfg.RateLimit, cfg.RateBurst = 1_000_000, 1000
	}
	c, err := broker.New(cfg)
	if err != nil {
		stopExchange()
		return nil, nil, fmt.Errorf("connect to the broker: %w", err)
	}
	// Logged only once the broker is accepted: a refused live URL must
	// not be preceded by a line saying it is being used.
	choice()
	return c, stopExchange, nil
}

// checkAlpacaURLs refuses a live trading URL and a malformed data URL,
// naming where each came from.
func (a *App) checkAlpacaURLs() error {
	al := &a.g.Alpaca
	if al.BaseURL != "" {
		if err := broker.CheckPaperURL(al.BaseURL); err != nil {
			return a.badValue(&al.BaseURL, "%v", err)
		}
	}
	if al.DataURL != "" {
		if err := broker.CheckPaperURL(al.DataURL); err != nil && !errors.Is(err, broker.ErrPaperOnly) {
			return a.badValue(&al.DataURL, "%v", err)
		}
	}
	return nil
}

// missingKeyHalf names the half of the Alpaca key pair that was given and
// every place the missing half can come from.
func (a *App) missingKeyHalf() error {
	al := &a.g.Alpaca
	have, missing, what := &al.KeyID, &al.SecretKey, "secret key"
	if al.KeyID == "" {
		have, missing, what = &al.SecretKey, &al.KeyID, "key id"
	}
	m := a.optionOf(missing)
	return usageError("%s is set but the Alpaca %s is not: set %s, or %s in the config file",
		a.sourceOf(have), what, strings.Join(m.envNames(m.key), " or "), m.key)
}

// startSimExchange serves the simulated exchange until the returned stop
// function is called; stop waits until its state is flushed.
func (a *App) startSimExchange(ctx context.Context, b *brokerSettings, instance int, log zerolog.Logger) (string, func(), error) {
	dbPath, err := dbopen.DefaultPath(a.Getenv, os.UserHomeDir)
	if err != nil {
		return "", nil, fmt.Errorf("locate data directory for the simulated exchange: %w", err)
	}
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	cfg := exchange.Config{
		StateFile: filepath.Join(dir, simStateFile(a.g.DatabaseURL, instance)), Seed: int64(b.SimSeed),
		Speed: b.SimSpeed.InexactFloat64(), Logger: log.With().Str("component", "exchange").Logger(),
		KeyID: a.g.Alpaca.KeyID, Secret: a.g.Alpaca.SecretKey,
	}
	// The exchange outlives the trader's shutdown steps (final read-back
	// and checkpoint), so a signal does not stop it; stop does.
	exCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- exchange.Run(exCtx, cfg, "127.0.0.1:0", func(url string) { ready <- url }) }()
	stop := func() {
		cancel()
		if err := <-errc; err != nil {
			log.Warn().Err(err).Msg("simulated exchange stopped with an error")
		}
	}
	select {
	case url := <-ready:
		return url, stop, nil
	case err := <-errc:
		cancel()
		return "", nil, fmt.Errorf("start the simulated exchange: %w", err)
	}
}

// checkSymbols asks the broker about every symbol before a session starts
// (or resumes): unknown or untradable symbols stop a new session with a
// usage error naming all of them, before anything is written; a resumed
// session drops them with a warning, since its other symbols may hold
// positions that need watching.
func (a *App) checkSymbols(ctx context.Context, brk *broker.Client, o *tradeOptions, resuming bool, log zerolog.Logger) (trader.SymbolCheck, error) {
	c, err := trader.CheckSymbols(ctx, brk, o.Symbols)
	if err != nil {
		return c, fmt.Errorf("check the symbols with the broker: %w", err)
	}
	if len(c.LongOnly) > 0 {
		log.Warn().Strs("symbols", c.LongOnly).Msg("the broker will not lend these symbols: DOWN signals on them are not traded")
	}
	bad := c.Bad()
	if len(bad) > 0 && resuming {
		log.Warn().Strs("dropped", bad).Msg("the broker no longer trades these symbols of the session; they are not traded")
		return c, nil
	}
	if len(bad) > 0 {
		return c, a.badValue(&o.Symbols, "the broker does not trade %s (unknown: %v, not tradable: %v)",
			strings.Join(bad, ", "), c.Unknown, c.Halted)
	}
	return c, nil
}

// simStateFile names the in-process exchange's state file: one per
// database and instance, so two traders of one HOME never share an account
// unknowingly (and the exchange's lock refuses a second one on the same
// file). The default database's instance 1 keeps the historical name.
func simStateFile(databaseURL string, instance int) string {
	if databaseURL == "" && instance == 1 {
		return "exchange-state.json"
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", databaseURL, instance)))
	return fmt.Sprintf("exchange-state-%d-%x.json", instance, sum[:6])
}
