package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// placeRequest is the body of POST /v2/orders as the official client sends it.
type placeRequest struct {
	Symbol        string           `json:"symbol"`
	Qty           *decimal.Decimal `json:"qty"`
	Notional      *decimal.Decimal `json:"notional"`
	Side          string           `json:"side"`
	Type          string           `json:"type"`
	TimeInForce   string           `json:"time_in_force"`
	LimitPrice    *decimal.Decimal `json:"limit_price"`
	StopPrice     *decimal.Decimal `json:"stop_price"`
	ClientOrderID string           `json:"client_order_id"`
	OrderClass    string           `json:"order_class"`
	TakeProfit    *takeProfit      `json:"take_profit"`
	StopLoss      *stopLoss        `json:"stop_loss"`
	TrailPrice    *decimal.Decimal `json:"trail_price"`
	TrailPercent  *decimal.Decimal `json:"trail_percent"`
	ExtendedHours bool             `json:"extended_hours"`
}

type takeProfit struct {
	LimitPrice *decimal.Decimal `json:"limit_price"`
}

type stopLoss struct {
	LimitPrice *decimal.Decimal `json:"limit_price"`
	StopPrice  *decimal.Decimal `json:"stop_price"`
}

func (r placeRequest) class() string {
	if r.OrderClass == "" {
		return classSimple
	}
	return r.OrderClass
}

const maxClientOrderID = 128

func invalid(msg string) error { return &refusal{kind: refusedInvalid, msg: msg} }

// validateLocked checks req the way Alpaca does, in an order that gives the
// most specific message first.
func (e *Exchange) validateLocked(req *placeRequest, now time.Time) error {
	if aerr := validateShape(req); aerr != nil {
		return aerr
	}
	if !e.src.known(req.Symbol) {
		return invalid("asset \"" + req.Symbol + "\" not found")
	}
	if req.ClientOrderID != "" {
		if _, dup := e.byClient[req.ClientOrderID]; dup {
			return refuse(refusedDuplicate, "client_order_id must be unique")
		}
	}
	price, ok := e.priceLocked(req.Symbol, now)
	if !ok {
		return invalid("no price for " + req.Symbol)
	}
	base := price
	if req.LimitPrice != nil {
		base = *req.LimitPrice
	}
	if aerr := validateExitPrices(req, base); aerr != nil {
		return aerr
	}
	if req.class() != classOCO && e.opensExposureLocked(req) {
		need := req.Qty.Mul(base)
		if need.GreaterThan(e.accountLocked(now).BuyingPower) {
			return refuse(refusedInsufficient, "insufficient buying power")
		}
	}
	return nil
}

// Limits on decimal inputs. Checking the exponent first matters: comparing
// 1e999999999 with anything would compute a billion-digit integer.
const (
	maxDecimalPlaces = 9
	maxIntegerDigits = 12
)

// saneDecimal reports whether d is small enough in scale and size to do
// arithmetic with.
func saneDecimal(d *decimal.Decimal) bool {
	if d == nil {
		return true
	}
	exp := d.Exponent()
	return exp >= -maxDecimalPlaces && exp <= maxIntegerDigits && d.NumDigits()+int(exp) <= maxIntegerDigits
}

func (r *placeRequest) decimalsSane() bool {
	all := []*decimal.Decimal{r.Qty, r.Notional, r.LimitPrice, r.StopPrice, r.TrailPrice, r.TrailPercent}
	if r.TakeProfit != nil {
		all = append(all, r.TakeProfit.LimitPrice)
	}
	if r.StopLoss != nil {
		all = append(all, r.StopLoss.LimitPrice, r.StopLoss.StopPrice)
	}
	for _, d := range all {
		if !saneDecimal(d) {
			return false
		}
	}
	return true
}

