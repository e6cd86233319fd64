package cli

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

func optInt(p *int64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatInt(*p, 10)
}

func optStr(p *string) string {
	if p == nil || *p == "" {
		return "-"
	}
	return *p
}

func optFloat(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func optDec(p *decimal.Decimal) string {
	if p == nil {
		return "-"
	}
	return p.String()
}

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func fmtNullDec(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.StringFixed(2)
}

// jsonTime renders an optional time as RFC 3339 or null.
func jsonTime(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}
