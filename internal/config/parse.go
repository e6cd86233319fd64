// Package config holds the parsers that turn user input (symbols,
// durations, decimals) into typed values. The settings themselves, with
// their defaults and ranges, are declared by the commands of the cli
// package, which also loads them (flags, env, file) with its one viper
// instance.
package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MaxSymbols bounds one session's symbol list; a bars request for more is
// refused by brokers anyway and a typo like a pasted file should fail fast.
const MaxSymbols = 1000

// symbolRE accepts US equity tickers: 1-5 letters with an optional one or
// two letter share class after a dot (BRK.B).
var symbolRE = regexp.MustCompile(`^[A-Z]{1,5}(\.[A-Z]{1,2})?$`)

// ParseSymbols upper-cases, trims and de-duplicates a comma separated list
// (or several), keeping first-seen order, and rejects anything that is not a
// ticker.
func ParseSymbols(parts []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, part := range parts {
		for _, raw := range strings.Split(part, ",") {
			s := strings.ToUpper(strings.TrimSpace(raw))
			if s == "" {
				continue
			}
			if !symbolRE.MatchString(s) {
				return nil, fmt.Errorf("invalid symbol %q: use tickers such as AAPL or BRK.B", truncate(raw, 20))
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no symbols given: list tickers such as AAPL,MSFT")
	}
	if len(out) > MaxSymbols {
		return nil, fmt.Errorf("%d symbols given; at most %d are allowed", len(out), MaxSymbols)
	}
	return out, nil
}

// ParseDuration accepts a Go duration ("90s", "2h", "500ms") or a bare
// number in bareUnit, which keeps the units of the tool gambler replaces
// (minutes for --duration, seconds for intervals, hours for --older-than).
func ParseDuration(s string, bareUnit time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("invalid duration %q", truncate(s, 20))
		}
		d := f * float64(bareUnit)
		if math.Abs(d) > float64(math.MaxInt64) {
			return 0, fmt.Errorf("duration %q is too large", truncate(s, 20))
		}
		return time.Duration(d), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use a number or a Go duration such as 90s or 2h", truncate(s, 20))
	}
	return d, nil
}

// ParsePositiveDuration is ParseDuration that also refuses zero and
// negative values.
func ParsePositiveDuration(s string, bareUnit time.Duration) (time.Duration, error) {
	d, err := ParseDuration(s, bareUnit)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q must be positive", truncate(s, 20))
	}
	return d, nil
}

// ParseDecimal parses a decimal number.
func ParseDecimal(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return decimal.Zero, fmt.Errorf("invalid number %q", truncate(s, 20))
	}
	return d, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
