package exchange

import (
	"sync"
	"time"
	_ "time/tzdata" // market hours need America/New_York on machines without zoneinfo

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/us"
)

// Session times in New York, as offsets from midnight.
const (
	preMarketOpen   = 4 * time.Hour
	regularOpen     = 9*time.Hour + 30*time.Minute
	regularClose    = 16 * time.Hour
	earlyClose      = 13 * time.Hour
	afterHoursClose = 20 * time.Hour
	// On an early-close day the late session ends at 17:00, as NYSE Arca's
	// does; Alpaca does not document it.
	earlyAfterHoursClose = 17 * time.Hour
)

// t1Since is the first trade date that settles T+1 (SEC rule 15c6-1 as
// amended); earlier trades settle T+2.
var t1Since = civil{2024, time.May, 28}

// civil is a calendar date in New York.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time, ny *time.Location) civil {
	y, m, d := t.In(ny).Date()
	return civil{y, m, d}
}

func (c civil) midnight(ny *time.Location) time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, ny) }

func (c civil) addDays(n int) civil {
	y, m, d := time.Date(c.y, c.m, c.d+n, 12, 0, 0, 0, time.UTC).Date()
	return civil{y, m, d}
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) before(o civil) bool {
	return c.y < o.y || (c.y == o.y && (c.m < o.m || (c.m == o.m && c.d < o.d)))
}

func (c civil) String() string {
	return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// tradingDay is one NYSE session: its regular hours and the extended hours
// around them, as instants.
type tradingDay struct {
	date               civil
	open, close        time.Time
	preOpen, postClose time.Time
	early              bool
}

// calendar is the NYSE calendar: weekends, the exchange's holidays with its
// weekend rules, unscheduled closures and the 13:00 early closes. Holiday
// dates come from github.com/rickar/cal; what is particular to the NYSE is
// composed here.
type calendar struct {
	ny        *time.Location
	holidays  []*cal.Holiday
	bankOnly  []*cal.Holiday // settlement also skips these
	unplanned map[civil]bool
	mu        sync.Mutex
	years     map[int]*yearDays
	bankYears map[int]map[civil]bool
}

type yearDays struct {
	closed map[civil]bool
	early  map[civil]bool
}

func newCalendar() *calendar {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil { // unreachable with time/tzdata linked in
		ny = time.FixedZone("EST", -5*3600)
	}
	sundayToMonday := []cal.AltDay{{Day: time.Sunday, Offset: 1}}
	return &calendar{
		ny: ny,
		holidays: []*cal.Holiday{
			// NYSE Rule 7.2: a holiday on a Saturday is not made up on the
			// Friday when that Friday ends a year, so New Year's Day on a
			// Saturday closes nothing.
			us.NewYear.Clone(&cal.Holiday{Observed: sundayToMonday}),
			us.MlkDay, us.PresidentsDay, aa.GoodFriday, us.MemorialDay,
			us.Juneteenth.Clone(&cal.Holiday{StartYear: 2022}), // the NYSE's first was 2022
			us.IndependenceDay, us.LaborDay, us.ThanksgivingDay, us.ChristmasDay,
		},
		bankOnly: []*cal.Holiday{us.ColumbusDay, us.VeteransDay},
		// Closures no rule predicts: national days of mourning.
		unplanned: map[civil]bool{
			{2018, time.December, 5}: true, // President G. H. W. Bush
			{2025, time.January, 9}:  true, // President Carter
		},
		years:     make(map[int]*yearDays),
		bankYears: make(map[int]map[civil]bool),
	}
}

// observedIn collects the dates in year y on which hs are observed; a
// holiday of the next year can be observed in this one (and the reverse).
func observedIn(hs []*cal.Holiday, y int) map[civil]bool {
	out := make(map[civil]bool)
	for _, h := range hs {
		for _, hy := range []int{y - 1, y, y + 1} {
			_, obs := h.Calc(hy)
			if obs.IsZero() {
				continue
			}
			oy, om, od := obs.Date()
			if oy == y {
				out[civil{oy, om, od}] = true
			}
		}
	}
	return out
}

func (c *calendar) year(y int) *yearDays {
	c.mu.Lock()
	defer c.mu.Unlock()
	if yd, ok := c.years[y]; ok {
		return yd
	}
	yd := &yearDays{closed: observedIn(c.holidays, y), early: make(map[civil]bool)}
	for d := range c.unplanned {
		if d.y == y {
			yd.closed[d] = true
		}
	}
	// 13:00 closes: the day after Thanksgiving, and 3 July and 24 December
	// when they fall on Monday to Thursday (a Friday 3 July or 24 December
	// is the observed holiday itself).
	_, thanks := us.ThanksgivingDay.Calc(y)
	ty, tm, td := thanks.Date()
	yd.early[civil{ty, tm, td}.addDays(1)] = true
	for _, d := range []civil{{y, time.July, 3}, {y, time.December, 24}} {
		if wd := d.weekday(); wd >= time.Monday && wd <= time.Thursday && !yd.closed[d] {
			yd.early[d] = true
		}
	}
	c.years[y] = yd
	return yd
}

// isTradingDay reports whether the NYSE opens on d.
func (c *calendar) isTradingDay(d civil) bool {
	wd := d.weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.year(d.y).closed[d]
}

// day returns the session of d, if the exchange opens that day.
func (c *calendar) day(d civil) (tradingDay, bool) {
	if !c.isTradingDay(d) {
		return tradingDay{}, false
	}
	mid := d.midnight(c.ny)
	at := func(off time.Duration) time.Time {
		// Wall-clock offsets in New York, correct across DST changes.
		h, m := int(off/time.Hour), int(off%time.Hour/time.Minute)
		return time.Date(mid.Year(), mid.Month(), mid.Day(), h, m, 0, 0, c.ny).UTC()
	}
	td := tradingDay{date: d, open: at(regularOpen), close: at(regularClose),
		preOpen: at(preMarketOpen), postClose: at(afterHoursClose)}
	if c.year(d.y).early[d] {
		td.early, td.close, td.postClose = true, at(earlyClose), at(earlyAfterHoursClose)
	}
	return td, true
}

// nextDay is the first trading day after d.
func (c *calendar) nextDay(d civil) tradingDay {
	for {
		d = d.addDays(1)
		if td, ok := c.day(d); ok {
			return td
		}
	}
}

// sessionFrom is the first trading day whose regular session has not ended
// at t: the one open at t, or the next one to open.
func (c *calendar) sessionFrom(t time.Time) tradingDay {
	d := civilOf(t, c.ny)
	if td, ok := c.day(d); ok && t.Before(td.close) {
		return td
	}
	return c.nextDay(d)
}

// days lists the trading days from the date of from to the date of to.
func (c *calendar) days(from, to time.Time) []tradingDay {
	var out []tradingDay
	last := civilOf(to, c.ny)
	for d := civilOf(from, c.ny); !last.before(d); d = d.addDays(1) {
		if td, ok := c.day(d); ok {
			out = append(out, td)
		}
	}
	return out
}

// settlement is the date a trade of d settles: one business day later (two
// before t1Since), skipping exchange holidays and the bank holidays on
// which the exchange trades.
func (c *calendar) settlement(d civil) civil {
	n := 1
	if d.before(t1Since) {
		n = 2
	}
	for n > 0 {
		d = d.addDays(1)
		if c.isTradingDay(d) && !c.bankHoliday(d) {
			n--
		}
	}
	return d
}

func (c *calendar) bankHoliday(d civil) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.bankYears[d.y]
	if !ok {
		m = observedIn(c.bankOnly, d.y)
		c.bankYears[d.y] = m
	}
	return m[d]
}
