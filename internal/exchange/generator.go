package exchange

import (
	"hash/fnv"
	"math"
	"sync"
	"time"
)

// Calibration, from shared/data/bars_1h_2024-11_2025-11.csv: hourly log
// returns have a standard deviation near 0.95% (overnight gaps included)
// and about 150k shares trade per hour. The walk alone has 0.7% per hour;
// bursts (about one per symbol every four hours) bring the total near
// 1.5%, the price of letting the momentum strategy trade on a short run.
const (
	minuteSigma   = 0.007 / 7.745966692 // hourly sigma / sqrt(60)
	daySigma      = 0.018
	minutesPerDay = 1440
	burstBlock    = 120 // minutes; each block may hold one momentum burst
	burstChance   = 0.5 // probability that a block holds a burst
	dayCacheLimit = 4096
)

// generator produces prices that are a pure function of (seed, symbol,
// minute), so a restarted exchange serves the same history. Each UTC day is
// a Brownian bridge of per-minute steps (with momentum bursts) between day
// levels that come from multi-octave value noise; no state carries across
// days, so any minute can be computed without walking from an origin.
type generator struct {
	seed uint64

	mu    sync.Mutex
	cache map[dayKey]*dayPath
	syms  map[string]struct{} // every symbol asked for, to size the cache
}

type dayKey struct {
	sym string
	day int64
}

type dayPath struct {
	logp [minutesPerDay + 1]float64
	vol  [minutesPerDay]float64
	wig  [minutesPerDay]float64
}

func newGenerator(seed int64) *generator {
	return &generator{seed: uint64(seed), cache: make(map[dayKey]*dayPath), syms: make(map[string]struct{})}
}

func (g *generator) known(sym string) bool { return validSymbol(sym) }

func (g *generator) symbols() []string { return nil }

func (g *generator) resolution() time.Duration { return time.Minute }

func (g *generator) barAt(sym string, t time.Time) (bar, bool) {
	if !validSymbol(sym) {
		return bar{}, false
	}
	return g.minute(sym, minuteIndex(t)), true
}

func (g *generator) barFrom(sym string, t time.Time) (bar, bool) {
	if !validSymbol(sym) {
		return bar{}, false
	}
	return g.minute(sym, ceilMinute(t)), true
}

func (g *generator) minute(sym string, m int64) bar {
	d := floorDiv(m, minutesPerDay)
	i := m - d*minutesPerDay
	p := g.day(sym, d)
	o, c := math.Exp(p.logp[i]), math.Exp(p.logp[i+1])
	w := p.wig[i]
	b := bar{
		T: time.Unix(m*60, 0).UTC(),
		O: roundCents(o),
		C: roundCents(c),
		H: roundCents(math.Max(o, c) * (1 + w)),
		L: roundCents(math.Min(o, c) * (1 - w)),
		V: uint64(p.vol[i]),
	}
	b.N = b.V/100 + 1
	b.S, b.E = b.T, b.T.Add(time.Minute)
	return b
}

func (g *generator) day(sym string, d int64) *dayPath {
	key := dayKey{sym, d}
	g.mu.Lock()
	p, ok := g.cache[key]
	g.mu.Unlock()
	if ok {
		return p
	}
	p = g.buildDay(sym, d)
	g.mu.Lock()
	g.syms[sym] = struct{}{}
	// Three days a symbol (a bar can span midnight, and a restart reads
	// the day before): an account holding thousands of symbols would
	// otherwise rebuild every path on every sweep of its resting orders.
	if len(g.cache) >= max(dayCacheLimit, 3*len(g.syms)) {
		g.cache = make(map[dayKey]*dayPath)
	}
	g.cache[key] = p
	g.mu.Unlock()
	return p
}

func (g *generator) buildDay(sym string, d int64) *dayPath {
	s := symHash(sym)
	base := math.Log(20) + unit(mix(g.seed, s, 1))*math.Log(20) // $20..$400
	baseVol := 1500 + 3000*unit(mix(g.seed, s, 2))
	l0, l1 := base+g.level(s, d), base+g.level(s, d+1)

	var drift [minutesPerDay]float64
	var volMult [minutesPerDay]float64
	for i := range volMult {
		volMult[i] = 1
	}
	for b := int64(0); b < minutesPerDay/burstBlock; b++ {
		if unit(mix(g.seed, s, 3, uint64(d), uint64(b))) >= burstChance {
			continue
		}
		start := b*burstBlock + int64(unit(mix(g.seed, s, 4, uint64(d), uint64(b)))*90)
		length := 20 + int64(unit(mix(g.seed, s, 5, uint64(d), uint64(b)))*6)
		move := 0.023 + 0.009*unit(mix(g.seed, s, 6, uint64(d), uint64(b)))
		if mix(g.seed, s, 7, uint64(d), uint64(b))&1 == 0 {
			move = -move
		}
		mult := 5 + 3*unit(mix(g.seed, s, 8, uint64(d), uint64(b)))
		for i := start; i < start+length && i < minutesPerDay; i++ {
			drift[i] = move / float64(length)
			volMult[i] = mult
		}
	}

	p := &dayPath{}
	var w [minutesPerDay + 1]float64
	for i := 0; i < minutesPerDay; i++ {
		h := mix(g.seed, s, 9, uint64(d), uint64(i))
		w[i+1] = w[i] + minuteSigma*normal(h) + drift[i]
		p.vol[i] = baseVol * (0.5 + unit(mix(h, 1))) * volMult[i]
		p.wig[i] = minuteSigma * 0.6 * unit(mix(h, 2))
	}
	gap := w[minutesPerDay] - (l1 - l0)
	for i := 0; i <= minutesPerDay; i++ {
		p.logp[i] = l0 + w[i] - float64(i)/minutesPerDay*gap
	}
	return p
}

// level is the log-price offset of day d: value noise over octaves of 1 to
// 256 days with amplitudes growing like sqrt(scale), which looks like a
// random walk over that range while staying a pure function of d.
func (g *generator) level(s uint64, d int64) float64 {
	var sum float64
	for k := 0; k <= 8; k++ {
		scale := float64(int64(1) << k)
		x := float64(d) / scale
		i := math.Floor(x)
		f := x - i
		f = f * f * (3 - 2*f)
		a := 2*unit(mix(g.seed, s, 10, uint64(k), uint64(int64(i)))) - 1
		b := 2*unit(mix(g.seed, s, 10, uint64(k), uint64(int64(i)+1))) - 1
		sum += daySigma * math.Sqrt(scale) * (a + (b-a)*f)
	}
	return sum
}

func minuteIndex(t time.Time) int64 { return floorDiv(t.Unix(), 60) }

func ceilMinute(t time.Time) int64 {
	m := minuteIndex(t)
	if time.Unix(m*60, 0).Before(t) {
		m++
	}
	return m
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func symHash(sym string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(sym))
	return h.Sum64()
}

// mix hashes its inputs with splitmix64 steps.
func mix(vals ...uint64) uint64 {
	var h uint64 = 0x9e3779b97f4a7c15
	for _, v := range vals {
		h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h = splitmix(h)
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// normal maps a hash to a standard normal draw (Box-Muller).
func normal(h uint64) float64 {
	u1 := unit(h)
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	u2 := unit(splitmix(h))
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
