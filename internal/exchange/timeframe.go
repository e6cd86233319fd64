package exchange

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Timeframe units of the bars API.
const (
	unitMin   = "Min"
	unitHour  = "Hour"
	unitDay   = "Day"
	unitWeek  = "Week"
	unitMonth = "Month"
)

// timeframe is a bar length of the bars API. Minute and hour bars are
// UTC-aligned multiples of their length; day, week and month bars follow
// New York's calendar and are stamped at New York midnight (a week starts
// on Monday, a month on its first day), as Alpaca stamps them.
type timeframe struct {
	n    int
	unit string
}

var timeframePattern = regexp.MustCompile(`^([0-9]+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$`)

func parseTimeframe(s string) (timeframe, bool) {
	m := timeframePattern.FindStringSubmatch(s)
	if m == nil {
		return timeframe{}, false
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "Min", "T":
		return timeframe{n, unitMin}, n >= 1 && n <= 59
	case "Hour", "H":
		return timeframe{n, unitHour}, n >= 1 && n <= 23
	case "Day", "D":
		return timeframe{n, unitDay}, n == 1
	case "Week", "W":
		return timeframe{n, unitWeek}, n == 1
	default:
		return timeframe{n, unitMonth}, n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 12
	}
}

func (tf timeframe) String() string { return fmt.Sprintf("%d%s", tf.n, tf.unit) }

// fixed is the length of a minute or hour timeframe; zero for calendar ones.
func (tf timeframe) fixed() time.Duration {
	switch tf.unit {
	case unitMin:
		return time.Duration(tf.n) * time.Minute
	case unitHour:
		return time.Duration(tf.n) * time.Hour
	}
	return 0
}

// nominal is a bar's usual length, for sizing a range by a bar count.
func (tf timeframe) nominal() time.Duration {
	switch tf.unit {
	case unitDay:
		return 24 * time.Hour
	case unitWeek:
		return 7 * 24 * time.Hour
	case unitMonth:
		return time.Duration(tf.n) * 31 * 24 * time.Hour
	}
	return tf.fixed()
}

// floor is the start of the bar that contains t.
func (tf timeframe) floor(t time.Time, ny *time.Location) time.Time {
	if d := tf.fixed(); d > 0 {
		return t.UTC().Truncate(d)
	}
	y, m, day := t.In(ny).Date()
	switch tf.unit {
	case unitWeek:
		wd := (int(time.Date(y, m, day, 12, 0, 0, 0, time.UTC).Weekday()) + 6) % 7 // Monday = 0
		day -= wd
	case unitMonth:
		m, day = time.Month((int(m)-1)/tf.n*tf.n+1), 1
	}
	return time.Date(y, m, day, 0, 0, 0, 0, ny).UTC()
}

// next is the start of the bar after the one starting at start.
func (tf timeframe) next(start time.Time, ny *time.Location) time.Time {
	if d := tf.fixed(); d > 0 {
		return start.Add(d)
	}
	y, m, day := start.In(ny).Date()
	switch tf.unit {
	case unitDay:
		day++
	case unitWeek:
		day += 7
	default:
		m += time.Month(tf.n)
	}
	return time.Date(y, m, day, 0, 0, 0, 0, ny).UTC()
}

// prev is the start of the bar before the one starting at start.
func (tf timeframe) prev(start time.Time, ny *time.Location) time.Time {
	if d := tf.fixed(); d > 0 {
		return start.Add(-d)
	}
	return tf.floor(start.Add(-time.Nanosecond), ny)
}

// resolutionName names a base-bar length as a timeframe (1Hour, 5Min).
func resolutionName(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dDay", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dHour", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dMin", d/time.Minute)
	}
	return d.String()
}

// servable reports why tf cannot be served from base bars of res: bars
// finer than the data, or minute and hour bars that do not tile it.
func servable(tf timeframe, res time.Duration) error {
	if d := tf.fixed(); d > 0 {
		if d < res {
			return refuse(refusedMalformed, "invalid timeframe %s: the data has %s bars; ask for %s or coarser", tf, resolutionName(res), resolutionName(res))
		}
		if d%res != 0 {
			return refuse(refusedMalformed, "invalid timeframe %s: not a whole number of the data's %s bars", tf, resolutionName(res))
		}
		return nil
	}
	if res > 24*time.Hour {
		return refuse(refusedMalformed, "invalid timeframe %s: the data has %s bars", tf, resolutionName(res))
	}
	return nil
}
