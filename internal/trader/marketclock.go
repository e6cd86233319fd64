package trader

import "time"

// marketClock relates the broker's market time to the wall clock, from the
// clock readings the trader makes anyway. The simulated exchange runs
// market time --sim-speed times faster than the wall clock; Alpaca at rate
// one. A checkpoint records the market time of its own instant without a
// request of its own (at), and a scan waits for a bar's close in market
// time by sleeping the wall time it takes to get there (wallAt).
//
// The rate is measured between an anchor reading and the newest one, so it
// grows more precise as readings spread out. A reading that disagrees with
// the rate by more than a second of market time (the exchange restarted at
// another speed, the process was paused and market time is not linear in
// wall time anymore) starts a new anchor.
type marketClock struct {
	anchor, last clockReading
}

type clockReading struct {
	market, wall time.Time
}

// tolerance is how far a reading may stray from the measured rate before
// the rate is measured afresh.
const tolerance = time.Second

// observe records a clock reading: the broker's timestamp and the wall
// time it was read at.
func (m *marketClock) observe(market, wall time.Time) {
	r := clockReading{market: market.UTC(), wall: wall}
	switch {
	case m.last.market.IsZero():
		m.anchor = r
	case m.anchor.wall.Equal(m.last.wall):
		// One reading so far: the second sets the rate.
	default:
		predicted := m.at(wall)
		if d := r.market.Sub(predicted); d > tolerance || d < -tolerance || !r.wall.After(m.last.wall) {
			m.anchor = m.last
		}
	}
	m.last = r
}

// rate is market seconds per wall second, 1 until two readings tell.
func (m *marketClock) rate() float64 {
	dWall, dMarket := m.last.wall.Sub(m.anchor.wall), m.last.market.Sub(m.anchor.market)
	if dWall <= 0 || dMarket <= 0 {
		return 1
	}
	return float64(dMarket) / float64(dWall)
}

// known reports whether a reading has been made.
func (m *marketClock) known() bool { return !m.last.market.IsZero() }

// at is the estimated market time at wall instant w, zero before any
// reading.
func (m *marketClock) at(w time.Time) time.Time {
	if !m.known() {
		return time.Time{}
	}
	ahead := w.Sub(m.last.wall)
	if ahead <= 0 {
		return m.last.market
	}
	return m.last.market.Add(time.Duration(float64(ahead) * m.rate()))
}

// wallAt is the estimated wall instant at which market time reaches t.
func (m *marketClock) wallAt(t time.Time) time.Time {
	ahead := t.Sub(m.last.market)
	if ahead <= 0 {
		return m.last.wall
	}
	return m.last.wall.Add(time.Duration(float64(ahead) / m.rate()))
}
