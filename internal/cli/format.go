package cli

import (
	"strconv"

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
