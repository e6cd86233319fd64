package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/clock"
)

var t0 = time.Date(2025, 3, 3, 14, 30, 0, 0, time.UTC)

func TestFakeWakesSleepersAtTheirDeadline(t *testing.T) {
	f := clock.NewFake(t0)
	ctx := context.Background()
	woke := make(chan time.Time, 2)
	for _, d := range []time.Duration{time.Minute, time.Hour} {
		go func() {
			if err := f.Sleep(ctx, d); err != nil {
				t.Error(err)
			}
			woke <- f.Now()
		}()
	}
	if err := f.WaitSleepers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	next, ok := f.Next()
	if !ok || !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Next = %s %v, want %s", next, ok, t0.Add(time.Minute))
	}
	f.Advance(59 * time.Second)
	select {
	case at := <-woke:
		t.Fatalf("a sleeper woke early, at %s", at)
	default:
	}
	f.AdvanceTo(next)
	if at := <-woke; !at.Equal(next) {
		t.Fatalf("woke at %s, want %s", at, next)
	}
	f.AdvanceTo(t0) // never backwards
	if !f.Now().Equal(next) {
		t.Fatalf("clock moved back to %s", f.Now())
	}
	f.Advance(2 * time.Hour)
	if at := <-woke; !at.Equal(t0.Add(time.Minute + 2*time.Hour)) {
		t.Fatalf("second sleeper woke at %s", at)
	}
	if _, ok := f.Next(); ok {
		t.Fatal("a sleeper is left after both woke")
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	for _, c := range []clock.Clock{clock.Real{}, clock.NewFake(t0)} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Sleep(ctx, time.Hour) }()
		if f, ok := c.(*clock.Fake); ok {
			if err := f.WaitSleepers(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("%T: Sleep returned %v after cancel", c, err)
		}
		if f, ok := c.(*clock.Fake); ok {
			if _, left := f.Next(); left {
				t.Fatal("a canceled sleeper is still waiting")
			}
		}
	}
	if err := (clock.Real{}).Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
}
