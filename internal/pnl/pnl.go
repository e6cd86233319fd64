// Package pnl values one session from its own record: the positions it
// opened and closed, and the current prices of what it still holds.
// Several sessions may trade one broker account, so the account's value
// says nothing about any one of them; a session's value is its starting
// capital plus what its own positions made.
package pnl

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

var hundred = decimal.NewFromInt(100)

// Prices are the current prices of the symbols a session holds.
type Prices struct {
	BySymbol map[string]decimal.Decimal
	// Stale marks prices carried over from an earlier read because the
	// broker could not be asked this time.
	Stale bool
}

// Open is one open position valued at its symbol's price.
type Open struct {
	Position db.Position
	// Price and Unrealized are null when there is no price for the
	// symbol: a price is never made up.
	Price      decimal.NullDecimal
	Unrealized decimal.NullDecimal
}

// Figures are a session's value.
type Figures struct {
	// Capital is what the session started with; null for a session that
	// recorded neither its capital nor the account value at its start.
	Capital decimal.NullDecimal
	// Realized is the sum of the closed positions' P&L. Closed counts
	// them; ClosedWithoutPnL counts those closed without a known exit
	// price, which add nothing.
	Realized         decimal.Decimal
	Closed           int
	ClosedWithoutPnL int
	// Unrealized is the open positions at their prices; positions without
	// a price add nothing and are listed in Unpriced.
	Unrealized decimal.Decimal
	Open       []Open
	Unpriced   []string
	// PnL is Realized + Unrealized. Equity is Capital + PnL and PnLPct
	// PnL in percent of Capital; both are null without a capital, and
	// PnLPct also when the capital is not positive.
	PnL        decimal.Decimal
	Equity     decimal.NullDecimal
	PnLPct     decimal.NullDecimal
	PriceStale bool
}

// Priced reports whether every open position had a price, so that
// Unrealized, PnL and Equity are whole.
func (f Figures) Priced() bool { return len(f.Unpriced) == 0 }

// Capital is a session's starting capital: --capital
// (trading_sessions.allocated_capital) when it was given, else the account
// value when the session started (initial_portfolio_value).
func Capital(s db.Session) decimal.NullDecimal {
	if s.AllocatedCapital.Valid {
		return s.AllocatedCapital
	}
	return s.InitialPortfolioValue
}

// Compute values a session: its positions (open and closed, any order)
// with the prices of the symbols it holds.
func Compute(capital decimal.NullDecimal, positions []db.Position, prices Prices) Figures {
	f := Figures{Capital: capital, PriceStale: prices.Stale}
	unpriced := map[string]bool{}
	for _, p := range positions {
		if p.Status == db.PositionClosed {
			f.Closed++
			if p.PnL.Valid {
				f.Realized = f.Realized.Add(p.PnL.Decimal)
			} else {
				f.ClosedWithoutPnL++
			}
			continue
		}
		o := Open{Position: p}
		if px, ok := prices.BySymbol[p.Symbol]; ok {
			u := Unrealized(p, px)
			o.Price, o.Unrealized = decimal.NewNullDecimal(px), decimal.NewNullDecimal(u)
			f.Unrealized = f.Unrealized.Add(u)
		} else {
			unpriced[p.Symbol] = true
		}
		f.Open = append(f.Open, o)
	}
	for sym := range unpriced {
		f.Unpriced = append(f.Unpriced, sym)
	}
	sort.Strings(f.Unpriced)
	f.PnL = f.Realized.Add(f.Unrealized)
	if capital.Valid {
		f.Equity = decimal.NewNullDecimal(capital.Decimal.Add(f.PnL))
		f.PnLPct = Pct(f.PnL, capital.Decimal)
	}
	return f
}

// Unrealized is what closing p at price would make: the same rule as a
// close at a fill (reconcile.CloseAt), rounded the same way.
func Unrealized(p db.Position, price decimal.Decimal) decimal.Decimal {
	u := price.Sub(p.EntryPrice).Mul(p.Qty)
	if p.Side == "sell" {
		u = u.Neg()
	}
	return u.Round(4)
}

// Pct is pnl in percent of capital, null when capital is not positive.
func Pct(pnl, capital decimal.Decimal) decimal.NullDecimal {
	if !capital.IsPositive() {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(pnl.Div(capital).Mul(hundred).Round(4))
}
