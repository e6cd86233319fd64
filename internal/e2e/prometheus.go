package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tool finds a binary the test needs from a system package (promtool and
// prometheus come with Debian's prometheus). Without it the test skips,
// except under CI=true, where it fails: CI installs it (make test-deps).
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found: install it with apt-get install -y %s (or make test-deps)", name, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Prometheus is a real Prometheus server scraping one target.
type Prometheus struct {
	t   testing.TB
	URL string
}

// PromConfig is what StartPrometheus writes into prometheus.yml.
type PromConfig struct {
	Job       string
	Target    string // host:port of /metrics
	RuleFiles []string
	Interval  time.Duration // scrape and evaluation interval
}

// StartPrometheus runs the prometheus binary on a loopback port with its
// own storage under dir until the test ends, and waits until it is ready.
func StartPrometheus(t testing.TB, bin, dir string, c PromConfig) *Prometheus {
	t.Helper()
	cfg := fmt.Sprintf("global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\nrule_files: [%s]\n"+
		"scrape_configs:\n  - job_name: %s\n    static_configs:\n      - targets: [%q]\n",
		c.Interval, c.Interval, c.Interval, quoteAll(c.RuleFiles), c.Job, c.Target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	p := startBinary(t, bin, nil, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	prom := &Prometheus{t: t, URL: "http://" + addr}
	Eventually(t, 60*time.Second, "prometheus ready", func() bool {
		if p.Exited() {
			t.Fatalf("prometheus exited:\n%s", p.Stderr())
		}
		resp, err := scrapeClient.Get(prom.URL + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return prom
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// freePort is a loopback address nothing listens on now.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// get decodes the data of a Prometheus API answer.
func (p *Prometheus) get(path string, q url.Values, data any) error {
	resp, err := scrapeClient.Get(p.URL + path + "?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s %v: %s", path, q, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

// Series is how many series an instant query returns now; an invalid
// query fails the test.
func (p *Prometheus) Series(expr string) int {
	p.t.Helper()
	var data struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		p.t.Fatalf("query %s: %v", expr, err)
	}
	return len(data.Result)
}

// Firing lists the names of the alerts firing now.
func (p *Prometheus) Firing() map[string]bool {
	p.t.Helper()
	var data struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := p.get("/api/v1/alerts", nil, &data); err != nil {
		p.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, a := range data.Alerts {
		if a.State == "firing" {
			out[a.Labels["alertname"]] = true
		}
	}
	return out
}

// AlertRules maps each loaded alerting rule to its expression.
func (p *Prometheus) AlertRules() map[string]string {
	p.t.Helper()
	var data struct {
		Groups []struct {
			Rules []struct {
				Name  string `json:"name"`
				Query string `json:"query"`
				Type  string `json:"type"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := p.get("/api/v1/rules", nil, &data); err != nil {
		p.t.Fatal(err)
	}
	out := map[string]string{}
	for _, g := range data.Groups {
		for _, r := range g.Rules {
			if r.Type == "alerting" {
				out[r.Name] = r.Query
			}
		}
	}
	return out
}

// Broker faults a FaultyBroker injects.
const (
	FaultNone         int32 = iota
	FaultRejectOrders       // POST /v2/orders answers 403, as for insufficient buying power
	FaultServerErrors       // every request answers 500
)

// FaultyBroker is a reverse proxy in front of the exchange that can refuse
// orders or fail every request, the way a broker does.
type FaultyBroker struct {
	URL  string
	mode atomic.Int32
}

// StartFaultyBroker proxies to target until the test ends.
func StartFaultyBroker(t testing.TB, target string) *FaultyBroker {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &FaultyBroker{URL: "http://" + ln.Addr().String()}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode := f.mode.Load(); {
		case mode == FaultRejectOrders && r.Method == http.MethodPost && r.URL.Path == "/v2/orders":
			alpacaError(w, http.StatusForbidden, 40310000, "insufficient buying power")
		case mode == FaultServerErrors:
			alpacaError(w, http.StatusInternalServerError, 50010000, "internal server error")
		default:
			proxy.ServeHTTP(w, r)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return f
}

// Set switches the fault injected from now on.
func (f *FaultyBroker) Set(mode int32) { f.mode.Store(mode) }

func alpacaError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}
