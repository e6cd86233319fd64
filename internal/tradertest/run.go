package tradertest

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/trader"
)

// Run is one trader process of the world, running in a goroutine.
type Run struct {
	w       *World
	Session *session.Session
	Trader  *trader.Trader
	cancel  context.CancelFunc
	done    chan struct{}
	// paused is closed when a pause failpoint stopped the trader; release
	// lets it go on.
	paused, release chan struct{}

	mu     sync.Mutex
	err    error
	killed bool
}

// StartOptions tune Start and Resume.
type StartOptions struct {
	// Failpoints armed in this run ("name" or "name:N"); a hit ends the
	// trader's goroutine where it stands, as kill -9 ends a process.
	Failpoints []string
	// Until is the session's deadline; zero runs until Stop.
	Until time.Time
	// Observer receives the trader's events.
	Observer trader.Observer
	// Config replaces the world's trader configuration when set.
	Config *trader.Config
	// Reopen resumes a completed session on purpose.
	Reopen bool
	// Force resumes despite a side mismatch or market time gone backwards.
	Force bool
	// SessionID names the session Start creates; empty draws one.
	SessionID string
	// Store, when set, wraps the session's fenced store as the trader sees
	// it, for a test that makes some of its writes fail.
	Store func(trader.Store) trader.Store
}

// Start creates a session, as `gambler trade` does, and runs its trader.
func (w *World) Start(o StartOptions) *Run {
	w.T.Helper()
	ctx := context.Background()
	acct, err := w.Broker.Account(ctx)
	if err != nil {
		w.T.Fatalf("account: %v", err)
	}
	cfg := w.config(o)
	s := db.Session{ID: o.SessionID, InstanceID: w.Opts.InstanceID, StrategyName: "momentum", Symbols: cfg.Symbols,
		InitialPortfolioValue: decimalOf(acct.PortfolioValue)}
	sess, err := w.Sessions().Start(ctx, s)
	if err != nil {
		w.T.Fatalf("start a session: %v", err)
	}
	return w.run(sess, cfg, o, false)
}

// Resume takes the session over, as `gambler resume-session` does, runs
// the resume steps and then the trader. It fails the test when the resume
// fails; TryResume returns the error instead.
func (w *World) Resume(sessionID string, o StartOptions) *Run {
	w.T.Helper()
	r, err := w.TryResume(sessionID, o)
	if err != nil {
		w.T.Fatalf("resume %s: %v", sessionID, err)
	}
	return r
}

// TryResume is Resume returning the error.
func (w *World) TryResume(sessionID string, o StartOptions) (*Run, error) {
	var (
		sess *session.Session
		err  error
	)
	if o.Reopen {
		sess, err = w.Sessions().Reopen(context.Background(), sessionID)
	} else {
		sess, err = w.Sessions().Resume(context.Background(), sessionID, 0)
	}
	if err != nil {
		return nil, err
	}
	return w.run(sess, w.config(o), o, true), nil
}

func (w *World) config(o StartOptions) trader.Config {
	if o.Config != nil {
		return *o.Config
	}
	return w.Opts.Trader
}

