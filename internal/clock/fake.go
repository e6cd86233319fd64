package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Fake is a clock that moves only when a test advances it. Sleepers wake
// when the clock reaches their deadline.
type Fake struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	// changed is closed (and replaced) whenever a sleeper starts waiting,
	// so WaitSleepers needs no polling.
	changed chan struct{}
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewFake returns a fake clock that reads start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, changed: make(chan struct{})}
}

// Now implements Clock.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep implements Clock: it returns once the clock has been advanced to
// now+d, or when ctx is done.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	if d <= 0 {
		f.mu.Unlock()
		return ctx.Err()
	}
	s := &sleeper{until: f.now.Add(d), wake: make(chan struct{})}
	f.sleepers = append(f.sleepers, s)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	select {
	case <-s.wake:
	case <-ctx.Done():
		f.remove(s)
	}
	return ctx.Err()
}

func (f *Fake) remove(s *sleeper) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.sleepers {
		if x == s {
			f.sleepers = append(f.sleepers[:i], f.sleepers[i+1:]...)
			return
		}
	}
}

// Advance moves the clock forward by d and wakes every sleeper whose
// deadline it reaches.
func (f *Fake) Advance(d time.Duration) { f.AdvanceTo(f.Now().Add(d)) }

// AdvanceTo moves the clock to t (never backwards) and wakes every sleeper
// whose deadline is at or before t.
func (f *Fake) AdvanceTo(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.now = t
	}
	kept := f.sleepers[:0]
	for _, s := range f.sleepers {
		if s.until.After(f.now) {
			kept = append(kept, s)
		} else {
			close(s.wake)
		}
	}
	f.sleepers = kept
}

// Next is the earliest deadline any sleeper waits for.
func (f *Fake) Next() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sleepers) == 0 {
		return time.Time{}, false
	}
	ds := make([]time.Time, len(f.sleepers))
	for i, s := range f.sleepers {
		ds[i] = s.until
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
	return ds[0], true
}

// WaitSleepers blocks until at least n sleepers wait, or ctx is done.
func (f *Fake) WaitSleepers(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		count, changed := len(f.sleepers), f.changed
		f.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
