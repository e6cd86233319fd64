package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gambler-trader/gambler/internal/metrics"
)

// TestMetricsEndpoint: /metrics serves the text format with every
// gambler_ family named by Prometheus' conventions, plus the runtime ones.
func TestMetricsEndpoint(t *testing.T) {
	m := metrics.New()
	m.SetSession("s", 1, "momentum")
	m.BrokerRequest("/v2/clock", "200", 0)
	h := m.Handler(metrics.HealthConfig{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	ours := 0
	for name, f := range fams {
		if !strings.HasPrefix(name, "gambler_") {
			continue
		}
		ours++
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			if !strings.HasSuffix(name, "_total") {
				t.Errorf("counter %s does not end in _total", name)
			}
		case dto.MetricType_GAUGE, dto.MetricType_HISTOGRAM:
			if strings.HasSuffix(name, "_total") {
				t.Errorf("%s %s ends in _total", f.GetType(), name)
			}
		default:
			t.Errorf("%s has type %s", name, f.GetType())
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
	}
	if ours < 16 {
		t.Errorf("only %d gambler_ families served", ours)
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if fams[name] == nil {
			t.Errorf("runtime family %s missing", name)
		}
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/metrics", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics = %d, want 405", rec.Code)
	}
}
