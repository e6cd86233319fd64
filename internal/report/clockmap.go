package report

import (
	"sort"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// clockMap carries a broker time onto the charts' axis. Positions hold the
// broker's fill times, on its market clock; the curve is drawn against
// checkpoint_time, on the trader's wall clock. Against Alpaca the two
// agree, but the simulated exchange runs market time --sim-speed times
// faster, so the checkpoints record the market time of their instant and
// the pairs (market_time, checkpoint_time) give the mapping, piecewise
// linear between them. Without pairs (sessions written before
// market_time existed) the mapping is the identity, as it always was.
type clockMap struct {
	market, wall []time.Time // market strictly increasing
}

// newClockMap takes the pairs from the series, which is in checkpoint_time
// order. Market time only moves forward with wall time, so a pair that
// breaks the order (a simulator whose state was reset under a resumed
// session, a row from another tool) is noise; the longest run of pairs in
// increasing market time is kept, so one bad row costs itself only.
func newClockMap(series []db.CheckpointPoint) clockMap {
	var m clockMap
	for _, p := range series {
		if p.MarketTime != nil {
			m.market = append(m.market, p.MarketTime.UTC())
			m.wall = append(m.wall, p.CheckpointTime.UTC())
		}
	}
	keep := longestIncreasing(m.market)
	out := clockMap{market: make([]time.Time, len(keep)), wall: make([]time.Time, len(keep))}
	for i, k := range keep {
		out.market[i], out.wall[i] = m.market[k], m.wall[k]
	}
	return out
}

// longestIncreasing returns the indexes of a longest strictly increasing
// subsequence of ts, in order (patience sorting, O(n log n)), keeping the
// first of equal times.
func longestIncreasing(ts []time.Time) []int {
	var tails []int // tails[l]: index of the smallest last element of a run of length l+1
	prev := make([]int, len(ts))
	for k, t := range ts {
		l := sort.Search(len(tails), func(j int) bool { return !ts[tails[j]].Before(t) })
		if l < len(tails) && ts[tails[l]].Equal(t) {
			// A repeated market time is a stalled clock reading; the first
			// checkpoint that carries it is the closest to when it was read.
			continue
		}
		prev[k] = -1
		if l > 0 {
			prev[k] = tails[l-1]
		}
		if l == len(tails) {
			tails = append(tails, k)
		} else {
			tails[l] = k
		}
	}
	out := make([]int, len(tails))
	if len(tails) == 0 {
		return out
	}
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i-- {
		out[i], k = k, prev[k]
	}
	return out
}

// toWall maps broker time t onto the wall clock. Beyond the pairs it goes
// on at the session's overall rate (with one pair, at rate 1), so that a
// trade outside the checkpoints' span still lands outside it and is pinned
// to the chart's edge and counted, as before.
func (m clockMap) toWall(t time.Time) time.Time {
	n := len(m.market)
	switch n {
	case 0:
		return t
	case 1:
		return m.wall[0].Add(t.Sub(m.market[0]))
	}
	i := sort.Search(n, func(i int) bool { return !m.market[i].Before(t) })
	switch {
	case i < n && m.market[i].Equal(t):
		return m.wall[i]
	case i == 0:
		return m.along(0, 0, n-1, t)
	case i == n:
		return m.along(n-1, 0, n-1, t)
	default:
		return m.along(i-1, i-1, i, t)
	}
}

// along goes from pair from to market time t at the rate between pairs a
// and b (a < b, so their market times differ).
func (m clockMap) along(from, a, b int, t time.Time) time.Time {
	rate := float64(m.wall[b].Sub(m.wall[a])) / float64(m.market[b].Sub(m.market[a]))
	return m.wall[from].Add(time.Duration(float64(t.Sub(m.market[from])) * rate))
}
