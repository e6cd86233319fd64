package broker_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// headerClient serves rate-limit headers with the given budget and reset
// (relative to the injected clock's now) and returns a client on it.
func headerClient(t *testing.T, remaining int, reset time.Duration, edit ...func(*broker.Config)) (*broker.Client, *sleepRecorder) {
	t.Helper()
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	f := newFakeAlpaca(t)
	f.headers.Set("X-Ratelimit-Limit", "200")
	f.headers.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	f.headers.Set("X-Ratelimit-Reset", strconv.FormatInt(now.Add(reset).Unix(), 10))
	edit = append([]func(*broker.Config){func(cfg *broker.Config) { cfg.Now = func() time.Time { return now } }}, edit...)
	return newTestClient(t, f.URL(), edit...)
}

// clockCalls makes n successful calls.
func clockCalls(t *testing.T, c *broker.Client, n int) {
	t.Helper()
	for range n {
		if _, err := c.Clock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRateLimitHeadersDelayTheNextRequest(t *testing.T) {
	c, rec := headerClient(t, 0, 7*time.Second)
	clockCalls(t, c, 1)
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("first request waited %v", got)
	}
	clockCalls(t, c, 1)
	if got := rec.durations(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Fatalf("waits = %v, want [7s] until the announced reset", got)
	}
}

func TestRateLimitHeadersWithBudgetLeftDoNotWait(t *testing.T) {
	c, rec := headerClient(t, 57, 30*time.Second)
	clockCalls(t, c, 3)
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("waited %v with budget left", got)
	}
}

func TestRateLimitResetInThePastDoesNotWait(t *testing.T) {
	c, rec := headerClient(t, 0, -time.Second)
	clockCalls(t, c, 2)
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("waited %v for a reset already past", got)
	}
}

func TestRateLimitHugeResetIsCapped(t *testing.T) {
	c, rec := headerClient(t, 0, 10*time.Hour)
	clockCalls(t, c, 2)
	if got := rec.durations(); len(got) != 1 || got[0] > 2*time.Minute {
		t.Fatalf("waits = %v, want one wait capped well below the bogus 10h", got)
	}
}
