package broker

import (
	"errors"
	"fmt"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// Validate checks the request locally before anything is sent.
func (r OrderRequest) Validate() error {
	var errs []error
	switch {
	case r.ClientOrderID == "":
		errs = append(errs, errors.New("client_order_id is required"))
	case len(r.ClientOrderID) > MaxClientOrderIDLen:
		errs = append(errs, fmt.Errorf("client_order_id longer than %d characters", MaxClientOrderIDLen))
	}
	if r.Symbol == "" {
		errs = append(errs, errors.New("symbol is required"))
	}
	if r.Side != Buy && r.Side != Sell {
		errs = append(errs, fmt.Errorf("invalid side %q", r.Side))
	}
	if !r.Qty.IsPositive() {
		errs = append(errs, fmt.Errorf("qty must be positive, got %s", r.Qty))
	}
	switch r.Type {
	case Market:
	case Limit:
		errs = append(errs, requirePositive("limit_price", r.LimitPrice))
	case Stop:
		errs = append(errs, requirePositive("stop_price", r.StopPrice))
	case StopLimit:
		errs = append(errs, requirePositive("limit_price", r.LimitPrice), requirePositive("stop_price", r.StopPrice))
	default:
		errs = append(errs, fmt.Errorf("invalid order type %q", r.Type))
	}
	switch r.OrderClass {
	case "", Simple, OTO:
	case Bracket, OCO:
		errs = append(errs, requirePositive("take_profit limit_price", r.TakeProfitLimit),
			requirePositive("stop_loss stop_price", r.StopLossStop))
	default:
		errs = append(errs, fmt.Errorf("invalid order class %q", r.OrderClass))
	}
	switch r.TimeInForce {
	case "", Day, GTC:
	default:
		errs = append(errs, fmt.Errorf("invalid time_in_force %q", r.TimeInForce))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("broker: invalid order %s: %w", r.ClientOrderID, err)
	}
	return nil
}

func requirePositive(name string, d decimal.NullDecimal) error {
	if !d.Valid || !d.Decimal.IsPositive() {
		return fmt.Errorf("%s must be a positive price", name)
	}
	return nil
}

// toAlpaca validates and fills defaults (see OrderRequest for the time in
// force rule).
func (r OrderRequest) toAlpaca() (alpaca.PlaceOrderRequest, error) {
	if err := r.Validate(); err != nil {
		return alpaca.PlaceOrderRequest{}, err
	}
	class := r.OrderClass
	if class == "" {
		class = Simple
	}
	tif := r.TimeInForce
	if tif == "" {
		tif = Day
		if class != Simple {
			tif = GTC
		}
	}
	qty := r.Qty
	out := alpaca.PlaceOrderRequest{
		ClientOrderID: r.ClientOrderID,
		Symbol:        r.Symbol,
		Qty:           &qty,
		Side:          alpaca.Side(r.Side),
		Type:          alpaca.OrderType(r.Type),
		TimeInForce:   alpaca.TimeInForce(tif),
		OrderClass:    alpaca.OrderClass(class),
		LimitPrice:    ptr(r.LimitPrice),
		StopPrice:     ptr(r.StopPrice),
	}
	if r.TakeProfitLimit.Valid {
		out.TakeProfit = &alpaca.TakeProfit{LimitPrice: ptr(r.TakeProfitLimit)}
	}
	if r.StopLossStop.Valid {
		out.StopLoss = &alpaca.StopLoss{StopPrice: ptr(r.StopLossStop)}
	}
	return out, nil
}
