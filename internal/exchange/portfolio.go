package exchange

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// portfolioView is GET /v2/account/portfolio/history in Alpaca's shape.
type portfolioView struct {
	Timestamp     []int64   `json:"timestamp"`
	Equity        []float64 `json:"equity"`
	ProfitLoss    []float64 `json:"profit_loss"`
	ProfitLossPct []float64 `json:"profit_loss_pct"`
	BaseValue     float64   `json:"base_value"`
	Timeframe     string    `json:"timeframe"`
}

const maxHistoryPoints = 10000

var periodPattern = regexp.MustCompile(`^([0-9]+)(D|W|M|A)$`)

// historyQuery is a parsed portfolio-history request.
type historyQuery struct {
	start, end time.Time
	step       time.Duration // 0 for 1D
	tf         string
	continuous bool // intraday points around the clock, not only in the session
}

func parsePeriod(s string, end time.Time) (time.Time, bool) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "D":
		return end.AddDate(0, 0, -n).UTC(), true
	case "W":
		return end.AddDate(0, 0, -7*n).UTC(), true
	case "M":
		return end.AddDate(0, -n, 0).UTC(), true
	}
	return end.AddDate(-n, 0, 0).UTC(), true
}

func (e *Exchange) parseHistoryQuery(r *http.Request, now time.Time) (historyQuery, error) {
	q := r.URL.Query()
	hq := historyQuery{end: now, continuous: q.Get("intraday_reporting") == "continuous"}
	read := func(name string, dst *time.Time) error {
		if s := q.Get(name); s != "" {
			t, err := parseTimeOrDate(s, e.cal.ny)
			if err != nil {
				return invalid(name + " must be an RFC 3339 time or a date")
			}
			*dst = t
		}
		return nil
	}
	if err := read("end", &hq.end); err != nil {
		return hq, err
	}
	if err := read("date_end", &hq.end); err != nil {
		return hq, err
	}
	if hq.end.After(now) {
		hq.end = now
	}
	if err := read("start", &hq.start); err != nil {
		return hq, err
	}
	if hq.start.IsZero() {
		period := q.Get("period")
		if period == "" {
			period = "1M"
		}
		var ok bool
		if hq.start, ok = parsePeriod(period, hq.end.In(e.cal.ny)); !ok {
			return hq, invalid("period must be a number and D, W, M or A (1D, 1W, 3M, 1A)")
		}
	}
	hq.tf = q.Get("timeframe")
	if hq.tf == "" {
		// Alpaca's default: 1Min under 7 days, 15Min under 30, else 1D.
		switch span := hq.end.Sub(hq.start); {
		case span < 7*24*time.Hour:
			hq.tf = "1Min"
		case span < 30*24*time.Hour:
			hq.tf = "15Min"
		default:
			hq.tf = "1D"
		}
	}
	steps := map[string]time.Duration{"1Min": time.Minute, "5Min": 5 * time.Minute, "15Min": 15 * time.Minute, "1H": time.Hour, "1D": 0}
	step, ok := steps[hq.tf]
	if !ok {
		return hq, invalid("timeframe must be 1Min, 5Min, 15Min, 1H or 1D")
	}
	hq.step = step
	return hq, nil
}

// stamps lists the instants of the history: for 1D each trading day,
// stamped at New York midnight and valued at its close (or at end, for a
// day not closed yet); intraday, every step inside each session (or
// around the clock when continuous).
func (e *Exchange) historyStamps(hq historyQuery) ([]time.Time, []time.Time, error) {
	var stamps, at []time.Time
	add := func(s, a time.Time) error {
		if len(stamps) == maxHistoryPoints {
			return invalid("the history would have more than 10000 points: shorten the period or coarsen the timeframe")
		}
		if a.After(hq.end) {
			a = hq.end
		}
		stamps, at = append(stamps, s), append(at, a)
		return nil
	}
	if hq.continuous && hq.step > 0 {
		for t := hq.start.Truncate(hq.step); !t.After(hq.end); t = t.Add(hq.step) {
			if err := add(t, t); err != nil {
				return nil, nil, err
			}
		}
		return stamps, at, nil
	}
	for _, td := range e.cal.days(hq.start, hq.end) {
		if hq.step == 0 {
			if !td.close.After(hq.start) {
				continue // closed before the period began
			}
			if err := add(td.date.midnight(e.cal.ny), td.close); err != nil {
				return nil, nil, err
			}
			continue
		}
		for t := td.open; t.Before(td.close) && !t.After(hq.end); t = t.Add(hq.step) {
			if t.Before(hq.start) {
				continue
			}
			if err := add(t, t); err != nil {
				return nil, nil, err
			}
		}
	}
	return stamps, at, nil
}

// equityCurveLocked values the account at each instant of at (ascending)
// by replaying its fills from the deposit on.
func (e *Exchange) equityCurveLocked(at []time.Time) []decimal.Decimal {
	var fills []*order
	for _, o := range e.st.Orders {
		if o.Status == statusFilled && o.FilledAt != nil {
			fills = append(fills, o)
		}
	}
	sort.SliceStable(fills, func(i, j int) bool { return fills[i].FilledAt.Before(*fills[j].FilledAt) })
	cash := e.depositLocked()
	pos := map[string]decimal.Decimal{}
	adj := map[string]adjustments{}
	out := make([]decimal.Decimal, len(at))
	next := 0
	for i, t := range at {
		for ; next < len(fills) && !fills[next].FilledAt.After(t); next++ {
			f := fills[next]
			q := f.FilledQty
			if f.Side == "sell" {
				q = q.Neg()
			}
			cash = cash.Sub(q.Mul(*f.FilledAvgPrice))
			pos[f.Symbol] = pos[f.Symbol].Add(q)
			if _, ok := adj[f.Symbol]; !ok {
				adj[f.Symbol] = e.adjustmentsLocked(f.Symbol)
			}
		}
		eq := cash
		for sym, q := range pos {
			if px, ok := adj[sym].priceAt(t); ok && !q.IsZero() {
				eq = eq.Add(q.Mul(px))
			}
		}
		out[i] = eq
	}
	return out
}

func (e *Exchange) handlePortfolioHistory(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	hq, err := e.parseHistoryQuery(r, e.marketNow())
	if err != nil {
		e.fail(w, err)
		return
	}
	stamps, at, err := e.historyStamps(hq)
	if err != nil {
		e.fail(w, err)
		return
	}
	base := e.equityCurveLocked([]time.Time{hq.start})[0]
	curve := e.equityCurveLocked(at)
	v := portfolioView{Timestamp: []int64{}, Equity: []float64{}, ProfitLoss: []float64{}, ProfitLossPct: []float64{},
		BaseValue: base.InexactFloat64(), Timeframe: hq.tf}
	for i, eq := range curve {
		pl := eq.Sub(base)
		pct := decimal.Zero
		if base.IsPositive() {
			pct = pl.Div(base)
		}
		v.Timestamp = append(v.Timestamp, stamps[i].Unix())
		v.Equity = append(v.Equity, eq.Round(2).InexactFloat64())
		v.ProfitLoss = append(v.ProfitLoss, pl.Round(2).InexactFloat64())
		v.ProfitLossPct = append(v.ProfitLossPct, pct.Round(6).InexactFloat64())
	}
	writeJSON(w, http.StatusOK, v)
}
