package trader

import "time"

// marketClock estimates the broker's market time at a wall-clock instant
// from the clock readings the ticks already make, so that a checkpoint can
// record the market time of its own instant without a broker request of
// its own.
//
// The report places trades, stamped with the broker's market time, on a
// curve drawn against checkpoint_time (wall clock). The simulated exchange
// runs market time --sim-speed times faster than the wall clock, so the
// last tick's reading alone would lag a checkpoint by up to speed x one
// tick interval, and fills after the last tick (the close-on-exit orders
// at shutdown) would fall beyond the newest checkpoint's market time.
// Extrapolating at the rate seen between the two latest readings is exact
// for the simulator, whose market time is linear in wall time, and for
// Alpaca, whose rate is 1; either way it reaches at most one tick ahead.
type marketClock struct {
	prev, last clockReading
}

type clockReading struct {
	market, wall time.Time
}

// observe records a clock reading: the broker's timestamp and the wall
// time it was read at.
func (m *marketClock) observe(market, wall time.Time) {
	m.prev, m.last = m.last, clockReading{market: market.UTC(), wall: wall.UTC()}
}

// at is the estimated market time at wall instant w, zero before any
// reading. With a single reading, or readings that give no usable rate
// (the same wall instant, a clock that went back), it is the last reading
// itself, at most one tick stale.
func (m *marketClock) at(w time.Time) time.Time {
	if m.last.market.IsZero() {
		return time.Time{}
	}
	ahead := w.Sub(m.last.wall)
	dWall, dMarket := m.last.wall.Sub(m.prev.wall), m.last.market.Sub(m.prev.market)
	if m.prev.market.IsZero() || ahead <= 0 || dWall <= 0 || dMarket < 0 {
		return m.last.market
	}
	rate := float64(dMarket) / float64(dWall)
	return m.last.market.Add(time.Duration(float64(ahead) * rate))
}
