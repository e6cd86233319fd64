package report

import (
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

var (
	wall0   = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	market0 = time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC)
)

// fastSeries is n checkpoints a minute apart whose market time runs 60
// times faster; where market returns nil the row has no market_time.
func fastSeries(n int, market func(i int) *time.Time) []db.CheckpointPoint {
	out := make([]db.CheckpointPoint, n)
	for i := range out {
		out[i] = db.CheckpointPoint{ID: int64(i + 1), CheckpointTime: wall0.Add(time.Duration(i) * time.Minute), MarketTime: market(i)}
	}
	return out
}

func at60x(i int) *time.Time {
	t := market0.Add(time.Duration(i) * time.Hour)
	return &t
}

func TestClockMap(t *testing.T) {
	noise := func(i int) *time.Time {
		switch i {
		case 2: // a spike far ahead
			t := market0.Add(1000 * time.Hour)
			return &t
		case 4: // a row back in time
			t := market0.Add(-time.Hour)
			return &t
		case 5: // a row without market_time
			return nil
		}
		return at60x(i)
	}
	for _, c := range []struct {
		name   string
		series []db.CheckpointPoint
		broker time.Time
		want   time.Time
	}{
		{"no market times: identity", fastSeries(4, func(int) *time.Time { return nil }), market0.Add(90 * time.Minute), market0.Add(90 * time.Minute)},
		{"no checkpoints: identity", nil, wall0, wall0},
		{"one point: shifted by its offset", fastSeries(1, at60x), market0.Add(30 * time.Second), wall0.Add(30 * time.Second)},
		{"on a point", fastSeries(5, at60x), market0.Add(3 * time.Hour), wall0.Add(3 * time.Minute)},
		{"between points", fastSeries(5, at60x), market0.Add(150 * time.Minute), wall0.Add(150 * time.Second)},
		{"before the first point: overall rate", fastSeries(5, at60x), market0.Add(-time.Hour), wall0.Add(-time.Minute)},
		{"after the last point: overall rate", fastSeries(5, at60x), market0.Add(6 * time.Hour), wall0.Add(6 * time.Minute)},
		{"noise is left out", fastSeries(8, noise), market0.Add(270 * time.Minute), wall0.Add(270 * time.Second)},
		{"noise is left out, near the spike", fastSeries(8, noise), market0.Add(150 * time.Minute), wall0.Add(150 * time.Second)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := newClockMap(c.series).toWall(c.broker); !got.Equal(c.want) {
				t.Errorf("toWall(%s) = %s, want %s", c.broker.Format(time.RFC3339), got.Format(time.RFC3339Nano), c.want.Format(time.RFC3339))
			}
		})
	}
	m := newClockMap(fastSeries(8, noise))
	if len(m.market) != 5 {
		t.Errorf("kept %d pairs of 8 with a spike, a step back and a gap, want 5: %v", len(m.market), m.market)
	}
}

func TestLongestIncreasing(t *testing.T) {
	ts := func(hours ...int) []time.Time {
		out := make([]time.Time, len(hours))
		for i, h := range hours {
			out[i] = market0.Add(time.Duration(h) * time.Hour)
		}
		return out
	}
	for _, c := range []struct {
		in   []time.Time
		want []int
	}{
		{nil, []int{}},
		{ts(5), []int{0}},
		{ts(1, 2, 3), []int{0, 1, 2}},
		{ts(1, 2, 2, 3), []int{0, 1, 3}}, // strictly, and the first of a repeated time
		{ts(1, 9, 2, 3, 0, 4), []int{0, 2, 3, 5}},
		{ts(3, 2, 1), []int{2}},
	} {
		got := longestIncreasing(c.in)
		if len(got) != len(c.want) {
			t.Errorf("longestIncreasing(%v) = %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("longestIncreasing(%v) = %v, want %v", c.in, got, c.want)
				break
			}
		}
	}
}
