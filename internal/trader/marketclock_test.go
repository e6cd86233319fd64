package trader

import (
	"testing"
	"time"
)

func TestMarketClock(t *testing.T) {
	wall0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	market0 := time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC)
	var m marketClock
	if got := m.at(wall0); !got.IsZero() {
		t.Fatalf("before any reading: %s, want zero", got)
	}
	m.observe(market0, wall0)
	if r := m.rate(); r != 1 {
		t.Fatalf("rate %v from one reading, want 1", r)
	}
	// A simulator at speed 60.
	m.observe(market0.Add(30*time.Second), wall0.Add(500*time.Millisecond))
	if r := m.rate(); r != 60 {
		t.Fatalf("rate %v, want 60", r)
	}
	if got, want := m.at(wall0.Add(time.Second)), market0.Add(time.Minute); !got.Equal(want) {
		t.Errorf("at: %s, want %s", got, want)
	}
	if got, want := m.wallAt(market0.Add(5*time.Minute)), wall0.Add(5*time.Second); !got.Equal(want) {
		t.Errorf("wallAt: %s, want %s", got, want)
	}
	if got := m.at(wall0); !got.Equal(market0.Add(30 * time.Second)) {
		t.Errorf("at before the last reading: %s, want the reading", got)
	}
	// Readings that keep the rate keep the anchor, so the rate is measured
	// over an ever longer span.
	m.observe(market0.Add(10*time.Minute), wall0.Add(10*time.Second))
	if m.anchor.wall != wall0 {
		t.Errorf("anchor moved on a reading that kept the rate")
	}
	// The exchange restarts at speed 1: the next reading disagrees, and
	// the rate is measured from the reading before it.
	m.observe(market0.Add(10*time.Minute+time.Second), wall0.Add(11*time.Second))
	m.observe(market0.Add(10*time.Minute+2*time.Second), wall0.Add(12*time.Second))
	if r := m.rate(); r < 0.99 || r > 1.01 {
		t.Errorf("rate %v after a restart at speed 1, want 1", r)
	}
}

func TestTimeframeGrid(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 11, 29, 15, 37, 12, 0, time.UTC)
	for _, c := range []struct {
		tf             string
		start, nextEnd time.Time
	}{
		{"1Min", time.Date(2024, 11, 29, 15, 37, 0, 0, time.UTC), time.Date(2024, 11, 29, 15, 38, 0, 0, time.UTC)},
		{"5Min", time.Date(2024, 11, 29, 15, 35, 0, 0, time.UTC), time.Date(2024, 11, 29, 15, 40, 0, 0, time.UTC)},
		{"1Hour", time.Date(2024, 11, 29, 15, 0, 0, 0, time.UTC), time.Date(2024, 11, 29, 16, 0, 0, 0, time.UTC)},
		// Day bars start at midnight in New York (05:00 UTC in November).
		{"1Day", time.Date(2024, 11, 29, 5, 0, 0, 0, time.UTC), time.Date(2024, 11, 30, 5, 0, 0, 0, time.UTC)},
	} {
		tf, err := parseTimeframe(c.tf, ny)
		if err != nil {
			t.Fatal(err)
		}
		if got := tf.start(at); !got.Equal(c.start) {
			t.Errorf("%s start %s, want %s", c.tf, got, c.start)
		}
		if got := tf.nextEnd(at); !got.Equal(c.nextEnd) {
			t.Errorf("%s nextEnd %s, want %s", c.tf, got, c.nextEnd)
		}
		if got := tf.nextEnd(c.nextEnd); !got.After(c.nextEnd) {
			t.Errorf("%s nextEnd of a boundary %s is not after it", c.tf, got)
		}
	}
	// The day after the switch to daylight time is 23 hours long.
	tf, _ := parseTimeframe("1Day", ny)
	spring := time.Date(2025, 3, 9, 5, 0, 0, 0, time.UTC)
	if got := tf.end(spring); got.Sub(spring) != 23*time.Hour {
		t.Errorf("day bar of 2025-03-09 lasts %s, want 23h", got.Sub(spring))
	}
	if _, err := parseTimeframe("61Min", ny); err == nil {
		t.Error("61Min accepted")
	}
}
