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
	c := &cobra.Command{
		Use:   "trade",
		Short: "Start a trading session (or resume one with --resume / --resume-session)",
		Example: `  gambler trade --symbols AAPL,MSFT --checkpoint-interval 30
  gambler trade --resume`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationSection: tradeSection},
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := resumeMode{sessionID: app.str(tradeSection + ".resume_session")}
			var err error
			if m.resume, err = app.boolean(tradeSection + ".resume"); err != nil {
				return err
			}
			if m.auto, err = app.boolean(tradeSection + ".auto_resume"); err != nil {
				return err
			}
			if n := countTrue(m.resume, m.sessionID != "", m.auto); n > 1 {
				return usageError("--resume, --resume-session and --auto-resume exclude each other")
			}
			if m.reopen, err = app.boolean(tradeSection + ".reopen"); err != nil {
				return err
			}
			if m.reopen && m.sessionID == "" {
				return usageError("--reopen goes with --resume-session: it names the completed session to reopen")
			}
			return app.runTrade(cmd, m)
		},
	}
	addTradeFlags(c.Flags(), true)
	c.Flags().Bool("resume", false, "resume the newest unfinished session")
	c.Flags().String("resume-session", "", "resume this session")
	c.Flags().Bool("auto-resume", false, "resume the newest unfinished session of this --instance-id, or start a new one when there is none (for Restart=always)")
	c.Flags().Bool("reopen", false, "with --resume-session: resume the session even though it completed; its previous end stays in its history")
	return c
}

func newResumeCmds(app *App) []*cobra.Command {
	resume := &cobra.Command{
		Use:         "resume",
		Short:       "Resume the newest unfinished session (same as trade --resume)",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationSection: tradeSection},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.runTrade(cmd, resumeMode{resume: true})
		},
	}
	addTradeFlags(resume.Flags(), false)
	byID := &cobra.Command{
		Use:         "resume-session ID",
		Short:       "Resume a specific session (same as trade --resume-session ID)",
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{annotationSection: tradeSection},
		RunE: func(cmd *cobra.Command, args []string) error {
			reopen, err := app.boolean(tradeSection + ".reopen")
			if err != nil {
				return err
			}
			return app.runTrade(cmd, resumeMode{sessionID: args[0], reopen: reopen})
		},
	}
	addTradeFlags(byID.Flags(), false)
	byID.Flags().Bool("reopen", false, "resume the session even though it completed; its previous end stays in its history")
	return []*cobra.Command{resume, byID}
}

