package metrics_test

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/metrics"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// sample is the value of the one sample of family name whose labels
// include the given name=value pairs.
func sample(t *testing.T, m *metrics.Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if hasLabels(s, labels) {
				return value(f.GetType(), s)
			}
		}
	}
	t.Fatalf("no sample %s%v", name, labels)
	return 0
}

func hasLabels(s *dto.Metric, pairs []string) bool {
	have := map[string]string{}
	for _, l := range s.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if have[pairs[i]] != pairs[i+1] {
			return false
		}
	}
	return true
}

func value(typ dto.MetricType, s *dto.Metric) float64 {
	switch typ {
	case dto.MetricType_COUNTER:
		return s.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return s.GetGauge().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(s.GetHistogram().GetSampleCount())
	}
	return s.GetUntyped().GetValue()
}

func TestObservationsBecomeSamples(t *testing.T) {
	m := metrics.New()
	at := time.Date(2026, 3, 2, 15, 4, 5, 500_000_000, time.UTC)
	m.SetSession("8c1e8a52-0000-4000-8000-000000000001", 3, "momentum")
	m.SetSession("8c1e8a52-0000-4000-8000-000000000002", 3, "momentum")
	m.CheckpointCreated(at.Add(-time.Minute), 3*time.Millisecond, 1000)
	m.CheckpointCreated(at, 7*time.Millisecond, 1500)
	m.CheckpointFailed()
	m.CheckpointRestored()
	m.ActivePositions(4)
	m.ActivePositions(2)
	m.Account(decimal.RequireFromString("100123.45"), decimal.RequireFromString("-2500.5"))
	for _, s := range []string{"intent", "new", "filled", "filled", "held", "made-up status"} {
		m.OrderStatus(s)
	}
	m.FillApplied()
	m.StoreUp(false)
	m.StoreUp(true)
	m.BrokerRequest("/v2/orders/{id}", "200", 20*time.Millisecond)
	m.BrokerRequest("/v2/orders/{id}", "200", 30*time.Millisecond)
	m.BrokerRequest("/v2/orders/{id}", "error", time.Second)
	m.RateLimitWait(1500 * time.Millisecond)
	m.RateLimitWait(0)
	m.RateLimitWait(500 * time.Millisecond)
	m.SetBuild(metrics.Build{Version: "v0.9.0", Commit: "abc123", GoVersion: "go1.26.8"})
	m.SetBuild(metrics.Build{Version: "v1.0.0", Commit: "def456", GoVersion: "go1.26.8"})
	m.SetCheckpointInterval(30 * time.Second)
	m.SessionValue(pnl.Compute(decimal.NewNullDecimal(decimal.RequireFromString("25000")), []db.Position{
		{Symbol: "AAPL", Status: db.PositionClosed, PnL: decimal.NewNullDecimal(decimal.RequireFromString("-12.5"))},
		{Symbol: "MSFT", Side: "buy", Status: db.PositionActive, Qty: decimal.NewFromInt(4), EntryPrice: decimal.RequireFromString("400")},
	}, pnl.Prices{BySymbol: map[string]decimal.Decimal{"MSFT": decimal.RequireFromString("401.25")}}))

	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"gambler_checkpoints_created_total", nil, 2},
		{"gambler_checkpoints_failed_total", nil, 1},
		{"gambler_checkpoints_restored_total", nil, 1},
		{"gambler_checkpoint_duration_seconds", nil, 2},
		{"gambler_checkpoint_size_bytes", nil, 1500},
		{"gambler_checkpoint_last_success_timestamp_seconds", nil, 1772463845.5},
		{"gambler_positions_active", nil, 2},
		{"gambler_portfolio_value_dollars", nil, 100123.45},
		{"gambler_cash_dollars", nil, -2500.5},
		{"gambler_orders_total", []string{"status", "filled"}, 2},
		{"gambler_orders_total", []string{"status", "held"}, 1},
		{"gambler_orders_total", []string{"status", "other"}, 1},
		{"gambler_orders_total", []string{"status", "rejected"}, 0},
		{"gambler_fills_total", nil, 1},
		{"gambler_store_up", nil, 1},
		{"gambler_broker_requests_total", []string{"endpoint", "/v2/orders/{id}", "status", "200"}, 2},
		{"gambler_broker_requests_total", []string{"endpoint", "/v2/orders/{id}", "status", "error"}, 1},
		{"gambler_broker_request_duration_seconds", []string{"endpoint", "/v2/orders/{id}"}, 3},
		{"gambler_broker_rate_limit_wait_seconds_total", nil, 2},
		{"gambler_session_info", []string{"session_id", "8c1e8a52-0000-4000-8000-000000000002",
			"instance_id", "3", "strategy", "momentum"}, 1},
		{"gambler_build_info", []string{"version", "v1.0.0", "commit", "def456", "goversion", "go1.26.8"}, 1},
		{"gambler_checkpoint_interval_seconds", nil, 30},
		{"gambler_session_equity_dollars", nil, 24992.5},
		{"gambler_session_realized_pnl_dollars", nil, -12.5},
		{"gambler_session_unrealized_pnl_dollars", nil, 5},
	} {
		if got := sample(t, m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := m.LastCheckpoint(); !got.Equal(at) {
		t.Errorf("LastCheckpoint = %v, want %v", got, at)
	}
	if n := countSamples(t, m, "gambler_session_info"); n != 1 {
		t.Errorf("gambler_session_info has %d samples, want only the current session", n)
	}
	if n := countSamples(t, m, "gambler_build_info"); n != 1 {
		t.Errorf("gambler_build_info has %d samples, want one", n)
	}
}

func countSamples(t *testing.T, m *metrics.Metrics, name string) int {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}
