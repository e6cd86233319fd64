package exchange

import "time"

// window is a stretch of market time a match pass walks: the points in
// (lo, hi] of one trading day's hours, or of all time when the market
// never closes (day nil).
type window struct {
	lo, hi time.Time
	day    *tradingDay
}

// allows reports whether o may execute at t: in the regular session, or
// for an extended-hours order from the pre-market open to the after-hours
// close.
func (w window) allows(o *order, t time.Time) bool {
	if w.day == nil {
		return true
	}
	if o.ExtendedHours {
		return !t.Before(w.day.preOpen) && t.Before(w.day.postClose)
	}
	return !t.Before(w.day.open) && t.Before(w.day.close)
}

// windowsLocked lists the trading hours in (from, to]; extended widens
// each day to the extended sessions.
func (e *Exchange) windowsLocked(from, to time.Time, extended bool) []window {
	if !e.cfg.MarketHours {
		return []window{{lo: from, hi: to}}
	}
	var out []window
	for _, td := range e.cal.days(from, to) {
		start, end := td.open, td.close
		if extended {
			start, end = td.preOpen, td.postClose
		}
		lo, hi := from, to
		if s := start.Add(-time.Nanosecond); s.After(lo) {
			lo = s
		}
		if h := end.Add(-time.Nanosecond); h.Before(hi) {
			hi = h
		}
		if hi.After(lo) {
			d := td
			out = append(out, window{lo: lo, hi: hi, day: &d})
		}
	}
	return out
}

// windowAtLocked is the window containing now, for orders placed now.
func (e *Exchange) windowAtLocked(now time.Time) window {
	if !e.cfg.MarketHours {
		return window{lo: now, hi: now}
	}
	td, ok := e.cal.day(civilOf(now, e.cal.ny))
	if !ok {
		return window{lo: now, hi: now, day: &tradingDay{}} // allows nothing
	}
	return window{lo: now, hi: now, day: &td}
}

// tradableLocked reports whether o may execute now; an order that may not
// is accepted and routed when its hours begin.
func (e *Exchange) tradableLocked(o *order, now time.Time) bool {
	return e.windowAtLocked(now).allows(o, now)
}

// expiryLocked is when a day order placed now ends: the close of the
// session open now or next (the after-hours close for an extended-hours
// order). Without market hours the market never closes and nothing
// expires.
func (e *Exchange) expiryLocked(o *order, now time.Time) *time.Time {
	if !e.cfg.MarketHours || o.TimeInForce != "day" {
		return nil
	}
	td, ok := e.cal.day(civilOf(now, e.cal.ny))
	end := td.close
	if o.ExtendedHours {
		end = td.postClose
	}
	if !ok || !now.Before(end) {
		td = e.cal.nextDay(civilOf(now, e.cal.ny))
		end = td.close
		if o.ExtendedHours {
			end = td.postClose
		}
	}
	return &end
}
