package broker

import (
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"
)

func fromAccount(a *alpaca.Account) Account {
	return Account{
		ID:             a.ID,
		Cash:           a.Cash,
		BuyingPower:    a.BuyingPower,
		Equity:         a.Equity,
		PortfolioValue: a.PortfolioValue,
		Status:         a.Status,
	}
}

func fromClock(c *alpaca.Clock) Clock {
	return Clock{Timestamp: c.Timestamp, IsOpen: c.IsOpen, NextOpen: c.NextOpen, NextClose: c.NextClose}
}

func fromPosition(p alpaca.Position) Position {
	side := p.Side
	if side == "" {
		side = PositionLong
		if p.Qty.IsNegative() {
			side = PositionShort
		}
	}
	return Position{
		Symbol:        p.Symbol,
		Qty:           p.Qty.Abs(),
		Side:          side,
		AvgEntryPrice: p.AvgEntryPrice,
		CurrentPrice:  deref(p.CurrentPrice),
		MarketValue:   deref(p.MarketValue),
	}
}

// fromBar converts the official client's float prices at the boundary;
// NewFromFloat keeps the shortest decimal that round-trips, so a price sent
// as 187.23 stays 187.23.
func fromBar(b marketdata.Bar) Bar {
	return Bar{
		Timestamp: b.Timestamp,
		Open:      decimal.NewFromFloat(b.Open),
		High:      decimal.NewFromFloat(b.High),
		Low:       decimal.NewFromFloat(b.Low),
		Close:     decimal.NewFromFloat(b.Close),
		Volume:    int64(min(b.Volume, uint64(1<<63-1))),
	}
}

func fromOrder(o *alpaca.Order) Order {
	out := Order{
		ID:             o.ID,
		ClientOrderID:  o.ClientOrderID,
		Symbol:         o.Symbol,
		Side:           Side(o.Side),
		Type:           OrderType(o.Type),
		OrderClass:     OrderClass(o.OrderClass),
		TimeInForce:    TimeInForce(o.TimeInForce),
		Qty:            deref(o.Qty),
		FilledQty:      o.FilledQty,
		FilledAvgPrice: nullable(o.FilledAvgPrice),
		LimitPrice:     nullable(o.LimitPrice),
		StopPrice:      nullable(o.StopPrice),
		Status:         o.Status,
		CreatedAt:      o.CreatedAt,
		SubmittedAt:    o.SubmittedAt,
		FilledAt:       derefTime(o.FilledAt),
		CanceledAt:     derefTime(o.CanceledAt),
		UpdatedAt:      o.UpdatedAt,
	}
	if out.OrderClass == "" {
		out.OrderClass = Simple
	}
	for i := range o.Legs {
		out.Legs = append(out.Legs, fromOrder(&o.Legs[i]))
	}
	return out
}

func fromOrders(in []alpaca.Order) []Order {
	out := make([]Order, 0, len(in))
	for i := range in {
		out = append(out, fromOrder(&in[i]))
	}
	return out
}

func deref(d *decimal.Decimal) decimal.Decimal {
	if d == nil {
		return decimal.Zero
	}
	return *d
}

func nullable(d *decimal.Decimal) decimal.NullDecimal {
	if d == nil {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(*d)
}

func ptr(d decimal.NullDecimal) *decimal.Decimal {
	if !d.Valid {
		return nil
	}
	v := d.Decimal
	return &v
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
