package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Pinger checks that the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// PingFunc adapts a function to Pinger.
type PingFunc func(ctx context.Context) error

// Ping calls f.
func (f PingFunc) Ping(ctx context.Context) error { return f(ctx) }

// HealthConfig is what /healthz checks.
type HealthConfig struct {
	Store Pinger
	// CheckpointInterval is the session's; the last checkpoint may be at
	// most three intervals old, the same grace the trader gives an
	// unreachable store before it stops entering.
	CheckpointInterval time.Duration
	// Start is when the process started; before the first checkpoint the
	// age is measured from it.
	Start time.Time
	Now   func() time.Time
	// Redact masks secrets in a reason; a store error may echo the
	// connection string.
	Redact func(string) string
	// PingTimeout bounds the store check (default 2s), so that a probe
	// gets an answer while the store hangs.
	PingTimeout time.Duration
}

const defaultPingTimeout = 2 * time.Second

// maxAgeIntervals is how many checkpoint intervals may pass without a
// checkpoint before the process is unhealthy.
const maxAgeIntervals = 3

// Check returns nil when the store answers and the last checkpoint is
// recent enough, else an error whose text is the one-line reason.
func (m *Metrics) Check(ctx context.Context, c HealthConfig) error {
	timeout := c.PingTimeout
	if timeout <= 0 {
		timeout = defaultPingTimeout
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := c.Store.Ping(pctx)
	m.StoreUp(err == nil)
	if err != nil {
		return fmt.Errorf("store unreachable: %s", oneLine(redact(c.Redact, err.Error())))
	}
	return CheckpointAge(m.LastCheckpoint(), c.Start, c.Now(), c.CheckpointInterval)
}

// CheckpointAge is the checkpoint half of the health rule, for /healthz and
// for `gambler status`: nil when the last checkpoint is younger than three
// checkpoint intervals, else the one-line reason. Before the first
// checkpoint (last zero, or older than start) the age counts from start,
// when the process began.
func CheckpointAge(last, start, now time.Time, interval time.Duration) error {
	limit := maxAgeIntervals * interval
	if last.IsZero() || last.Before(start) {
		if age := now.Sub(start); age > limit {
			return fmt.Errorf("no checkpoint yet, %s since start, longer than %d intervals (%s)",
				age.Round(time.Second), maxAgeIntervals, limit)
		}
		return nil
	}
	if age := now.Sub(last); age > limit {
		return fmt.Errorf("last checkpoint %s ago, older than %d intervals (%s)",
			age.Round(time.Second), maxAgeIntervals, limit)
	}
	return nil
}

// healthHandler answers 200 "ok" or 503 with the reason.
func (m *Metrics) healthHandler(c HealthConfig) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := m.Check(r.Context(), c); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err.Error())
			return
		}
		fmt.Fprintln(w, "ok")
	})
}

func redact(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// oneLine joins a multi-line driver error into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
