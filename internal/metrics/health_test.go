package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/metrics"
)

// clock is a settable time source.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// pinger answers with err, and remembers whether it was asked.
type pinger struct {
	err   error
	asked int
}

func (p *pinger) Ping(ctx context.Context) error {
	p.asked++
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("ping without a deadline")
	}
	return p.err
}

var start = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// healthz returns the status and body of GET /healthz.
func healthz(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, string(body)
}

func TestHealthz(t *testing.T) {
	const interval = 30 * time.Second
	cases := []struct {
		name       string
		sinceStart time.Duration // when the probe comes
		checkpoint time.Duration // when the last checkpoint was written, after start; 0 = none
		storeErr   error
		wantCode   int
		wantBody   string
	}{
		{"fresh process, no checkpoint yet", 10 * time.Second, 0, nil, 200, "ok\n"},
		{"no checkpoint for exactly 3 intervals", 90 * time.Second, 0, nil, 200, "ok\n"},
		{"no checkpoint for longer than 3 intervals", 2 * time.Minute, 0, nil, 503,
			"no checkpoint yet, 2m0s since start, longer than 3 intervals (1m30s)\n"},
		{"recent checkpoint", 10 * time.Minute, 9*time.Minute + 30*time.Second, nil, 200, "ok\n"},
		{"stale checkpoint", 10 * time.Minute, 6 * time.Minute, nil, 503,
			"last checkpoint 4m0s ago, older than 3 intervals (1m30s)\n"},
		{"store down", 10 * time.Second, 0, errors.New("dial tcp 10.0.0.9:5432: connection refused"), 503,
			"store unreachable: dial tcp 10.0.0.9:5432: connection refused\n"},
		{"store down wins over a stale checkpoint", 10 * time.Minute, time.Minute, errors.New("closed pool"), 503,
			"store unreachable: closed pool\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := metrics.New()
			clk := &clock{now: start}
			if c.checkpoint > 0 {
				m.CheckpointCreated(start.Add(c.checkpoint), 5*time.Millisecond, 2048)
			}
			clk.now = start.Add(c.sinceStart)
			p := &pinger{err: c.storeErr}
			h := m.Handler(metrics.HealthConfig{Store: p, CheckpointInterval: interval, Start: start, Now: clk.Now})
			code, body := healthz(t, h)
			if code != c.wantCode || body != c.wantBody {
				t.Fatalf("GET /healthz = %d %q, want %d %q", code, body, c.wantCode, c.wantBody)
			}
			if p.asked != 1 {
				t.Fatalf("store pinged %d times, want once per probe", p.asked)
			}
			wantUp := 1.0
			if c.storeErr != nil {
				wantUp = 0
			}
			if got := sample(t, m, "gambler_store_up"); got != wantUp {
				t.Fatalf("gambler_store_up = %v after the probe, want %v", got, wantUp)
			}
		})
	}
}

// TestHealthzNeverShowsSecrets: a driver error that echoes the connection
// string is masked and flattened to one line.
func TestHealthzNeverShowsSecrets(t *testing.T) {
	const password = "hunter2-s3cret"
	err := errors.New("failed to connect to postgres://gambler:" + password + "@db.internal:5432/gambler\n" +
		"\tsecond attempt: password authentication failed")
	m := metrics.New()
	h := m.Handler(metrics.HealthConfig{
		Store: &pinger{err: err}, CheckpointInterval: time.Minute, Start: start,
		Now:    func() time.Time { return start },
		Redact: func(s string) string { return strings.ReplaceAll(s, password, "xxxxx") },
	})
	code, body := healthz(t, h)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", code)
	}
	if strings.Contains(body, password) {
		t.Fatalf("body shows the password: %q", body)
	}
	if strings.Count(body, "\n") != 1 || !strings.HasPrefix(body, "store unreachable: failed to connect to postgres://gambler:xxxxx@") {
		t.Fatalf("body is not one masked line: %q", body)
	}
}

// TestHealthzStoreHangs: a store that does not answer makes the probe
// fail within the ping timeout instead of hanging it.
func TestHealthzStoreHangs(t *testing.T) {
	m := metrics.New()
	hang := metrics.PingFunc(func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	h := m.Handler(metrics.HealthConfig{Store: hang, CheckpointInterval: time.Minute, Start: start,
		Now: func() time.Time { return start }, PingTimeout: 10 * time.Millisecond})
	code, body := healthz(t, h)
	if code != http.StatusServiceUnavailable || body != "store unreachable: context deadline exceeded\n" {
		t.Fatalf("GET /healthz = %d %q", code, body)
	}
}

// TestCheckpointAge: the rule `gambler status` shares with /healthz. A
// checkpoint older than the process start (written by a previous run of a
// resumed session) does not count: the age is from start until the first.
func TestCheckpointAge(t *testing.T) {
	start := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		last, now time.Time
		want      string
	}{
		{"fresh", start.Add(time.Minute), start.Add(time.Minute + 89*time.Second), ""},
		{"stale", start.Add(time.Minute), start.Add(time.Minute + 91*time.Second), "last checkpoint 1m31s ago, older than 3 intervals (1m30s)"},
		{"none yet, young process", time.Time{}, start.Add(80 * time.Second), ""},
		{"none yet, old process", time.Time{}, start.Add(100 * time.Second), "no checkpoint yet, 1m40s since start, longer than 3 intervals (1m30s)"},
		{"only a previous run's", start.Add(-time.Hour), start.Add(100 * time.Second), "no checkpoint yet, 1m40s since start"},
	} {
		err := metrics.CheckpointAge(c.last, start, c.now, 30*time.Second)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
