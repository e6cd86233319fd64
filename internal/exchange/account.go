package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// marginMultiplier is the Reg-T style leverage behind buying_power.
var marginMultiplier = decimal.NewFromInt(2)

// applyFillLocked moves cash and the position of sym for one execution.
func (e *Exchange) applyFillLocked(sym, side string, qty, price decimal.Decimal) {
	q := qty
	if side == "sell" {
		q = q.Neg()
	}
	e.st.Cash = e.st.Cash.Sub(q.Mul(price))
	p := e.st.Positions[sym]
	if p == nil {
		p = &position{}
		e.st.Positions[sym] = p
	}
	newQty := p.Qty.Add(q)
	switch {
	case newQty.IsZero():
		delete(e.st.Positions, sym)
		return
	case p.Qty.IsZero() || p.Qty.Sign() == q.Sign():
		// Adding to a position: the entry price is the weighted average.
		p.AvgEntry = p.Qty.Abs().Mul(p.AvgEntry).Add(q.Abs().Mul(price)).Div(newQty.Abs()).Round(6)
	case newQty.Sign() != p.Qty.Sign():
		p.AvgEntry = price // flipped through zero: the rest opened at this fill
	}
	p.Qty = newQty
}

// opensExposureLocked reports whether req adds to (or opens) a position
// rather than reducing one; only those need buying power.
func (e *Exchange) opensExposureLocked(req *placeRequest) bool {
	p := e.st.Positions[req.Symbol]
	if p == nil {
		return true
	}
	if (req.Side == "buy") == p.Qty.IsPositive() {
		return true
	}
	return req.Qty.GreaterThan(p.Qty.Abs())
}

type accountView struct {
	ID                    string          `json:"id"`
	AccountNumber         string          `json:"account_number"`
	Status                string          `json:"status"`
	CryptoStatus          string          `json:"crypto_status"`
	Currency              string          `json:"currency"`
	BuyingPower           decimal.Decimal `json:"buying_power"`
	RegTBuyingPower       decimal.Decimal `json:"regt_buying_power"`
	DaytradingBuyingPower decimal.Decimal `json:"daytrading_buying_power"`
	EffectiveBuyingPower  decimal.Decimal `json:"effective_buying_power"`
	NonMarginBuyingPower  decimal.Decimal `json:"non_marginable_buying_power"`
	Cash                  decimal.Decimal `json:"cash"`
	AccruedFees           decimal.Decimal `json:"accrued_fees"`
	PortfolioValue        decimal.Decimal `json:"portfolio_value"`
	PatternDayTrader      bool            `json:"pattern_day_trader"`
	TradingBlocked        bool            `json:"trading_blocked"`
	TransfersBlocked      bool            `json:"transfers_blocked"`
	AccountBlocked        bool            `json:"account_blocked"`
	ShortingEnabled       bool            `json:"shorting_enabled"`
	TradeSuspendedByUser  bool            `json:"trade_suspended_by_user"`
	CreatedAt             time.Time       `json:"created_at"`
	Multiplier            decimal.Decimal `json:"multiplier"`
	Equity                decimal.Decimal `json:"equity"`
	LastEquity            decimal.Decimal `json:"last_equity"`
	LongMarketValue       decimal.Decimal `json:"long_market_value"`
	ShortMarketValue      decimal.Decimal `json:"short_market_value"`
	PositionMarketValue   decimal.Decimal `json:"position_market_value"`
	InitialMargin         decimal.Decimal `json:"initial_margin"`
	MaintenanceMargin     decimal.Decimal `json:"maintenance_margin"`
	LastMaintenanceMargin decimal.Decimal `json:"last_maintenance_margin"`
	SMA                   decimal.Decimal `json:"sma"`
	DaytradeCount         int64           `json:"daytrade_count"`
}

func (e *Exchange) accountLocked(now time.Time) accountView {
	var long, short decimal.Decimal
	for sym, p := range e.st.Positions {
		mv := p.Qty.Mul(e.markLocked(sym, p, now))
		if mv.IsPositive() {
			long = long.Add(mv)
		} else {
			short = short.Add(mv)
		}
	}
	equity := e.st.Cash.Add(long).Add(short)
	gross := long.Sub(short)
	bp := decimal.Max(decimal.Zero, equity.Mul(marginMultiplier).Sub(gross))
	return accountView{
		ID: "00000000-0000-4000-8000-000000000001", AccountNumber: "SIM000001",
		Status: "ACTIVE", CryptoStatus: "INACTIVE", Currency: "USD",
		BuyingPower: bp, RegTBuyingPower: bp, DaytradingBuyingPower: bp, EffectiveBuyingPower: bp,
		NonMarginBuyingPower: decimal.Max(decimal.Zero, e.st.Cash),
		Cash:                 e.st.Cash, PortfolioValue: equity, Equity: equity, LastEquity: e.cfg.InitialCash,
		ShortingEnabled: true, CreatedAt: e.st.AnchorMarket, Multiplier: marginMultiplier,
		LongMarketValue: long, ShortMarketValue: short, PositionMarketValue: long.Add(short),
		InitialMargin: gross.Div(marginMultiplier), MaintenanceMargin: gross.Div(decimal.NewFromInt(4)),
	}
}

// markLocked is the price a position is valued at: the market, or its entry
// when no price exists (a replay that has run out of bars).
func (e *Exchange) markLocked(sym string, p *position, now time.Time) decimal.Decimal {
	if px, ok := e.priceLocked(sym, now); ok {
		return px
	}
	return p.AvgEntry
}
