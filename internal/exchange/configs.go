package exchange

import (
	"net/http"

	"github.com/shopspring/decimal"
)

// accountConfigs are the account's settings, GET|PATCH
// /v2/account/configurations, with the fields of Alpaca's model. The
// exchange obeys suspend_trade (new orders refused), no_shorting (orders
// that would open or add to a short refused), fractional_trading (false
// refuses fractional qty and notional orders) and max_margin_multiplier
// ("1" or "2": buying power is equity times it, less gross exposure); the
// others are kept and shown.
type accountConfigs struct {
	DisableOvernightTrading bool   `json:"disable_overnight_trading"`
	FractionalTrading       bool   `json:"fractional_trading"`
	MaxMarginMultiplier     string `json:"max_margin_multiplier"`
	MaxOptionsTradingLevel  int    `json:"max_options_trading_level"`
	NoShorting              bool   `json:"no_shorting"`
	PTPNoExceptionEntry     bool   `json:"ptp_no_exception_entry"`
	SuspendTrade            bool   `json:"suspend_trade"`
	TradeConfirmEmail       string `json:"trade_confirm_email"`
}

func defaultConfigs() accountConfigs {
	return accountConfigs{FractionalTrading: true, MaxMarginMultiplier: "2", TradeConfirmEmail: "all"}
}

// configsPatch is a PATCH body: only the fields given change.
type configsPatch struct {
	DisableOvernightTrading *bool   `json:"disable_overnight_trading"`
	FractionalTrading       *bool   `json:"fractional_trading"`
	MaxMarginMultiplier     *string `json:"max_margin_multiplier"`
	MaxOptionsTradingLevel  *int    `json:"max_options_trading_level"`
	NoShorting              *bool   `json:"no_shorting"`
	PTPNoExceptionEntry     *bool   `json:"ptp_no_exception_entry"`
	SuspendTrade            *bool   `json:"suspend_trade"`
	TradeConfirmEmail       *string `json:"trade_confirm_email"`
}

func (e *Exchange) configsLocked() accountConfigs {
	if e.st.Configs == nil {
		return defaultConfigs()
	}
	return *e.st.Configs
}

// marginLocked is the buying-power multiplier the configuration allows.
func (e *Exchange) marginLocked() decimal.Decimal {
	if e.configsLocked().MaxMarginMultiplier == "1" {
		return decimal.NewFromInt(1)
	}
	return marginMultiplier
}

func (c *accountConfigs) apply(p configsPatch) error {
	if p.TradeConfirmEmail != nil && *p.TradeConfirmEmail == "" {
		p.TradeConfirmEmail = nil // the official Go client sends its zero value for "unchanged"
	}
	if p.MaxMarginMultiplier != nil && *p.MaxMarginMultiplier != "1" && *p.MaxMarginMultiplier != "2" {
		return invalid("max_margin_multiplier must be \"1\" or \"2\"")
	}
	if p.TradeConfirmEmail != nil && *p.TradeConfirmEmail != "all" && *p.TradeConfirmEmail != "none" {
		return invalid("trade_confirm_email must be all or none")
	}
	if p.MaxOptionsTradingLevel != nil && (*p.MaxOptionsTradingLevel < 0 || *p.MaxOptionsTradingLevel > 3) {
		return invalid("max_options_trading_level must be 0 to 3")
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.DisableOvernightTrading, p.DisableOvernightTrading)
	set(&c.FractionalTrading, p.FractionalTrading)
	set(&c.NoShorting, p.NoShorting)
	set(&c.PTPNoExceptionEntry, p.PTPNoExceptionEntry)
	set(&c.SuspendTrade, p.SuspendTrade)
	if p.MaxMarginMultiplier != nil {
		c.MaxMarginMultiplier = *p.MaxMarginMultiplier
	}
	if p.TradeConfirmEmail != nil {
		c.TradeConfirmEmail = *p.TradeConfirmEmail
	}
	if p.MaxOptionsTradingLevel != nil {
		c.MaxOptionsTradingLevel = *p.MaxOptionsTradingLevel
	}
	return nil
}

// checkConfigsLocked refuses an order the account's settings forbid.
func (e *Exchange) checkConfigsLocked(req *placeRequest, price decimal.Decimal) error {
	c := e.configsLocked()
	switch {
	case c.SuspendTrade:
		return refuse(refusedInsufficient, "new orders are rejected: trading is suspended by the account's configuration")
	case !c.FractionalTrading && (req.Notional != nil || !req.Qty.Equal(req.Qty.Truncate(0))):
		return invalid("fractional trading is disabled by the account's configuration")
	case c.NoShorting && e.opensShortLocked(req, price):
		return refuse(refusedInsufficient, "account is not allowed to short")
	}
	return nil
}

// opensShortLocked reports whether req would open or add to a short.
func (e *Exchange) opensShortLocked(req *placeRequest, price decimal.Decimal) bool {
	if req.Side != "sell" {
		return false
	}
	held := decimal.Zero
	if p := e.st.Positions[req.Symbol]; p != nil {
		held = p.Qty
	}
	return req.qtyAt(price).GreaterThan(held)
}

func (e *Exchange) handleGetConfigs(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	writeJSON(w, http.StatusOK, e.configsLocked())
}

func (e *Exchange) handlePatchConfigs(w http.ResponseWriter, r *http.Request) {
	var p configsPatch
	if err := decodeBody(r, &p); err != nil {
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.configsLocked()
	if err := c.apply(p); err != nil {
		e.fail(w, err)
		return
	}
	e.st.Configs = &c
	e.respondSaved(w, http.StatusOK, c)
}
