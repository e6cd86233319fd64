package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/metrics"
	"github.com/gambler-trader/gambler/internal/redact"
	"github.com/gambler-trader/gambler/internal/trader"
)

// metricsShutdownTimeout bounds how long a scrape in flight may delay the
// end of the command.
const metricsShutdownTimeout = 5 * time.Second

// tradeMetrics is a trade run's --metrics-addr endpoint. A nil
// *tradeMetrics means the endpoint is off; every method accepts it.
type tradeMetrics struct {
	m     *metrics.Metrics
	srv   *metrics.Server
	start time.Time
}

// listenMetrics binds --metrics-addr before the run touches a session, so
// that a taken port stops the command with nothing to clean up.
func (a *App) listenMetrics(o *tradeOptions) (*tradeMetrics, error) {
	if o.MetricsAddr == "" {
		return nil, nil
	}
	srv, err := metrics.Listen(o.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.sourceOf(&o.MetricsAddr), err)
	}
	m := metrics.New()
	b := a.buildInfo()
	m.SetBuild(metrics.Build{Version: b.Version, Commit: b.Commit, GoVersion: b.GoVersion})
	return &tradeMetrics{m: m, srv: srv, start: a.Now()}, nil
}

func (tm *tradeMetrics) brokerObserver() broker.Observer {
	if tm == nil {
		return nil
	}
	return tm.m
}

func (tm *tradeMetrics) traderObserver() trader.Observer {
	if tm == nil {
		return nil
	}
	return tm.m
}

// serveMetrics starts answering scrapes for the session being traded. The store
// was just opened, so it starts as up.
func (a *App) serveMetrics(tm *tradeMetrics, store db.Store, row db.Session, cpInterval time.Duration, log zerolog.Logger) {
	if tm == nil {
		return
	}
	tm.m.SetSession(row.ID, row.InstanceID, row.StrategyName)
	tm.m.SetCheckpointInterval(cpInterval)
	tm.m.StoreUp(true)
	ping := metrics.PingFunc(func(ctx context.Context) error {
		_, err := store.SchemaVersion(ctx)
		return err
	})
	tm.srv.Serve(tm.m.Handler(metrics.HealthConfig{
		Store: ping, CheckpointInterval: cpInterval, Start: tm.start, Now: a.Now, Redact: a.redactSecrets,
	}))
	log.Info().Str("addr", tm.srv.Addr()).Msg("metrics listening")
}

// stop ends the endpoint; the trade command does not outlive it.
func (tm *tradeMetrics) stop(log zerolog.Logger) {
	if tm == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), metricsShutdownTimeout)
	defer cancel()
	if err := tm.srv.Shutdown(ctx); err != nil {
		log.Warn().Err(err).Msg("metrics endpoint did not stop cleanly")
	}
}

// redactSecrets masks the database password and the Alpaca keys in text
// shown to whoever can reach the metrics port.
func (a *App) redactSecrets(text string) string {
	text = dbopen.Mask(text, a.g.DatabaseURL)
	return redact.Tokens(text, "xxxxx", a.g.Alpaca.SecretKey, a.g.Alpaca.KeyID)
}
