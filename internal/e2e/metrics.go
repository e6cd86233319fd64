package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// MetricsAddr waits for the "metrics listening" log line of p and returns
// the address it names.
func MetricsAddr(t testing.TB, p *Proc) string {
	t.Helper()
	var addr string
	Eventually(t, 60*time.Second, "the metrics listening line", func() bool {
		sc := bufio.NewScanner(strings.NewReader(p.Stderr()))
		sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for sc.Scan() {
			var line struct {
				Message string `json:"message"`
				Addr    string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "metrics listening" && line.Addr != "" {
				addr = line.Addr
				return true
			}
		}
		if p.Exited() {
			t.Fatalf("%s exited before serving metrics", p.name)
		}
		return false
	})
	return addr
}

// Scrape is one parsed /metrics response.
type Scrape struct {
	Families map[string]*dto.MetricFamily
	// Values holds every sample by its series name, labels sorted:
	// gambler_orders_total{status="filled"}. A histogram's value is its
	// sample count.
	Values map[string]float64
}

var scrapeClient = &http.Client{Timeout: 10 * time.Second}

// ScrapeMetrics fetches and parses http://addr/metrics with the Prometheus
// text parser, which also checks that every name is a valid classic one.
func ScrapeMetrics(t testing.TB, addr string) Scrape {
	t.Helper()
	resp, err := scrapeClient.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	s := Scrape{Families: fams, Values: map[string]float64{}}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue() +
				float64(m.GetHistogram().GetSampleCount())
			s.Values[SeriesName(name, m.GetLabel())] = v
		}
	}
	return s
}

// SeriesName renders name{a="x",b="y"} with the labels sorted.
func SeriesName(name string, labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return name
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	sort.Strings(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// Labels returns the label sets of family name's samples.
func (s Scrape) Labels(name string) []map[string]string {
	var out []map[string]string
	for _, m := range s.Families[name].GetMetric() {
		ls := map[string]string{}
		for _, l := range m.GetLabel() {
			ls[l.GetName()] = l.GetValue()
		}
		out = append(out, ls)
	}
	return out
}

// Healthz returns the status code and body of http://addr/healthz.
func Healthz(t testing.TB, addr string) (int, string) {
	t.Helper()
	resp, err := scrapeClient.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text())
	}
	return resp.StatusCode, b.String()
}
