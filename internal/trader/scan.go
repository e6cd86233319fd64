package trader

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// calibration is the least wall time between the two clock readings that
// measure how fast market time runs, before the first scan is scheduled.
// Readings are stamped at the middle of their request, so a 200 ms span
// gives the rate to a percent on a local exchange; the scan's wake-ups
// refine it with every later reading.
const calibration = 200 * time.Millisecond

// retryScan is how soon a scan that could not read the clock or the bars
// is tried again.
const retryScan = 5 * time.Second

// scanDue runs the scan that is due, if the market has reached it, and
// returns the wall time of the next one. A scan that wakes before its bar's
// close (the wall-to-market rate is an estimate) reads the clock and sleeps
// the rest.
func (t *Trader) scanDue(ctx context.Context) time.Time {
	sctx, cancel := detached(ctx)
	defer cancel()
	if !t.leaseHeld(sctx) {
		return t.now().Add(t.cfg.Interval)
	}
	t.fp.Pause(failpoint.AfterLeaseCheck)
	c, err := t.readClock(sctx)
	if err != nil {
		t.log.Warn().Err(err).Msg("broker clock unavailable; scan retried shortly")
		return t.now().Add(min(retryScan, t.cfg.Interval))
	}
	switch {
	case !t.bars.ready():
		if c, err = t.warmUp(sctx); err != nil {
			t.log.Warn().Err(err).Msg("cannot fill the bar cache; retried shortly")
			return t.now().Add(min(retryScan, t.cfg.Interval))
		}
	case c.Timestamp.Before(t.scanAt):
		return t.wakeFor(t.scanAt)
	default:
		t.scan(sctx, ctx.Err() != nil, c)
	}
	t.scanAt = t.scanTarget(c)
	return t.wakeFor(t.scanAt)
}

// readClock reads the broker's clock and records the reading, stamped at
// the middle of the request.
func (t *Trader) readClock(ctx context.Context) (broker.Clock, error) {
	before := t.now()
	c, err := t.broker.Clock(ctx)
	if err != nil {
		return c, err
	}
	after := t.now()
	t.market.observe(c.Timestamp, before.Add(after.Sub(before)/2))
	if c.IsOpen != t.marketOpen || !t.market.known() {
		if c.IsOpen {
			t.log.Info().Time("market_time", c.Timestamp).Msg("market open")
		} else {
			t.log.Info().Time("market_time", c.Timestamp).Time("opens", c.NextOpen).Msg("market closed; no entries until it opens")
		}
	}
	t.marketOpen = c.IsOpen
	return c, nil
}

// scanTarget is the market time of the scan after the one made at clock
// c: the next bar's close plus the settle delay while the market is open
// then; else the next open plus the settle delay. Bars that close while
// the market is closed are evaluated, in order, at the open; their signals
// are traded then if they are still younger than the signal age limit
// (a day bar's, or a pre-market bar's), and expire otherwise.
func (t *Trader) scanTarget(c broker.Clock) time.Time {
	next := t.tf.nextEnd(t.bars.through).Add(t.cfg.SettleDelay)
	switch {
	case !c.IsOpen:
		return c.NextOpen.Add(t.cfg.SettleDelay)
	case !c.NextClose.IsZero() && !next.Before(c.NextClose):
		return c.NextOpen.Add(t.cfg.SettleDelay)
	}
	return next
}

// wakeFor is the wall time to wake for market time target. A long wait
// wakes a little early and measures again, so an imprecise rate never
// makes a scan late.
func (t *Trader) wakeFor(target time.Time) time.Time {
	now := t.now()
	at := t.market.wallAt(target)
	if wait := at.Sub(now); wait > 2*time.Second {
		at = now.Add(wait * 9 / 10)
	}
	return at
}

// warmUp measures the market clock's rate and fills the bar cache with the
// history the rule needs. After a resume, the bars that closed while no
// process traded the session are evaluated in order, as a scan would have:
// now while the market is open, else at the open.
func (t *Trader) warmUp(ctx context.Context) (broker.Clock, error) {
	// The rate of market time is measured between the reading that made
	// this scan due and one taken at least calibration later; the bars
	// request runs in between, so the wait costs nothing when it is slow.
	began := t.now()
	c, err := t.readClock(ctx)
	if err != nil {
		return c, err
	}
	fill := func(upTo time.Time) (time.Time, map[string][]broker.Bar, error) {
		from := upTo
		if !t.resumeThrough.IsZero() && t.resumeThrough.Before(upTo) && upTo.Sub(t.resumeThrough) < t.tf.reach(t.strategy.Lookback()) {
			from = t.resumeThrough
		}
		raw, err := t.broker.Bars(ctx, t.symbols, t.tf.name, from.Add(-t.tf.reach(t.strategy.Lookback())), upTo, 0)
		return from, raw, err
	}
	upTo := t.tf.lastEnd(c.Timestamp.Add(-t.cfg.SettleDelay))
	from, raw, err := fill(upTo)
	if err != nil {
		return c, err
	}
	if err := t.clock.Sleep(ctx, calibration-t.now().Sub(began)); err != nil {
		return c, err
	}
	if c, err = t.readClock(ctx); err != nil {
		return c, err
	}
	if later := t.tf.lastEnd(c.Timestamp.Add(-t.cfg.SettleDelay)); later.After(upTo) {
		// A bar closed while the cache was filled: ask again, so the
		// window is the last N bars as of now.
		upTo = later
		if from, raw, err = fill(upTo); err != nil {
			return c, err
		}
	}
	start := from.Add(-t.tf.reach(t.strategy.Lookback()))
	short := []string{}
	for _, sym := range t.symbols {
		for _, b := range t.bars.closed(raw[sym], start, from) {
			t.bars.add(sym, b)
		}
		if n := t.bars.count(sym); n < t.strategy.Lookback() {
			short = append(short, sym)
		}
	}
	t.bars.through = from
	ev := t.log.Info().Time("through", from).Int("bars_per_symbol", t.strategy.Lookback())
	if len(short) > 0 {
		ev = ev.Strs("short_of_history", short)
	}
	ev.Msg("bar cache filled")
	if from.Before(upTo) && c.IsOpen {
		t.evaluate(ctx, false, c, raw, upTo)
	}
	return c, nil
}

