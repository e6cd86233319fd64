package exchange

import (
	"net/http"
	"strings"
	"time"
)

// marketView is Alpaca's description of a market in the v3 clock and
// calendar; the exchange serves one market, the NYSE.
type marketView struct {
	Acronym  string `json:"acronym"`
	MIC      string `json:"mic"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

var nyse = marketView{Acronym: "NYSE", MIC: "XNYS", Name: "New York Stock Exchange", Timezone: "America/New_York"}

// servesMarket reports whether name (an acronym or MIC, any case) is the
// NYSE.
func servesMarket(name string) bool {
	return strings.EqualFold(name, nyse.Acronym) || strings.EqualFold(name, nyse.MIC)
}

type clockV3View struct {
	Market          marketView `json:"market"`
	Timestamp       time.Time  `json:"timestamp"`
	IsMarketDay     bool       `json:"is_market_day"`
	NextMarketOpen  time.Time  `json:"next_market_open"`
	NextMarketClose time.Time  `json:"next_market_close"`
	Phase           string     `json:"phase"`
	PhaseUntil      time.Time  `json:"phase_until"`
}

// clockV3At is the NYSE clock at t. Under market hours the phases follow
// the calendar: pre (04:00 to the open), core, post (the close to 20:00, or
// 17:00 on an early-close day) and closed. Without market hours the
// market never closes: always a market day in its core phase, with
// next_market_open, next_market_close and phase_until all at the next UTC
// midnight (as /v2/clock).
func (e *Exchange) clockV3At(t time.Time) clockV3View {
	ny := e.cal.ny
	v := clockV3View{Market: nyse, Timestamp: t.In(ny), IsMarketDay: true, Phase: "core"}
	if !e.cfg.MarketHours {
		midnight := t.Truncate(24 * time.Hour).Add(24 * time.Hour).In(ny)
		v.NextMarketOpen, v.NextMarketClose, v.PhaseUntil = midnight, midnight, midnight
		return v
	}
	td, today := e.cal.day(civilOf(t, ny))
	v.IsMarketDay = today
	next := e.cal.sessionFrom(t)
	v.NextMarketClose = next.close.In(ny)
	v.NextMarketOpen = next.open.In(ny)
	if !t.Before(next.open) {
		v.NextMarketOpen = e.cal.nextDay(next.date).open.In(ny)
	}
	switch {
	case today && !t.Before(td.preOpen) && t.Before(td.open):
		v.Phase, v.PhaseUntil = "pre", td.open
	case today && !t.Before(td.open) && t.Before(td.close):
		v.Phase, v.PhaseUntil = "core", td.close
	case today && !t.Before(td.close) && t.Before(td.postClose):
		v.Phase, v.PhaseUntil = "post", td.postClose
	default:
		v.Phase, v.PhaseUntil = "closed", next.preOpen
		if today && t.Before(td.preOpen) {
			v.PhaseUntil = td.preOpen
		} else if !t.Before(next.preOpen) {
			v.PhaseUntil = e.cal.nextDay(next.date).preOpen
		}
	}
	v.PhaseUntil = v.PhaseUntil.In(ny)
	return v
}

// handleClockV3 serves GET /v3/clock: the clock of each market asked for
// (markets, comma-separated; default the NYSE), now or at time.
func (e *Exchange) handleClockV3(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, m := range strings.Split(q.Get("markets"), ",") {
		if m = strings.TrimSpace(m); m != "" && !servesMarket(m) {
			e.fail(w, badRequest("unsupported market "+m+": the simulated exchange serves NYSE"))
			return
		}
	}
	e.mu.Lock()
	t := e.marketNow()
	e.mu.Unlock()
	if s := q.Get("time"); s != "" {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			e.fail(w, badRequest("time must be an RFC 3339 time"))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string][]clockV3View{"clocks": {e.clockV3At(t)}})
}

type calendarDayV3View struct {
	Date           string    `json:"date"`
	PreStart       time.Time `json:"pre_start"`
	PreEnd         time.Time `json:"pre_end"`
	CoreStart      time.Time `json:"core_start"`
	CoreEnd        time.Time `json:"core_end"`
	PostStart      time.Time `json:"post_start"`
	PostEnd        time.Time `json:"post_end"`
	SettlementDate string    `json:"settlement_date"`
}

// handleCalendarV3 serves GET /v3/calendar/{market}: the NYSE's trading
// days between start and end (dates, inclusive; default today to 30 days
// on), with session times in New York's offset, or UTC with timezone=UTC.
func (e *Exchange) handleCalendarV3(w http.ResponseWriter, r *http.Request) {
	if !servesMarket(r.PathValue("market")) {
		e.fail(w, refuse(refusedNotFound, "unsupported market %s: the simulated exchange serves NYSE", r.PathValue("market")))
		return
	}
	q := r.URL.Query()
	e.mu.Lock()
	today := civilOf(e.marketNow(), e.cal.ny)
	e.mu.Unlock()
	start, err := e.parseCalendarDate(q.Get("start"), today)
	if err != nil {
		e.fail(w, err)
		return
	}
	end, err := e.parseCalendarDate(q.Get("end"), start.addDays(30))
	if err != nil {
		e.fail(w, err)
		return
	}
	loc := e.cal.ny
	switch q.Get("timezone") {
	case "":
	case "UTC":
		loc = time.UTC
	default:
		e.fail(w, badRequest("timezone must be UTC or left out"))
		return
	}
	if start.before(calendarFirst) {
		start = calendarFirst
	}
	if calendarLast.before(end) {
		end = calendarLast
	}
	days := []calendarDayV3View{}
	for d := start; !end.before(d); d = d.addDays(1) {
		td, ok := e.cal.day(d)
		if !ok {
			continue
		}
		days = append(days, calendarDayV3View{Date: d.String(),
			PreStart: td.preOpen.In(loc), PreEnd: td.open.In(loc), CoreStart: td.open.In(loc), CoreEnd: td.close.In(loc),
			PostStart: td.close.In(loc), PostEnd: td.postClose.In(loc), SettlementDate: e.cal.settlement(d).String()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"market": nyse, "calendar": days})
}