// validateShape checks what needs no market state.
func validateShape(req *placeRequest) error {
	if !req.decimalsSane() {
		return invalid("numbers must have at most 9 decimal places and 12 integer digits")
	}
	class := req.class()
	switch {
	case req.Symbol == "":
		return invalid("symbol is required")
	case req.Side != "buy" && req.Side != "sell":
		return invalid("side must be buy or sell")
	case req.Notional != nil:
		return invalid("notional orders are not supported by the simulated exchange")
	case req.Qty == nil:
		return invalid("qty is required")
	case !req.Qty.IsPositive():
		return invalid("qty must be > 0")
	case len(req.ClientOrderID) > maxClientOrderID:
		return invalid("client_order_id must be at most 128 characters")
	case req.TrailPrice != nil || req.TrailPercent != nil || req.Type == "trailing_stop":
		return invalid("trailing stop orders are not supported by the simulated exchange")
	}
	switch req.TimeInForce {
	case "day", "gtc", "ioc", "fok":
	default:
		return invalid("time_in_force must be one of day, gtc, ioc, fok")
	}
	switch class {
	case classSimple, classBracket, classOTO, classOCO:
	default:
		return invalid("order_class must be one of simple, bracket, oco, oto")
	}
	if req.ExtendedHours && (req.Type != "limit" || req.TimeInForce != "day" || class != classSimple) {
		return invalid("extended hours order must be DAY limit orders")
	}
	if class != classSimple && !req.Qty.Equal(req.Qty.Truncate(0)) {
		return invalid("fractional orders must be simple orders")
	}
	if class == classOCO {
		// An OCO's prices live in take_profit and stop_loss.
		return validateLegs(req, class)
	}
	if aerr := validateType(req.Type, req.LimitPrice, req.StopPrice); aerr != nil {
		return aerr
	}
	return validateLegs(req, class)
}

func validateType(typ string, limit, stop *decimal.Decimal) error {
	needLimit, needStop := false, false
	switch typ {
	case "market":
	case "limit":
		needLimit = true
	case "stop":
		needStop = true
	case "stop_limit":
		needLimit, needStop = true, true
	default:
		return invalid("type must be one of market, limit, stop, stop_limit")
	}
	if needLimit && (limit == nil || !limit.IsPositive()) {
		return invalid("limit_price is required and must be > 0 for " + typ + " orders")
	}
	if needStop && (stop == nil || !stop.IsPositive()) {
		return invalid("stop_price is required and must be > 0 for " + typ + " orders")
	}
	return nil
}

func validateLegs(req *placeRequest, class string) error {
	hasTP := req.TakeProfit != nil && req.TakeProfit.LimitPrice != nil
	hasSL := req.StopLoss != nil && req.StopLoss.StopPrice != nil
	if req.TakeProfit != nil && req.TakeProfit.LimitPrice != nil && !req.TakeProfit.LimitPrice.IsPositive() {
		return invalid("take_profit.limit_price must be > 0")
	}
	if req.StopLoss != nil && req.StopLoss.StopPrice != nil && !req.StopLoss.StopPrice.IsPositive() {
		return invalid("stop_loss.stop_price must be > 0")
	}
	if req.StopLoss != nil && req.StopLoss.LimitPrice != nil && !req.StopLoss.LimitPrice.IsPositive() {
		return invalid("stop_loss.limit_price must be > 0")
	}
	switch class {
	case classBracket:
		if !hasTP || !hasSL {
			return invalid("bracket orders require take_profit.limit_price and stop_loss.stop_price")
		}
		if req.Type != "market" && req.Type != "limit" {
			return invalid("bracket entry must be a market or limit order")
		}
	case classOCO:
		if !hasTP || !hasSL {
			return invalid("oco orders require take_profit.limit_price and stop_loss.stop_price")
		}
		if req.Type != "limit" {
			return invalid("oco orders must be of type limit")
		}
	case classOTO:
		if hasTP == hasSL {
			return invalid("oto orders require exactly one of take_profit or stop_loss")
		}
	}
	return nil
}

// validateExitPrices checks that take-profit and stop lie on the right side
// of base (the entry's limit or the current price), as Alpaca requires.
func validateExitPrices(req *placeRequest, base decimal.Decimal) error {
	class := req.class()
	if class == classSimple {
		return nil
	}
	long := req.Side == "buy"
	if class == classOCO {
		long = req.Side == "sell" // an OCO sell closes a long
		if notBeyond(*req.TakeProfit.LimitPrice, *req.StopLoss.StopPrice, long) {
			return invalid("take_profit.limit_price must be on the profit side of stop_loss.stop_price")
		}
		return nil
	}
	if req.TakeProfit != nil && req.TakeProfit.LimitPrice != nil && notBeyond(*req.TakeProfit.LimitPrice, base, long) {
		return invalid("take_profit.limit_price must be " + cmpWord(long) + " base price " + base.String())
	}
	if req.StopLoss != nil && req.StopLoss.StopPrice != nil && notBeyond(*req.StopLoss.StopPrice, base, !long) {
		return invalid("stop_loss.stop_price must be " + cmpWord(!long) + " base price " + base.String())
	}
	return nil
}

func cmpWord(above bool) string {
	if above {
		return "above"
	}
	return "below"
}

// notBeyond reports whether x fails to lie strictly above (or below) ref.
func notBeyond(x, ref decimal.Decimal, above bool) bool {
	c := x.Cmp(ref)
	if above {
		return c <= 0
	}
	return c >= 0
}