func (w *World) run(sess *session.Session, cfg trader.Config, o StartOptions, resume bool) *Run {
	w.T.Helper()
	r := &Run{w: w, Session: sess, done: make(chan struct{}), paused: make(chan struct{}), release: make(chan struct{})}
	fp := failpoint.New(runtime.Goexit, o.Failpoints...).WithPause(r.pause)
	var store trader.Store = sess.Store()
	if o.Store != nil {
		store = o.Store(store)
	}
	tr, err := trader.New(cfg, trader.Deps{Store: store, Broker: w.Broker, Strategy: w.Strategy(), Session: sess,
		Clock: w.Clock, Log: w.Logger, Failpoints: fp, Observer: o.Observer, Go: w.background.Go})
	if err != nil {
		w.T.Fatalf("trader: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Trader, r.cancel = tr, cancel
	w.runs.add(1)
	go func() {
		finished := false
		defer func() {
			r.mu.Lock()
			r.killed = !finished
			r.mu.Unlock()
			close(r.done)
			w.runs.add(-1)
		}()
		var err error
		if resume {
			err = tr.ResumeWith(ctx, trader.ResumeOptions{Reopened: sess.Reopened, Force: o.Force})
		}
		if err == nil {
			err = tr.Run(ctx, o.Until)
		}
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		finished = true
	}()
	w.T.Cleanup(func() {
		cancel()
		r.drive(time.Hour)
	})
	return r
}

// pause is what a pause failpoint does in the harness: the trader stops
// where it stands, as a SIGSTOPped process would, and does not count as
// running until Release.
func (r *Run) pause() {
	r.w.runs.add(-1)
	close(r.paused)
	<-r.release
	r.w.runs.add(1)
}

// Paused is closed once a pause failpoint stopped the trader.
func (r *Run) Paused() <-chan struct{} { return r.paused }

// Release lets a paused trader go on.
func (r *Run) Release() { close(r.release) }

// Done reports whether the trader has returned (or was killed).
func (r *Run) Done() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Err is what Run returned; nil while it runs.
func (r *Run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Killed reports whether a failpoint ended the trader.
func (r *Run) Killed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.killed
}

// idle waits until every running trader of the world sleeps on the fake
// clock with no background work in flight, and reports true, or until this
// one has returned and reports false.
func (r *Run) idle() bool {
	for !r.Done() {
		r.w.background.Wait()
		n, changed := r.w.runs.get()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-changed:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := r.w.Clock.WaitSleepers(ctx, n)
		cancel()
		// Work the traders started just before they slept must finish
		// before the clock may move.
		if now, _ := r.w.runs.get(); err == nil && now == n && r.w.background.Idle() {
			return !r.Done()
		}
	}
	return false
}

// runCount counts a world's running traders and tells when the count
// changes.
type runCount struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func (c *runCount) add(d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += d
	if c.changed != nil {
		close(c.changed)
	}
	c.changed = make(chan struct{})
}

func (c *runCount) get() (int, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.n, c.changed
}

// Step waits until the trader sleeps, then moves the clock to its wake-up.
// It reports false once the trader has returned.
func (r *Run) Step() bool {
	if !r.idle() {
		return false
	}
	next, ok := r.w.Clock.Next()
	if !ok {
		return !r.Done()
	}
	r.w.Clock.AdvanceTo(next)
	return true
}

// Until steps until cond holds, the clock has moved on by limit, or the
// trader returned; it reports whether cond held.
func (r *Run) Until(limit time.Duration, cond func() bool) bool {
	end := r.w.Clock.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if !r.w.Clock.Now().Before(end) || !r.Step() {
			return cond()
		}
	}
}

// To steps through the trader's wake-ups up to t and leaves the clock at
// t exactly, with the trader asleep; it reports false if the trader
// returned first.
func (r *Run) To(t time.Time) bool {
	for {
		if !r.idle() {
			return false
		}
		next, ok := r.w.Clock.Next()
		if !ok || next.After(t) {
			r.w.Clock.AdvanceTo(t)
			return r.idle()
		}
		r.w.Clock.AdvanceTo(next)
	}
}

// For runs the trader's wake-ups for d of market time and returns with
// the clock moved on by d exactly and every trader asleep (or this one
// returned), so that what a test reads next is not raced by a tick still
// under way. (Stepping until the clock had moved on returned with the last
// wake-up's work in flight: a paging test counted that tick's requests on
// either side of its mark.)
func (r *Run) For(d time.Duration) { r.To(r.w.Clock.Now().Add(d)) }

// drive steps until the trader returns or the clock moved on by limit.
func (r *Run) drive(limit time.Duration) {
	r.Until(limit, r.Done)
}

// Stop asks the trader to stop, as the first SIGINT does, drives the clock
// until it has returned, and returns what Run returned.
func (r *Run) Stop() error {
	r.cancel()
	r.drive(time.Hour)
	<-r.done
	return r.Err()
}

// Wait drives the clock until the trader returns by itself (a session
// deadline, a lost lease, a failpoint), at most limit of fake time.
func (r *Run) Wait(limit time.Duration) error {
	r.drive(limit)
	if !r.Done() {
		r.w.T.Fatalf("the trader still runs after %s", limit)
	}
	return r.Err()
}

// Crash ends a killed run the way the operating system ends a killed
// process: the session's lease is let go, and nothing else happens.
func (r *Run) Crash() {
	<-r.done
	_ = r.Session.Release(context.Background())
}

// background tracks the work traders run on goroutines of their own, so
// that the clock moves only when it is done. (A WaitGroup may not see Add
// while a Wait is under way; this may.)
type background struct {
	mu   sync.Mutex
	n    int
	done *sync.Cond
}

// Go runs fn on a goroutine and tracks it.
func (b *background) Go(fn func()) {
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	go func() {
		defer func() {
			b.mu.Lock()
			b.n--
			if b.n == 0 && b.done != nil {
				b.done.Broadcast()
			}
			b.mu.Unlock()
		}()
		fn()
	}()
}

// Wait waits until no work is in flight.
func (b *background) Wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done = sync.NewCond(&b.mu)
	}
	for b.n > 0 {
		b.done.Wait()
	}
}

// Idle reports whether no work is in flight.
func (b *background) Idle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n == 0
}
