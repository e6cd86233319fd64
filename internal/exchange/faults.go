package exchange

import (
	"math/rand"
	"net/http"
	"sync"
	"time"
)

// Fault kinds accepted by POST /sim/v1/faults.
const (
	fault429          = "429"
	fault500          = "500"
	faultDelay        = "delay"
	faultDrop         = "drop"
	faultLostResponse = "lost_response"
)

const defaultFaultDelay = time.Second

// faultConfig is the body of POST /sim/v1/faults.
type faultConfig struct {
	Rate    float64  `json:"rate"`
	Kinds   []string `json:"kinds"`
	DelayMS int      `json:"delay_ms"`
	Seed    int64    `json:"seed"`
}

// faults injects failures into the Alpaca API (never into /sim/v1).
type faults struct {
	mu  sync.Mutex
	cfg faultConfig
	rng *rand.Rand
}

func newFaults() *faults { return &faults{rng: rand.New(rand.NewSource(1))} }

func (f *faults) set(cfg faultConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.rng = rand.New(rand.NewSource(cfg.Seed))
}

func (f *faults) get() faultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg
}

// pick draws the fault for one request, or "" for none. lost_response only
// applies to order creation, where it models an accepted order whose
// acknowledgement never arrives.
func (f *faults) pick(r *http.Request) (string, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg.Rate <= 0 || len(f.cfg.Kinds) == 0 || f.rng.Float64() >= f.cfg.Rate {
		return "", 0
	}
	var kinds []string
	for _, k := range f.cfg.Kinds {
		if k != faultLostResponse || (r.Method == http.MethodPost && r.URL.Path == "/v2/orders") {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "", 0
	}
	delay := defaultFaultDelay
	if f.cfg.DelayMS > 0 {
		delay = time.Duration(f.cfg.DelayMS) * time.Millisecond
	}
	return kinds[f.rng.Intn(len(kinds))], delay
}

func validFaultKind(k string) bool {
	switch k {
	case fault429, fault500, faultDelay, faultDrop, faultLostResponse:
		return true
	}
	return false
}

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, delay := f.pick(r)
		switch kind {
		case fault429:
			writeError(w, errf(http.StatusTooManyRequests, codeRateLimited, "too many requests"))
		case fault500:
			writeError(w, errf(http.StatusInternalServerError, codeInternal, "internal server error"))
		case faultDelay:
			select {
			case <-time.After(delay):
				next.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		case faultDrop:
			closeConn(w)
		case faultLostResponse:
			next.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			closeConn(w)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// closeConn drops the client's connection without a response, which the
// client sees as a transport error.
func closeConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot hijack (HTTP/2): the closest thing is an aborted handler.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// discardWriter swallows a response that is never delivered.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
