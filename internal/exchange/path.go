package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// point is one step of a symbol's price path: a price at an instant.
type point struct {
	at time.Time
	px float64
	// jump marks a price that may differ from the one before it with
	// nothing traded in between: a bar's open (overnight, after a gap in
	// the data) or an admin price. Orders crossed by a jump fill at the
	// jump's price; orders crossed between two other points fill at their
	// own limit or stop price, which the price passed on its way.
	jump bool
}

// price is the point's price as money: the shortest decimal that is the
// float, so a bars file's 235.585 stays 235.585.
func (p point) price() decimal.Decimal { return decimal.NewFromFloat(p.px) }

// pathPoints replays a bar as four prices over its trading span [S, E):
// the open at S, then whichever of high and low is nearer the open (high on
// a tie), then the other, then the close, a quarter of the span apart. The
// close holds until the next bar opens.
func pathPoints(b bar) [4]point {
	q := b.E.Sub(b.S) / 4
	first, second := b.H, b.L
	if b.O-b.L < b.H-b.O {
		first, second = b.L, b.H
	}
	return [4]point{
		{at: b.S, px: b.O, jump: true},
		{at: b.S.Add(q), px: first},
		{at: b.S.Add(2 * q), px: second},
		{at: b.S.Add(3 * q), px: b.C},
	}
}

// pathCursor walks one symbol's adjusted path over (lo, hi], a bar at a
// time, skipping bars the caller says cannot matter.
type pathCursor struct {
	a      adjustments
	lo, hi time.Time
	last   bar
	begun  bool
	done   bool
	pts    []point
	i      int
}

func newPathCursor(a adjustments, lo, hi time.Time) *pathCursor {
	return &pathCursor{a: a, lo: lo, hi: hi}
}

// peek returns the next point without consuming it. skip reports whether
// a bar (adjusted) can be passed over whole.
func (c *pathCursor) peek(skip func(bar) bool) (point, bool) {
	for c.i >= len(c.pts) {
		if !c.load(skip) {
			return point{}, false
		}
	}
	return c.pts[c.i], true
}

func (c *pathCursor) pop() { c.i++ }

// load reads the next bar whose points in (lo, hi] skip does not rule out.
func (c *pathCursor) load(skip func(bar) bool) bool {
	for !c.done {
		var b bar
		var ok bool
		if !c.begun {
			// The bar in progress at lo may still have points after it.
			b, ok = c.a.src.barAt(c.a.sym, c.lo)
			if !ok {
				b, ok = c.a.src.barFrom(c.a.sym, c.lo)
			}
			c.begun = true
		} else {
			b, ok = c.a.src.barFrom(c.a.sym, c.last.T.Add(time.Nanosecond))
		}
		if !ok || b.T.After(c.hi) {
			c.done = true
			return false
		}
		c.last = b
		if !b.E.After(c.lo) {
			continue
		}
		ab := c.a.bar(b)
		if skip != nil && skip(ab) {
			continue
		}
		c.pts, c.i = c.pts[:0], 0
		for _, p := range c.a.points(b) {
			if p.at.After(c.lo) && !p.at.After(c.hi) {
				c.pts = append(c.pts, p)
			}
		}
		if len(c.pts) > 0 {
			return true
		}
	}
	return false
}
