// Package clock is where the trader reads the time and waits. The real
// clock waits on timers, which run on the monotonic clock, so a wall-clock
// jump neither fires nor delays a checkpoint or a scan. Fake is a clock
// that tests advance themselves: it knows when the code under test is
// waiting, and until when, so a test can say "after the next wake-up"
// instead of sleeping.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done, then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the system clock.
type Real struct{}

// Now implements Clock.
func (Real) Now() time.Time { return time.Now() }

// Sleep implements Clock.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return ctx.Err()
}
