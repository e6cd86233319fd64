package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/orders"
)

// requiredFamilies are the metrics README's "Watching it" lists, with their types.
var requiredFamilies = map[string]dto.MetricType{
	"gambler_checkpoints_created_total":                 dto.MetricType_COUNTER,
	"gambler_checkpoints_failed_total":                  dto.MetricType_COUNTER,
	"gambler_checkpoint_duration_seconds":               dto.MetricType_HISTOGRAM,
	"gambler_checkpoint_size_bytes":                     dto.MetricType_GAUGE,
	"gambler_checkpoint_last_success_timestamp_seconds": dto.MetricType_GAUGE,
	"gambler_checkpoints_restored_total":                dto.MetricType_COUNTER,
	"gambler_positions_active":                          dto.MetricType_GAUGE,
	"gambler_portfolio_value_dollars":                   dto.MetricType_GAUGE,
	"gambler_cash_dollars":                              dto.MetricType_GAUGE,
	"gambler_orders_total":                              dto.MetricType_COUNTER,
	"gambler_fills_total":                               dto.MetricType_COUNTER,
	"gambler_broker_requests_total":                     dto.MetricType_COUNTER,
	"gambler_broker_request_duration_seconds":           dto.MetricType_HISTOGRAM,
	"gambler_broker_rate_limit_wait_seconds_total":      dto.MetricType_COUNTER,
	"gambler_store_up":                                  dto.MetricType_GAUGE,
	"gambler_session_info":                              dto.MetricType_GAUGE,
	"gambler_build_info":                                dto.MetricType_GAUGE,
	"gambler_checkpoint_interval_seconds":               dto.MetricType_GAUGE,
	"gambler_session_equity_dollars":                    dto.MetricType_GAUGE,
	"gambler_session_realized_pnl_dollars":              dto.MetricType_GAUGE,
	"gambler_session_unrealized_pnl_dollars":            dto.MetricType_GAUGE,
}

// TestMetricsDuringSession scrapes /metrics and /healthz of a real trade
// process and then of the resume that continues its session after kill -9:
// every required family with its type, and values that agree with the
// store.
func TestMetricsDuringSession(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			p := e.Start(nil, e.TradeArgs("--duration", "0", "--metrics-addr", "127.0.0.1:0")...)
			addr := MetricsAddr(t, p)
			s := e.WaitForSession()
			e.WaitForPositions(s.ID, 1)

			m := e.consistentScrape(s.ID, addr)
			checkFamilies(t, m)
			if got := m.Values["gambler_store_up"]; got != 1 {
				t.Errorf("gambler_store_up = %v", got)
			}
			info := m.Labels("gambler_session_info")
			want := map[string]string{"session_id": s.ID, "instance_id": "1", "strategy": s.StrategyName}
			if len(info) != 1 || fmt.Sprint(info[0]) != fmt.Sprint(want) {
				t.Errorf("gambler_session_info labels %v, want %v", info, want)
			}
			if m.Values["gambler_checkpoints_restored_total"] != 0 {
				t.Errorf("a new session restored %v checkpoints", m.Values["gambler_checkpoints_restored_total"])
			}
			if m.Values["gambler_portfolio_value_dollars"] <= 0 {
				t.Errorf("gambler_portfolio_value_dollars = %v", m.Values["gambler_portfolio_value_dollars"])
			}
			if build := m.Labels("gambler_build_info"); len(build) != 1 || build[0]["version"] != "dev" || build[0]["goversion"] == "" {
				t.Errorf("gambler_build_info labels %v, want version dev and a Go version", build)
			}
			if got := m.Values["gambler_checkpoint_interval_seconds"]; got != 1 {
				t.Errorf("gambler_checkpoint_interval_seconds = %v, want 1", got)
			}
			e.checkBrokerEndpoints(m)
			if code, body := Healthz(t, addr); code != http.StatusOK || body != "ok" {
				t.Errorf("GET /healthz = %d %q", code, body)
			}

			// The resume of the same session serves the same endpoint. Its
			// counters start from zero, so they are not compared with the
			// store, which holds both processes' work.
			p.Kill9()
			r := e.Start(nil, e.ResumeArgs("--duration", "0", "--metrics-addr", "127.0.0.1:0")...)
			addr = MetricsAddr(t, r)
			Eventually(t, 60*time.Second, "the resume checkpoint in the metrics", func() bool {
				m = ScrapeMetrics(t, addr)
				return m.Values["gambler_checkpoints_created_total"] >= 1
			})
			checkFamilies(t, m)
			if got := m.Values["gambler_checkpoints_restored_total"]; got != 1 {
				t.Errorf("resume: gambler_checkpoints_restored_total = %v, want 1", got)
			}
			if info := m.Labels("gambler_session_info"); len(info) != 1 || info[0]["session_id"] != s.ID {
				t.Errorf("resume: gambler_session_info labels %v, want session %s", info, s.ID)
			}
			if code, body := Healthz(t, addr); code != http.StatusOK || body != "ok" {
				t.Errorf("resume: GET /healthz = %d %q", code, body)
			}
			r.Signal(syscall.SIGINT)
			if code := r.Wait(30 * time.Second); code != 0 {
				t.Fatalf("resume exit %d after SIGINT", code)
			}
			if resp, err := scrapeClient.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				t.Error("the metrics endpoint still answers after the process exited")
			}
		})
	}
}