// runTrade starts or resumes a session and trades it until it ends or a
// signal stops it.
func (a *App) runTrade(cmd *cobra.Command, m resumeMode) error {
	ctx := cmd.Context()
	log := a.logger()
	if m.sessionID != "" {
		if err := validSessionID(m.sessionID); err != nil {
			return err
		}
	}
	resuming := m.resume || m.sessionID != ""
	var opts tradeOptions
	if !resuming {
		// A new session's settings are checked before anything starts; a
		// resume's depend on what the session stored. --auto-resume checks
		// them too, so a bad flag fails now rather than after the next crash.
		var err error
		if opts, err = a.tradeOptions(cmd, nil); err != nil {
			return err
		}
	}
	tm, err := a.listenMetrics()
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
	mgr := &session.Manager{Store: store, Now: a.Now, Log: log}
	if m.auto {
		if m.sessionID, err = autoResumeTarget(ctx, store, opts.instanceID, log); err != nil {
			return err
		}
		resuming = m.sessionID != ""
	}

	var sess *session.Session
	if resuming {
		instance, err := a.integer(tradeSection + ".instance_id")
		if err != nil {
			return err
		}
		if m.reopen {
			sess, err = mgr.Reopen(ctx, m.sessionID)
		} else {
			sess, err = mgr.Resume(ctx, m.sessionID, instanceFilter(m, instance))
		}
		var completed *session.CompletedError
		if errors.As(err, &completed) {
			return usageError("%v", err)
		}
		if err != nil {
			return err
		}
		if opts, err = a.tradeOptions(cmd, sess.Settings); err != nil {
			_ = sess.Release(ctx)
			return err
		}
		log.Info().Str("session", sess.ID).Time("started", sess.StartTime).Msg("resuming session")
	}

	brk, stopExchange, err := a.connectBroker(ctx, opts, log, tm.brokerObserver())
	if err != nil {
		if sess != nil {
			_ = sess.Release(ctx)
		}
		return err
	}
	defer stopExchange()
	symbols, err := a.checkSymbols(ctx, brk, opts.symbols, sess != nil, log)
	if err != nil {
		if sess != nil {
			_ = sess.Release(ctx)
		}
		return err
	}
	if sess == nil {
		if sess, err = a.startSession(ctx, mgr, brk, opts); err != nil {
			return err
		}
	}
	strat, err := strategy.NewMomentum(opts.momentum)
	if err != nil {
		_ = sess.Release(ctx)
		return usageError("strategy: %v", err)
	}
	t, err := trader.New(trader.Config{
		Symbols: symbols.Tradable, Interval: opts.interval, CheckpointInterval: opts.cpInterval,
		SettleDelay: opts.settleDelay, SignalMaxAge: opts.signalMaxAge, LongOnly: symbols.LongOnly,
		ShutdownTimeout: opts.shutdownWait,
		StopLossPct:     opts.stopLoss, TakeProfitPct: opts.takeProfit, PositionSize: opts.positionSize,
		MaxPositions: opts.maxPositions, CloseOnExit: opts.closeOnExit, Capital: opts.capital,
	}, trader.Deps{Store: store, Broker: brk, Strategy: strat, Session: sess, Clock: clock.Real{}, Log: log,
		Failpoints: failpoint.FromEnv(a.Getenv), Observer: tm.traderObserver()})
	if err != nil {
		_ = sess.Release(ctx)
		return err
	}
	a.serveMetrics(tm, store, sess.Row(), opts.cpInterval, log)
	if resuming {
		if err := t.ResumeWith(ctx, trader.ResumeOptions{Force: opts.force, Reopened: sess.Reopened}); err != nil {
			_ = sess.Release(ctx)
			return fmt.Errorf("resume session %s (nothing was changed at the broker): %w", sess.ID, err)
		}
	}
	if err := a.render(map[string]any{"session_id": sess.ID, "resumed": resuming}, func() *table {
		return &table{rows: [][]string{{"session " + sess.ID}}}
	}); err != nil {
		return err
	}
	return t.Run(ctx, a.deadline(sess.Row(), opts, resuming))
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

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
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
func (a *App) deadline(s db.Session, o tradeOptions, resuming bool) time.Time {
	if o.duration == 0 {
		return time.Time{}
	}
	if resuming && o.durationSet {
		return a.Now().Add(o.duration)
	}
	return s.StartTime.Add(o.duration)
}

func (a *App) startSession(ctx context.Context, mgr *session.Manager, brk *broker.Client, o tradeOptions) (*session.Session, error) {
	acct, err := brk.Account(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the broker account before starting: %w", err)
	}
	s := db.Session{
		InstanceID: o.instanceID, StrategyName: "momentum", Symbols: o.symbols,
		DurationMinutes: int(o.duration / time.Minute), ScanIntervalSeconds: int(o.interval / time.Second),
		InitialPortfolioValue: decimal.NewNullDecimal(acct.PortfolioValue), Settings: o.storedSettings(),
	}
	if o.capital.IsPositive() {
		s.AllocatedCapital = decimal.NewNullDecimal(o.capital)
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
func (a *App) connectBroker(ctx context.Context, o tradeOptions, log zerolog.Logger, obs broker.Observer) (*broker.Client, func(), error) {
	keyID, secret := a.str(keyAlpacaKeyID), a.str(keyAlpacaSecretKey)
	kind := o.broker
	if kind == "" {
		kind = "sim"
		if keyID != "" && secret != "" {
			kind = "alpaca"
		}
	}
	stopExchange := func() {}
	cfg := broker.Config{KeyID: keyID, Secret: secret, Logger: log, Feed: a.str("alpaca.feed"),
		BaseURL: a.str("alpaca.base_url"), DataURL: a.str("alpaca.data_url"), Observer: obs}
	var choice func()
	switch {
	case o.exchangeURL != "":
		cfg.BaseURL, cfg.DataURL = o.exchangeURL, o.exchangeURL
		choice = func() {
			log.Info().Str("broker", kind).Str("url", o.exchangeURL).Msg("broker: simulated exchange at --exchange-url")
		}
	case kind == "alpaca":
		if keyID == "" || secret == "" {
			return nil, nil, usageError("--broker alpaca needs keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY")
		}
		choice = func() { log.Info().Str("broker", "alpaca").Msg("broker: Alpaca paper trading") }
	default:
		url, stop, err := a.startSimExchange(ctx, o, log)
		if err != nil {
			return nil, nil, err
		}
		stopExchange = stop
		cfg.BaseURL, cfg.DataURL = url, url
		choice = func() {
			log.Info().Str("broker", "sim").Str("url", url).Msg("broker: in-process simulated exchange (no Alpaca keys configured)")
		}
	}
	if o.exchangeURL != "" || kind != "alpaca" {
		// A simulated exchange has no rate limit to respect; Alpaca's
		// budget would only slow resume and the tests.
		cfg.RateLimit, cfg.RateBurst = 1_000_000, 1000
	}
	c, err := broker.New(cfg)
	if err != nil {
		stopExchange()
		source := "alpaca.base_url"
		if o.exchangeURL != "" {
			source = "--exchange-url"
		}
		return nil, nil, usageError("%s: %v", source, err)
	}
	// Logged only once the broker is accepted: a refused live URL must
	// not be preceded by a line saying it is being used.
	choice()
	return c, stopExchange, nil
}

// startSimExchange serves the simulated exchange until the returned stop
// function is called; stop waits until its state is flushed.
func (a *App) startSimExchange(ctx context.Context, o tradeOptions, log zerolog.Logger) (string, func(), error) {
	dbPath, err := dbopen.DefaultPath(a.Getenv, os.UserHomeDir)
	if err != nil {
		return "", nil, fmt.Errorf("locate data directory for the simulated exchange: %w", err)
	}
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	cfg := exchange.Config{
		StateFile: filepath.Join(dir, simStateFile(a.str("database.url"), o.instanceID)), Seed: int64(o.simSeed),
		Speed: o.simSpeed.InexactFloat64(), Logger: log.With().Str("component", "exchange").Logger(),
		KeyID: a.str(keyAlpacaKeyID), Secret: a.str(keyAlpacaSecretKey),
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
func (a *App) checkSymbols(ctx context.Context, brk *broker.Client, symbols []string, resuming bool, log zerolog.Logger) (trader.SymbolCheck, error) {
	c, err := trader.CheckSymbols(ctx, brk, symbols)
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
		return c, usageError("--symbols: the broker does not trade %s (unknown: %v, not tradable: %v)",
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
