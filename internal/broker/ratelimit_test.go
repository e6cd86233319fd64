package broker_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

func TestRateLimitHeadersDelayTheNextRequest(t *testing.T) {
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	f := newFakeAlpaca(t)
	f.headers.Set("X-Ratelimit-Limit", "200")
	f.headers.Set("X-Ratelimit-Remaining", "0")
	f.headers.Set("X-Ratelimit-Reset", strconv.FormatInt(now.Add(7*time.Second).Unix(), 10))
	c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.Now = func() time.Time { return now } })
	ctx := context.Background()

	if _, err := c.Clock(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("first request waited %v", got)
	}
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.durations(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Fatalf("waits = %v, want [7s] until the announced reset", got)
	}
}

func TestRateLimitHeadersWithBudgetLeftDoNotWait(t *testing.T) {
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	f := newFakeAlpaca(t)
	f.headers.Set("X-Ratelimit-Remaining", "57")
	f.headers.Set("X-Ratelimit-Reset", strconv.FormatInt(now.Add(30*time.Second).Unix(), 10))
	c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.Now = func() time.Time { return now } })
	for range 3 {
		if _, err := c.Clock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("waited %v with budget left", got)
	}
}

func TestRateLimitResetInThePastDoesNotWait(t *testing.T) {
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	f := newFakeAlpaca(t)
	f.headers.Set("X-Ratelimit-Remaining", "0")
	f.headers.Set("X-Ratelimit-Reset", strconv.FormatInt(now.Add(-time.Second).Unix(), 10))
	c, rec := newTestClient(t, f.URL(), func(cfg *broker.Config) { cfg.Now = func() time.Time { return now } })
	for range 2 {
		if _, err := c.Clock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.durations(); len(got) != 0 {
		t.Fatalf("waited %v for a reset already past", got)
	}
}
