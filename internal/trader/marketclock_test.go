package trader

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func TestMarketClockEstimate(t *testing.T) {
	wall0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	market0 := time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC)
	tick := 2 * time.Second
	var m marketClock
	if got := m.at(wall0); !got.IsZero() {
		t.Fatalf("before any reading: %s, want zero", got)
	}
	m.observe(market0, wall0)
	if got := m.at(wall0.Add(tick)); !got.Equal(market0) {
		t.Errorf("one reading: %s, want the reading %s", got, market0)
	}
	// A simulator at speed 60: two seconds of wall time are two minutes
	// of market time, and a checkpoint half a tick later is one minute on.
	m.observe(market0.Add(60*tick), wall0.Add(tick))
	for _, c := range []struct {
		after time.Duration
		want  time.Time
	}{
		{0, market0.Add(60 * tick)},
		{time.Second, market0.Add(60*tick + time.Minute)},
		{-time.Second, market0.Add(60 * tick)}, // never estimated back before the reading
	} {
		if got := m.at(wall0.Add(tick + c.after)); !got.Equal(c.want) {
			t.Errorf("%s after the last reading: %s, want %s", c.after, got, c.want)
		}
	}
	// A clock that went back gives no rate: the last reading stands.
	m.observe(market0, wall0.Add(2*tick))
	if got := m.at(wall0.Add(3 * tick)); !got.Equal(market0) {
		t.Errorf("after a clock that went back: %s, want %s", got, market0)
	}
	// Readings at one wall instant (a frozen test clock) give no rate either.
	m.observe(market0.Add(time.Hour), wall0.Add(2*tick))
	if got := m.at(wall0.Add(3 * tick)); !got.Equal(market0.Add(time.Hour)) {
		t.Errorf("readings at one wall instant: %s, want the last reading", got)
	}
}

type capturingStore struct {
	cpStore
	got *db.CheckpointInput
}

func (s capturingStore) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	*s.got = in
	return s.cpStore.CreateCheckpoint(ctx, in)
}

// TestCheckpointRecordsMarketTime: the checkpoint's account_snapshot
// carries the market time of the checkpoint's own instant, and none before
// the broker's clock was ever read.
func TestCheckpointRecordsMarketTime(t *testing.T) {
	var in db.CheckpointInput
	tr := observedTrader(capturingStore{got: &in}, nil)
	marketTime := func() any {
		var acct map[string]any
		if err := json.Unmarshal(in.AccountSnapshot, &acct); err != nil {
			t.Fatal(err)
		}
		return acct["market_time"]
	}
	tr.checkpoint(context.Background(), db.TriggerInterval)
	if got := marketTime(); got != nil {
		t.Errorf("market_time %v before any clock reading, want none", got)
	}
	now := tr.now()
	tr.market.observe(time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC), now.Add(-4*time.Second))
	tr.market.observe(time.Date(2025, 6, 2, 13, 32, 0, 0, time.UTC), now.Add(-2*time.Second))
	tr.checkpoint(context.Background(), db.TriggerInterval)
	if got, want := marketTime(), "2025-06-02T13:34:00Z"; got != want {
		t.Errorf("market_time %v, want %s (two ticks at speed 60, one tick on)", got, want)
	}
}
