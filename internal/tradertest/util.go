package tradertest

import "github.com/shopspring/decimal"

func decimalOf(d decimal.Decimal) decimal.NullDecimal { return decimal.NewNullDecimal(d) }
