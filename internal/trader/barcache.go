package trader

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// barCache holds the last closed bars of each symbol, so that a scan asks
// the broker only for the bars since the last one it saw, and the rule
// always sees the last N closed bars whatever nights, weekends and
// holidays lie between them.
type barCache struct {
	tf   timeframe
	keep int
	bars map[string][]strategy.Bar
	// through is the newest bar end scanned: every bar that ends at or
	// before it has been added (and, after the fill, evaluated once).
	through time.Time
}

func newBarCache(tf timeframe, keep int) *barCache {
	return &barCache{tf: tf, keep: keep, bars: map[string][]strategy.Bar{}}
}

// ready reports whether the cache was filled.
func (c *barCache) ready() bool { return !c.through.IsZero() }

// closed keeps the bars of one response that closed in (after, upTo], in
// time order; a bar still forming, or one the cache has, is dropped.
func (c *barCache) closed(bs []broker.Bar, after, upTo time.Time) []strategy.Bar {
	out := make([]strategy.Bar, 0, len(bs))
	for _, b := range bs {
		end := c.tf.end(c.tf.start(b.Timestamp))
		if !end.After(after) || end.After(upTo) {
			continue
		}
		out = append(out, strategy.Bar{Time: b.Timestamp.UTC(), Open: b.Open, High: b.High, Low: b.Low,
			Close: b.Close, Volume: decimal.NewFromInt(b.Volume)})
	}
	return out
}

// add appends one closed bar of sym and returns the window that ends with
// it: at most keep bars, oldest first. The returned slice is the cache's
// own; callers only read it.
func (c *barCache) add(sym string, b strategy.Bar) []strategy.Bar {
	c.bars[sym] = append(c.bars[sym], b)
	bs := c.bars[sym]
	if len(bs) > c.keep {
		// Copy down rather than reslice, so the backing array does not
		// grow for the life of the session.
		n := copy(bs, bs[len(bs)-c.keep:])
		bs = bs[:n]
	}
	c.bars[sym] = bs
	return bs
}

// count is how many bars of sym the cache holds.
func (c *barCache) count(sym string) int { return len(c.bars[sym]) }
