// Package metrics exports a trading process's state to Prometheus and
// answers health checks. It owns a private registry (never the global
// one), the gambler_* collectors, and the HTTP handler for /metrics and
// /healthz. The trader and the broker report to it through the small
// observer interfaces they declare; neither imports Prometheus.
package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics is one process's registry and collectors. Its methods are safe
// for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	checkpointsCreated  prometheus.Counter
	checkpointsFailed   prometheus.Counter
	checkpointsRestored prometheus.Counter
	checkpointDuration  prometheus.Histogram
	checkpointSize      prometheus.Gauge
	checkpointLast      prometheus.Gauge
	positionsActive     prometheus.Gauge
	portfolioValue      prometheus.Gauge
	cash                prometheus.Gauge
	sessionEquity       prometheus.Gauge
	sessionRealized     prometheus.Gauge
	sessionUnrealized   prometheus.Gauge
	checkpointInterval  prometheus.Gauge
	buildInfo           *prometheus.GaugeVec
	orders              *prometheus.CounterVec
	fills               prometheus.Counter
	brokerRequests      *prometheus.CounterVec
	brokerDuration      *prometheus.HistogramVec
	rateLimitWait       prometheus.Counter
	storeUp             prometheus.Gauge
	sessionInfo         *prometheus.GaugeVec

	mu             sync.Mutex
	lastCheckpoint time.Time
}

// checkpointBuckets span a small SQLite write to a slow PostgreSQL one.
var checkpointBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New builds the collectors on a fresh registry, with the Go runtime and
// process collectors beside them.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	counter := func(name, help string) prometheus.Counter {
		return register(reg, prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help}))
	}
	gauge := func(name, help string) prometheus.Gauge {
		return register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
	}
	m := &Metrics{
		reg: reg,
		checkpointsCreated: counter("gambler_checkpoints_created_total",
			"Checkpoints written by this process."),
		checkpointsFailed: counter("gambler_checkpoints_failed_total",
			"Checkpoint writes that failed; the next interval tries again."),
		checkpointsRestored: counter("gambler_checkpoints_restored_total",
			"Checkpoints restored on resume."),
		checkpointDuration: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gambler_checkpoint_duration_seconds",
			Help: "Time to write one checkpoint.", Buckets: checkpointBuckets})),
		checkpointSize: gauge("gambler_checkpoint_size_bytes",
			"Size of the last checkpoint written (positions and account JSON)."),
		checkpointLast: gauge("gambler_checkpoint_last_success_timestamp_seconds",
			"Unix time of the last checkpoint written."),
		positionsActive: gauge("gambler_positions_active",
			"Open positions of the session, as last read from the store."),
		portfolioValue: gauge("gambler_portfolio_value_dollars",
			"Account portfolio value, as last read from the broker; other sessions on the account count in it."),
		cash: gauge("gambler_cash_dollars",
			"Account cash, as last read from the broker."),
		sessionEquity: gauge("gambler_session_equity_dollars",
			"The session's own value: its starting capital plus its realized and unrealized P&L, at the last checkpoint."),
		sessionRealized: gauge("gambler_session_realized_pnl_dollars",
			"The session's realized P&L: the sum of its closed positions' P&L, at the last checkpoint."),
		sessionUnrealized: gauge("gambler_session_unrealized_pnl_dollars",
			"The session's unrealized P&L: its open positions at the broker's current prices, at the last checkpoint."),
		checkpointInterval: gauge("gambler_checkpoint_interval_seconds",
			"The session's checkpoint interval, so that alerts can judge checkpoint age against it."),
		buildInfo: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gambler_build_info",
			Help: "The running binary's version, commit and Go version; the value is always 1."},
			[]string{"version", "commit", "goversion"})),
		orders: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gambler_orders_total",
			Help: "Order statuses journaled, by status (intent, new, filled, canceled, rejected, abandoned...)."},
			[]string{"status"})),
		fills: counter("gambler_fills_total",
			"Fills recorded, each counted once."),
		brokerRequests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gambler_broker_requests_total",
			Help: "HTTP requests to the broker, by endpoint template and status code (\"error\" when no response came)."},
			[]string{"endpoint", "status"})),
		brokerDuration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gambler_broker_request_duration_seconds",
			Help:    "Broker HTTP request latency to the response headers, by endpoint template.",
			Buckets: prometheus.DefBuckets}, []string{"endpoint"})),
		rateLimitWait: counter("gambler_broker_rate_limit_wait_seconds_total",
			"Time spent waiting for the broker rate limit before sending requests."),
		storeUp: gauge("gambler_store_up",
			"1 when the store answered the last call, 0 when it did not."),
		sessionInfo: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gambler_session_info",
			Help: "The session this process trades; the value is always 1."},
			[]string{"session_id", "instance_id", "strategy"})),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Statuses that every session sees start at zero, so that rate() works
	// from the first scrape instead of from the first such order.
	for _, s := range []string{"intent", "new", "filled", "canceled", "rejected", "abandoned"} {
		m.orders.WithLabelValues(s)
	}
	return m
}

// register adds c to reg as it is built, so that no collector can be
// defined and forgotten.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	reg.MustRegister(c)
	return c
}

// Registry is where the collectors live, for the handler and for tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// SetSession labels gambler_session_info with the session being traded.
func (m *Metrics) SetSession(sessionID string, instanceID int, strategy string) {
	m.sessionInfo.Reset()
	m.sessionInfo.WithLabelValues(sessionID, strconv.Itoa(instanceID), strategy).Set(1)
}

// Build identifies the running binary.
type Build struct {
	Version   string
	Commit    string
	GoVersion string
}

// SetBuild labels gambler_build_info.
func (m *Metrics) SetBuild(b Build) {
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(b.Version, b.Commit, b.GoVersion).Set(1)
}

// SetCheckpointInterval sets gambler_checkpoint_interval_seconds.
func (m *Metrics) SetCheckpointInterval(d time.Duration) { m.checkpointInterval.Set(d.Seconds()) }

// LastCheckpoint is when the last checkpoint was written; zero before the
// first.
func (m *Metrics) LastCheckpoint() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastCheckpoint
}
