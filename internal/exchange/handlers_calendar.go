package exchange

import (
	"net/http"
	"strings"
	"time"
)

// calendarDayView is one day of GET /v2/calendar, in Alpaca's shape: times
// of day in New York, session times without a colon.
type calendarDayView struct {
	Date           string `json:"date"`
	Open           string `json:"open"`
	Close          string `json:"close"`
	SessionOpen    string `json:"session_open"`
	SessionClose   string `json:"session_close"`
	SettlementDate string `json:"settlement_date"`
}

// The calendar's range: Alpaca serves 1970 to 2029; the simulator, whose
// clock can run into the future, serves on to 2099.
var (
	calendarFirst = civil{1970, time.January, 1}
	calendarLast  = civil{2099, time.December, 31}
)

// handleCalendar serves the NYSE calendar between start and end
// (inclusive, dates or RFC 3339 times), by trading date or, with
// date_type=SETTLEMENT, by settlement date. It is served whether or not
// the exchange applies market hours.
func (e *Exchange) handleCalendar(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err := e.parseCalendarDate(q.Get("start"), calendarFirst)
	if err != nil {
		e.fail(w, err)
		return
	}
	end, err := e.parseCalendarDate(q.Get("end"), calendarLast)
	if err != nil {
		e.fail(w, err)
		return
	}
	bySettlement := false
	switch strings.ToUpper(q.Get("date_type")) {
	case "", "TRADING":
	case "SETTLEMENT":
		bySettlement = true
	default:
		e.fail(w, refuse(refusedMalformed, "date_type must be TRADING or SETTLEMENT"))
		return
	}
	if start.before(calendarFirst) {
		start = calendarFirst
	}
	if calendarLast.before(end) {
		end = calendarLast
	}
	from := start
	if bySettlement {
		from = start.addDays(-7) // a trade settles at most a few days later
	}
	out := []calendarDayView{}
	for d := from; !end.before(d); d = d.addDays(1) {
		td, ok := e.cal.day(d)
		if !ok {
			continue
		}
		settle := e.cal.settlement(d)
		key := d
		if bySettlement {
			key = settle
		}
		if key.before(start) || end.before(key) {
			continue
		}
		out = append(out, e.calendarView(td, settle))
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Exchange) calendarView(td tradingDay, settle civil) calendarDayView {
	hm := func(t time.Time, layout string) string { return t.In(e.cal.ny).Format(layout) }
	return calendarDayView{
		Date: td.date.String(), Open: hm(td.open, "15:04"), Close: hm(td.close, "15:04"),
		SessionOpen: hm(td.preOpen, "1504"), SessionClose: hm(td.postClose, "1504"),
		SettlementDate: settle.String(),
	}
}

func (e *Exchange) parseCalendarDate(s string, def civil) (civil, error) {
	if s == "" {
		return def, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		y, m, d := t.Date()
		return civil{y, m, d}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return civilOf(t, e.cal.ny), nil
	}
	return civil{}, refuse(refusedMalformed, "invalid date %q: use YYYY-MM-DD or RFC 3339", s)
}
