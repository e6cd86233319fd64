package exchange

import (
	"math"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

var bps = decimal.NewFromInt(10000)

// matchLocked walks every price-path point since the last pass, in time
// order, through the trading hours in between, and executes the resting
// orders those prices reach, so a jump of the clock settles each order at
// the price and time it would have met. It reports whether anything
// changed that must be persisted.
func (e *Exchange) matchLocked() bool {
	now := e.marketNow()
	from := e.st.MatchedTo
	if !now.After(from) {
		return false
	}
	m := e.newMatcherLocked()
	if len(m.books) > 0 {
		for _, w := range e.windowsLocked(from, now, m.extended) {
			m.walk(w)
		}
	}
	m.expire(now)
	e.st.MatchedTo = now
	return m.changed
}

// matcher is one match pass.
type matcher struct {
	e          *Exchange
	books      map[string]*book
	syms       []string
	extended   bool      // some order may trade in extended hours
	nextExpiry time.Time // earliest ExpiresAt of an open order; zero for none
	changed    bool
}

// book is one symbol's working orders, with the price band inside which
// none of them can execute.
type book struct {
	sym      string
	adj      adjustments
	orders   []*order // creation order
	up, down float64  // a bar within (down, up) moves none of the orders
	always   bool     // some order executes at any price (market, unchecked, accepted)
}

func (e *Exchange) newMatcherLocked() *matcher {
	m := &matcher{e: e, books: make(map[string]*book)}
	for _, o := range e.st.Orders {
		if o.open() && o.ExpiresAt != nil && (m.nextExpiry.IsZero() || o.ExpiresAt.Before(m.nextExpiry)) {
			m.nextExpiry = *o.ExpiresAt
		}
		if !o.working() {
			continue
		}
		bk := m.books[o.Symbol]
		if bk == nil {
			bk = &book{sym: o.Symbol, adj: e.adjustmentsLocked(o.Symbol)}
			m.books[o.Symbol] = bk
			m.syms = append(m.syms, o.Symbol)
		}
		bk.orders = append(bk.orders, o)
		m.extended = m.extended || o.ExtendedHours
	}
	sort.Strings(m.syms)
	for _, bk := range m.books {
		bk.band()
	}
	return m
}

// refresh re-reads the symbol's working orders after fills released legs
// or ended orders.
func (bk *book) refresh(e *Exchange) {
	bk.orders = bk.orders[:0]
	for _, o := range e.st.Orders {
		if o.Symbol == bk.sym && o.working() {
			bk.orders = append(bk.orders, o)
		}
	}
	bk.band()
}

// band computes the prices at which some order of the book would act.
func (bk *book) band() {
	bk.up, bk.down, bk.always = math.Inf(1), math.Inf(-1), false
	for _, o := range bk.orders {
		if o.Type == "market" || !o.Checked || o.Status == statusAccepted {
			bk.always = true
			return
		}
		buy := o.Side == "buy"
		price := o.LimitPrice
		if o.Type == "stop" || (o.Type == "stop_limit" && !o.Triggered) {
			price, buy = o.StopPrice, !buy // a buy stop acts on the way up, as a sell limit does
		}
		if p := price.InexactFloat64(); buy {
			bk.down = math.Max(bk.down, p)
		} else {
			bk.up = math.Min(bk.up, p)
		}
	}
}

// skip reports whether a bar cannot execute any order of the book.
func (bk *book) skip(b bar) bool { return !bk.always && b.H < bk.up && b.L > bk.down }

// walk feeds the points of w to the books in time order across symbols.
func (m *matcher) walk(w window) {
	type cursor struct {
		bk *book
		pc *pathCursor
	}
	cursors := make([]cursor, 0, len(m.syms))
	for _, s := range m.syms {
		bk := m.books[s]
		cursors = append(cursors, cursor{bk, newPathCursor(bk.adj, w.lo, w.hi)})
	}
	for {
		var best *cursor
		var bp point
		for i := range cursors {
			c := &cursors[i]
			if len(c.bk.orders) == 0 {
				continue
			}
			if p, ok := c.pc.peek(c.bk.skip); ok && (best == nil || p.at.Before(bp.at)) {
				best, bp = c, p
			}
		}
		if best == nil {
			return
		}
		best.pc.pop()
		m.expire(bp.at)
		m.atPoint(best.bk, bp, w)
	}
}

// atPoint executes the book's orders that the price at pt reaches.
func (m *matcher) atPoint(bk *book, pt point, w window) {
	px := pt.price()
	filled, moved := false, false
	for _, o := range append([]*order(nil), bk.orders...) {
		if !o.working() || !pt.at.After(o.LiveAt) || !w.allows(o, pt.at) {
			continue
		}
		if o.Status == statusAccepted {
			o.Status, o.UpdatedAt = statusNew, pt.at
			m.e.emitLocked("new", o, pt.at) // routed at the open
			m.changed, moved = true, true
		}
		triggered, checked := o.Triggered, o.Checked
		fill, ok := m.e.crossLocked(o, px, pt.jump)
		m.changed = m.changed || o.Triggered != triggered
		moved = moved || o.Triggered != triggered || o.Checked != checked
		if ok {
			m.e.fillLocked(o, fill, pt.at)
			m.changed, filled = true, true
		}
	}
	switch {
	case filled:
		bk.refresh(m.e)
	case moved:
		bk.band()
	}
}

// expire ends the open day orders whose close has come by upTo.
func (m *matcher) expire(upTo time.Time) {
	if m.nextExpiry.IsZero() || upTo.Before(m.nextExpiry) {
		return
	}
	m.nextExpiry = time.Time{}
	ended := map[string]bool{}
	for _, o := range m.e.st.Orders {
		if !o.open() || o.ExpiresAt == nil {
			continue
		}
		if !upTo.Before(*o.ExpiresAt) {
			m.e.endLocked(o, statusExpired, *o.ExpiresAt)
			ended[o.Symbol], m.changed = true, true
		} else if m.nextExpiry.IsZero() || o.ExpiresAt.Before(m.nextExpiry) {
			m.nextExpiry = *o.ExpiresAt
		}
	}
	for sym := range ended {
		if bk := m.books[sym]; bk != nil {
			bk.refresh(m.e)
		}
	}
}

// executeAdminPriceLocked executes the working orders of sym at the price
// an admin just set (or moved by a burst): a jump, so what it crosses
// fills at it.
func (e *Exchange) executeAdminPriceLocked(sym string, now time.Time) {
	px, ok := e.priceLocked(sym, now)
	if !ok {
		return
	}
	w := e.windowAtLocked(now)
	var orders []*order
	for _, o := range e.st.Orders {
		if o.Symbol == sym && o.working() && w.allows(o, now) {
			orders = append(orders, o)
		}
	}
	for _, o := range orders {
		if !o.working() {
			continue // ended by a sibling's fill
		}
		if o.Status == statusAccepted {
			o.Status, o.UpdatedAt = statusNew, now
			e.emitLocked("new", o, now)
		}
		if fill, ok := e.crossLocked(o, px, true); ok {
			e.fillLocked(o, fill, now)
		}
	}
}

// crossLocked decides whether o executes at a path price px and at what
// price. At a jump, or at the first price o meets, it fills at px; between
// points the price passed o's limit or stop on its way to px, so o fills
// there. Market and stop orders pay the configured slippage.
func (e *Exchange) crossLocked(o *order, px decimal.Decimal, jump bool) (decimal.Decimal, bool) {
	buy := o.Side == "buy"
	atPx := jump || !o.Checked
	o.Checked = true
	switch o.Type {
	case "market":
		return e.slip(px, buy), true
	case "limit":
		return limitFill(buy, px, *o.LimitPrice, atPx)
	case "stop":
		if !stopHit(buy, px, *o.StopPrice) {
			return decimal.Decimal{}, false
		}
		if atPx {
			return e.slip(px, buy), true
		}
		return e.slip(*o.StopPrice, buy), true
	case "stop_limit":
		if o.Triggered {
			return limitFill(buy, px, *o.LimitPrice, atPx)
		}
		if !stopHit(buy, px, *o.StopPrice) {
			return decimal.Decimal{}, false
		}
		o.Triggered = true
		trigger := *o.StopPrice
		if atPx {
			trigger = px
		}
		return limitFill(buy, trigger, *o.LimitPrice, true)
	}
	return decimal.Decimal{}, false
}

// limitFill fills a limit order at px when px is at or better than the
// limit, at px itself when atPx, else at the limit.
func limitFill(buy bool, px, limit decimal.Decimal, atPx bool) (decimal.Decimal, bool) {
	if !limitOK(buy, px, limit) {
		return decimal.Decimal{}, false
	}
	if atPx {
		return px, true
	}
	return limit, true
}

func limitOK(buy bool, price, limit decimal.Decimal) bool {
	if buy {
		return price.LessThanOrEqual(limit)
	}
	return price.GreaterThanOrEqual(limit)
}

func stopHit(buy bool, price, stop decimal.Decimal) bool {
	if buy {
		return price.GreaterThanOrEqual(stop)
	}
	return price.LessThanOrEqual(stop)
}

func (e *Exchange) slip(price decimal.Decimal, buy bool) decimal.Decimal {
	adj := price.Mul(e.cfg.SlippageBps).Div(bps)
	if !buy {
		adj = adj.Neg()
	}
	return price.Add(adj).Round(4)
}

// fillLocked executes o in full at price and releases or cancels the
// orders that hang on it. Released legs go live from the next price on.
func (e *Exchange) fillLocked(o *order, price decimal.Decimal, at time.Time) {
	t := at
	o.Status = statusFilled
	o.FilledQty = o.Qty
	o.FilledAvgPrice = &price
	o.FilledAt = &t
	o.UpdatedAt = at
	e.applyFillLocked(o.Symbol, o.Side, o.Qty, price)
	e.emitLocked("fill", o, at)
	for _, id := range o.Legs {
		if leg := e.byID[id]; leg.Status == statusHeld {
			leg.Status, leg.UpdatedAt, leg.LiveAt, leg.Checked = statusNew, at, at, false
		}
	}
	for _, sib := range e.exitGroupLocked(o) {
		if sib != o && sib.open() {
			e.endLocked(sib, statusCanceled, at)
		}
	}
}
