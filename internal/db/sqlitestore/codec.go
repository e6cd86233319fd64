package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Values written to SQLite: decimals as their exact text, times as
// db.TimeFormat in UTC (fixed width, so text order is time order), nullable
// values as nil.

func ts(t time.Time) string { return t.UTC().Format(db.TimeFormat) }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func dec(d decimal.Decimal) string { return d.String() }

func nullDec(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal.String()
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func encodeSymbols(symbols []string) (any, error) {
	if symbols == nil {
		return nil, nil
	}
	b, err := json.Marshal(symbols)
	if err != nil {
		return nil, fmt.Errorf("encode symbols: %w", err)
	}
	return string(b), nil
}

// timeLayouts are tried in order: ours first, then what other tools write
// (SQLite's own datetime() text, Python's isoformat, plain RFC 3339). A time
// without a zone is UTC.
var timeLayouts = []string{
	db.TimeFormat,
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

func timeOf(ns sql.NullString) (time.Time, error) {
	if !ns.Valid || ns.String == "" {
		return time.Time{}, nil
	}
	return parseTime(ns.String)
}

func timePtrOf(ns sql.NullString) (*time.Time, error) {
	if !ns.Valid || ns.String == "" {
		return nil, nil
	}
	t, err := parseTime(ns.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func decOf(ns sql.NullString) (decimal.Decimal, error) {
	if !ns.Valid || ns.String == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(strings.TrimSpace(ns.String))
	if err != nil {
		return decimal.Zero, fmt.Errorf("decimal %q: %w", ns.String, err)
	}
	return d, nil
}

func nullDecOf(ns sql.NullString) (decimal.NullDecimal, error) {
	if !ns.Valid || ns.String == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := decOf(ns)
	if err != nil {
		return decimal.NullDecimal{}, err
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

// symbolsOf reads a JSON array or, as other tools write, a comma-separated
// list.
func symbolsOf(ns sql.NullString) ([]string, error) {
	s := strings.TrimSpace(ns.String)
	if !ns.Valid || s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "[") {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("symbols %q: %w", s, err)
		}
		return out, nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// decoder collects the first conversion error so that row scanners read as
// a flat list of fields.
type decoder struct{ err error }

func (d *decoder) keep(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *decoder) time(ns sql.NullString) time.Time {
	t, err := timeOf(ns)
	d.keep(err)
	return t
}

func (d *decoder) timePtr(ns sql.NullString) *time.Time {
	t, err := timePtrOf(ns)
	d.keep(err)
	return t
}

func (d *decoder) dec(ns sql.NullString) decimal.Decimal {
	v, err := decOf(ns)
	d.keep(err)
	return v
}

func (d *decoder) nullDec(ns sql.NullString) decimal.NullDecimal {
	v, err := nullDecOf(ns)
	d.keep(err)
	return v
}

func (d *decoder) symbols(ns sql.NullString) []string {
	v, err := symbolsOf(ns)
	d.keep(err)
	return v
}
