package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	alertsFile    = filepath.Join(configsDir, "prometheus", "alerts.yml")
	dashboardFile = filepath.Join(configsDir, "grafana", "gambler.json")
)

// TestAlertRules: promtool accepts the shipped rules and their unit tests
// pass.
func TestAlertRules(t *testing.T) {
	t.Parallel()
	promtool := Tool(t, "promtool", "prometheus")
	for _, args := range [][]string{
		{"check", "rules", alertsFile},
		{"test", "rules", filepath.Join(configsDir, "prometheus", "alerts_test.yml")},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// dashboard is the part of the Grafana dashboard model the tests read.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Datasource map[string]string        `json:"datasource"`
	GridPos    struct{ H, W, X, Y int } `json:"gridPos"`
	Targets    []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

// grafanaSchemaVersion is the newest schema of Grafana's classic dashboard
// model (the last of its v1 dashboard API): a dashboard at this version
// loads without migration.
const grafanaSchemaVersion = 42

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// TestDashboardModel checks the dashboard against what Grafana's classic
// model requires: a current schemaVersion, a uid of at most 40 characters,
// unique panel ids, grid positions inside the 24-column grid, a Prometheus
// datasource chosen by the ${datasource} variable, and queries with refIds.
func TestDashboardModel(t *testing.T) {
	t.Parallel()
	d := loadDashboard(t)
	if d.SchemaVersion != grafanaSchemaVersion || d.Title == "" || d.UID == "" || len(d.UID) > 40 {
		t.Errorf("schemaVersion %d, title %q, uid %q", d.SchemaVersion, d.Title, d.UID)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["job"] != "query" || vars["instance"] != "query" {
		t.Errorf("template variables %v: want datasource, job and instance", vars)
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if ids[p.ID] || p.ID <= 0 {
			t.Errorf("%s: id not unique and positive", where)
		}
		ids[p.ID] = true
		g := p.GridPos
		if g.H <= 0 || g.W <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("%s: gridPos %+v outside the 24-column grid", where, g)
		}
		switch p.Type {
		case "row":
			continue
		case "timeseries", "stat":
		default:
			t.Errorf("%s: unexpected panel type %q", where, p.Type)
		}
		if p.Datasource["type"] != "prometheus" || p.Datasource["uid"] != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("%s: datasource %v, %d targets", where, p.Datasource, len(p.Targets))
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if q.RefID == "" || refs[q.RefID] || q.Expr == "" {
				t.Errorf("%s: target refId %q expr %q", where, q.RefID, q.Expr)
			}
			refs[q.RefID] = true
		}
	}
}

// dashboardQueries are the dashboard's expressions with its variables
// replaced as Grafana would for job gambler and every instance.
func dashboardQueries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	r := strings.NewReplacer("$__rate_interval", "1m", "$job", "gambler", "$instance", ".*")
	for _, p := range loadDashboard(t).Panels {
		for _, q := range p.Targets {
			out[p.Title+"/"+q.RefID] = r.Replace(q.Expr)
		}
	}
	return out
}

// promForDuration matches the `for:` of a rule.
var promForDuration = regexp.MustCompile(`(?m)^(\s+for:\s*)\S+\s*$`)

// TestPrometheusScrapesGambler runs a real Prometheus that scrapes a real
// `gambler trade --metrics-addr` and evaluates the shipped rules (their
// `for:` shortened to 0s, with 1 s scrape and evaluation intervals). Every
// dashboard query returns data; every alert fires when its fault is made
// for real: orders refused by the broker, broker errors, the database cut
// away, and the trader frozen with SIGSTOP.
func TestPrometheusScrapesGambler(t *testing.T) {
	t.Parallel()
	bin := Tool(t, "prometheus", "prometheus")
	e := NewEnv(t, "postgres", "60")
	dbURL, dbProxy := ViaProxy(t, e.DBURL)
	broker := StartFaultyBroker(t, e.Exchange.URL)
	broker.Set(FaultRejectOrders)
	trader := e.Start([]string{"GAMBLER_DATABASE_URL=" + dbURL},
		append(e.TradeArgs("--duration", "0", "--capital", "5000"), "--exchange-url", broker.URL, "--metrics-addr", "127.0.0.1:0")...)
	addr := MetricsAddr(t, trader)

	rules, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rulesCopy := filepath.Join(dir, "alerts.yml")
	if err := os.WriteFile(rulesCopy, promForDuration.ReplaceAll(rules, []byte("${1}0s")), 0o600); err != nil {
		t.Fatal(err)
	}
	prom := StartPrometheus(t, bin, dir, PromConfig{Job: "gambler", Target: addr, RuleFiles: []string{rulesCopy}, Interval: time.Second})
	alerts := prom.AlertRules()
	if len(alerts) != 5 {
		t.Fatalf("prometheus loaded %d alerting rules from %s, want 5: %v", len(alerts), alertsFile, alerts)
	}
	fired := map[string]bool{}
	waitFiring := func(name string) {
		t.Helper()
		Eventually(t, 120*time.Second, name+" firing", func() bool { return prom.Firing()[name] })
		fired[name] = true
		if prom.Series(alerts[name]) == 0 {
			t.Errorf("%s fires but its expression returns no data", name)
		}
	}
	// An outage may fire more than its own alert (a cut database also
	// stops checkpoints), so the next fault waits until the alerts it is
	// to fire have resolved.
	waitResolved := func(names ...string) {
		t.Helper()
		Eventually(t, 120*time.Second, fmt.Sprintf("%v resolved", names), func() bool {
			f := prom.Firing()
			for _, n := range names {
				if f[n] {
					return false
				}
			}
			return true
		})
	}

	waitFiring("GamblerOrdersRejected")
	broker.Set(FaultServerErrors)
	waitFiring("GamblerBrokerErrors")
	broker.Set(FaultNone)
	e.WaitForPositions(e.WaitForSession().ID, 1)

	for name, expr := range dashboardQueries(t) {
		Eventually(t, 120*time.Second, "data for dashboard query "+name, func() bool { return prom.Series(expr) > 0 })
	}

	dbProxy.Cut()
	waitFiring("GamblerStoreDown")
	dbProxy.Restore()
	waitResolved("GamblerStoreDown", "GamblerCheckpointStale", "GamblerTraderDown")

	trader.Signal(syscall.SIGSTOP)
	waitFiring("GamblerCheckpointStale")
	waitFiring("GamblerTraderDown")
	trader.Signal(syscall.SIGCONT)
	trader.Signal(syscall.SIGINT)
	if code := trader.Wait(90 * time.Second); code != 0 {
		t.Errorf("trader: exit %d after SIGINT", code)
	}

	var never []string
	for name := range alerts {
		if !fired[name] {
			never = append(never, name)
		}
	}
	sort.Strings(never)
	if len(never) > 0 {
		t.Errorf("alerts never seen firing: %v", never)
	}
}
