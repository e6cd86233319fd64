package trader

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeframe is the grid a strategy's bars lie on: minute and hour bars
// start on multiples of their length in UTC, as Alpaca stamps them; day
// bars start at midnight in New York, and a day is not always 24 hours.
type timeframe struct {
	name  string
	every time.Duration // 0 for day bars
	ny    *time.Location
}

func parseTimeframe(s string, ny *time.Location) (timeframe, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
		most   int
	}{{"Min", time.Minute, 59}, {"Hour", time.Hour, 23}, {"Day", 0, 1}} {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > u.most {
			break
		}
		return timeframe{name: s, every: time.Duration(n) * u.unit, ny: ny}, nil
	}
	return timeframe{}, fmt.Errorf("timeframe %q: want 1-59Min, 1-23Hour or 1Day", s)
}

// start is the start of the bar that contains t.
func (tf timeframe) start(t time.Time) time.Time {
	if tf.every > 0 {
		return t.UTC().Truncate(tf.every)
	}
	d := t.In(tf.ny)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, tf.ny).UTC()
}

// end is the end of the bar that starts at start.
func (tf timeframe) end(start time.Time) time.Time {
	if tf.every > 0 {
		return start.Add(tf.every)
	}
	d := start.In(tf.ny)
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, tf.ny).UTC()
}

// lastEnd is the newest bar end at or before t.
func (tf timeframe) lastEnd(t time.Time) time.Time { return tf.start(t) }

// nextEnd is the first bar end after t.
func (tf timeframe) nextEnd(t time.Time) time.Time { return tf.end(tf.start(t)) }

// length is the length of one bar, a day for day bars.
func (tf timeframe) length() time.Duration {
	if tf.every > 0 {
		return tf.every
	}
	return 24 * time.Hour
}

// reach is how far back in calendar time n bars of this timeframe lie in
// the worst case the cache fill allows for: the regular session has 390
// minutes, five days a week, and a long weekend with a holiday adds four
// days of nothing.
func (tf timeframe) reach(n int) time.Duration {
	const day = 24 * time.Hour
	if tf.every == 0 {
		return time.Duration(n*7/5+1)*day + 4*day
	}
	sessionDays := (time.Duration(n)*tf.every + 389*time.Minute) / (390 * time.Minute)
	return (sessionDays*7/5+1)*day + 4*day
}