// scan fetches the bars that closed since the last scan (one multi-symbol
// request and its pages) and evaluates them.
func (t *Trader) scan(ctx context.Context, stopping bool, c broker.Clock) {
	upTo := t.tf.lastEnd(c.Timestamp.Add(-t.cfg.SettleDelay))
	raw, err := t.broker.Bars(ctx, t.symbols, t.tf.name, t.bars.through, upTo, 0)
	var apiErr *broker.APIError
	if errors.As(err, &apiErr) && apiErr.Status == 400 {
		// An unknown symbol fails the whole request: find it, drop it and
		// scan the others at the next bar.
		t.recheckAssets(ctx, true)
	}
	if err != nil {
		t.log.Warn().Err(err).Time("bar", upTo).Msg("bars request failed; these bars are evaluated at the next scan")
		return
	}
	t.evaluate(ctx, stopping, c, raw, upTo)
}

// evaluate adds the bars that closed in (through, upTo] to the cache, runs
// the rule once on every new bar of every symbol, in order, and trades the
// fresh signals.
func (t *Trader) evaluate(ctx context.Context, stopping bool, c broker.Clock, raw map[string][]broker.Bar, upTo time.Time) {
	r := scanResult{bar: upTo}
	for _, sym := range t.symbols {
		for _, b := range t.bars.closed(raw[sym], t.bars.through, upTo) {
			r.note(t.strategy.Inspect(sym, t.bars.add(sym, b)), t.signalAge(b.Time, c.Timestamp) > t.maxAge())
		}
	}
	t.bars.through = upTo
	r.log(t.log, len(t.symbols))
	t.trade(ctx, stopping, c, r.signals)
}

// scanResult gathers one scan's evaluations for its log line.
type scanResult struct {
	bar       time.Time
	evaluated int
	signals   []strategy.Signal
	expired   []string
	best      strategy.Evaluation
}

func (r *scanResult) note(ev strategy.Evaluation, expired bool) {
	r.evaluated++
	switch {
	case ev.Fired && expired:
		r.expired = append(r.expired, ev.Signal.Symbol)
	case ev.Fired:
		// The newest bar's signal replaces an older one of the symbol.
		r.signals = slices.DeleteFunc(r.signals, func(s strategy.Signal) bool { return s.Symbol == ev.Signal.Symbol })
		r.signals = append(r.signals, ev.Signal)
	case ev.Closeness > r.best.Closeness || r.best.Summary == "":
		r.best = ev
	}
}

func (r *scanResult) log(log zerolog.Logger, symbols int) {
	ev := log.Info().Time("bar", r.bar).Int("symbols", symbols).Int("evaluated", r.evaluated).
		Int("signals", len(r.signals))
	if r.best.Summary != "" {
		ev = ev.Str("best_short_of_signal", r.best.Summary)
	}
	ev.Msg("scan")
	if len(r.expired) > 0 {
		log.Info().Strs("symbols", r.expired).Time("bar", r.bar).
			Msg("signals expired: their bars closed too long ago to trade (--signal-max-age)")
	}
}

// maxAge is how long after its bar closed a signal may be traded.
func (t *Trader) maxAge() time.Duration {
	if t.cfg.SignalMaxAge > 0 {
		return t.cfg.SignalMaxAge
	}
	return t.tf.length()
}

// signalAge is how long ago, at market time now, the bar that starts at bar
// closed.
func (t *Trader) signalAge(bar, now time.Time) time.Duration {
	return now.Sub(t.tf.end(bar))
}

// trade acts on a scan's fresh signals: it trades them while the market is
// open; a scan happens while it is closed only when the process starts or
// resumes then, and its signals are not traded.
func (t *Trader) trade(ctx context.Context, stopping bool, c broker.Clock, signals []strategy.Signal) {
	if len(signals) == 0 || stopping {
		return
	}
	syms := make([]string, len(signals))
	for i, s := range signals {
		syms[i] = s.Symbol
	}
	switch {
	case !c.IsOpen:
		t.log.Info().Strs("symbols", syms).Time("opens", c.NextOpen).Msg("market closed: signals not traded")
	case t.storeDown():
		t.log.Error().Time("since", t.downSince()).Str("store", t.storeStatus()).Strs("symbols", syms).
			Msg("STORE DOWN for more than 3 checkpoint intervals: signals not traded; open positions stay protected by their exit orders at the broker")
	default:
		t.enter(ctx, signals)
	}
}