func checkFamilies(t *testing.T, m Scrape) {
	t.Helper()
	for name, typ := range requiredFamilies {
		f := m.Families[name]
		switch {
		case f == nil:
			t.Errorf("metric family %s missing", name)
		case f.GetType() != typ:
			t.Errorf("%s has type %s, want %s", name, f.GetType(), typ)
		case len(f.GetMetric()) == 0:
			t.Errorf("%s has no samples", name)
		}
	}
}

// consistentScrape returns a scrape whose counts equal the store's, taken
// at a moment when nothing changed between two scrapes around the store
// reads: the trader keeps trading meanwhile, so a single scrape may be one
// step ahead of or behind the store.
func (e *Env) consistentScrape(sessionID, addr string) Scrape {
	t := e.T
	t.Helper()
	var last string
	var good Scrape
	ok := eventuallyOK(60*time.Second, func() bool {
		before := ScrapeMetrics(t, addr)
		want, err := e.storeFigures(sessionID)
		if err != nil {
			last = err.Error()
			return false
		}
		after := ScrapeMetrics(t, addr)
		got, again := figuresOf(before), figuresOf(after)
		last = fmt.Sprintf("store %v, scrapes %v and %v", want, got, again)
		if got != want || again != want || want.checkpoints < 1 || want.fills < 1 {
			return false
		}
		good = after
		return true
	})
	if !ok {
		t.Fatalf("metrics never agreed with the store: %s", last)
	}
	return good
}

// figures are the values a scrape and the store must agree on. Counters
// count what this process did, which for a new session is everything the
// store holds for it.
type figures struct {
	checkpoints, positions, fills, intents int
	durations                              int
	lastSize                               int64
}

func figuresOf(m Scrape) figures {
	return figures{
		checkpoints: int(m.Values["gambler_checkpoints_created_total"]),
		durations:   int(m.Values["gambler_checkpoint_duration_seconds"]),
		lastSize:    int64(m.Values["gambler_checkpoint_size_bytes"]),
		positions:   int(m.Values["gambler_positions_active"]),
		fills:       int(m.Values["gambler_fills_total"]),
		intents:     int(m.Values[`gambler_orders_total{status="intent"}`]),
	}
}

func (e *Env) storeFigures(sessionID string) (figures, error) {
	ctx := context.Background()
	var f figures
	metas, err := e.Store.ListCheckpoints(ctx, sessionID, 100000)
	if err != nil {
		return f, err
	}
	f.checkpoints, f.durations = len(metas), len(metas)
	if len(metas) > 0 && metas[0].SizeBytes != nil {
		f.lastSize = *metas[0].SizeBytes
	}
	active, err := e.Store.ActivePositions(ctx, sessionID)
	if err != nil {
		return f, err
	}
	f.positions = len(active)
	fills, err := e.Store.Fills(ctx, sessionID)
	if err != nil {
		return f, err
	}
	f.fills = len(fills)
	journal, err := e.Store.SessionOrders(ctx, sessionID, false)
	if err != nil {
		return f, err
	}
	for _, o := range journal {
		if o.Purpose == orders.PurposeEntry {
			f.intents++
		}
	}
	return f, nil
}

// eventuallyOK polls cond until it holds or d passes.
func eventuallyOK(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// endpointLabel is what a templated endpoint looks like: lower-case API
// words and placeholders only, never a symbol or an order id.
var endpointLabel = regexp.MustCompile(`^(/([a-z_:]+|v2|\{id\}|\{symbol\}))+$`)

// checkBrokerEndpoints: requests were counted, under templated endpoints
// only, for the calls every tick makes.
func (e *Env) checkBrokerEndpoints(m Scrape) {
	t := e.T
	t.Helper()
	seen := map[string]float64{}
	for _, fam := range []string{"gambler_broker_requests_total", "gambler_broker_request_duration_seconds"} {
		for _, ls := range m.Labels(fam) {
			ep := ls["endpoint"]
			if !endpointLabel.MatchString(ep) || broker.EndpointTemplate(ep) != ep {
				t.Errorf("%s has a raw endpoint label %q", fam, ep)
			}
		}
	}
	for series, v := range m.Values {
		if rest, ok := strings.CutPrefix(series, "gambler_broker_requests_total{"); ok {
			seen[rest] = v
		}
	}
	for _, ep := range []string{"/v2/account", "/v2/clock", "/v2/orders", "/v2/stocks/bars"} {
		if key := fmt.Sprintf("endpoint=%q,status=%q}", ep, "200"); seen[key] < 1 {
			t.Errorf("no successful requests counted for %s: %v", ep, seen)
		}
	}
}
