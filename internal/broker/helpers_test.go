package broker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// sleepRecorder replaces real sleeping so retries and rate-limit waits are
// observable and instant.
type sleepRecorder struct {
	mu    sync.Mutex
	slept []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.slept = append(s.slept, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.slept...)
}

const (
	testKeyID  = "PKTESTKEYID0001"
	testSecret = "sEcReT-do-not-leak-42"
)

// newTestClient builds a client for a fake server with instant sleeps, no
// jitter and a rate budget high enough not to matter.
func newTestClient(t *testing.T, url string, edit ...func(*broker.Config)) (*broker.Client, *sleepRecorder) {
	t.Helper()
	rec := &sleepRecorder{}
	cfg := broker.Config{
		KeyID: testKeyID, Secret: testSecret,
		BaseURL: url, DataURL: url,
		RateLimit: 600000, RateBurst: 1000,
		Timeout:        5 * time.Second,
		MaxRetries:     4,
		RetryBaseDelay: 100 * time.Millisecond,
		RetryMaxDelay:  time.Second,
		Sleep:          rec.sleep,
		Jitter:         func(d time.Duration) time.Duration { return d },
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := broker.New(cfg)
	if err != nil {
		t.Fatalf("broker.New: %v", err)
	}
	return c, rec
}
