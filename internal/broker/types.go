package broker

import (
	"time"

	"github.com/shopspring/decimal"
)

// Account is the broker account summary.
type Account struct {
	ID             string
	Cash           decimal.Decimal
	BuyingPower    decimal.Decimal
	Equity         decimal.Decimal
	PortfolioValue decimal.Decimal
	Status         string
}

// Clock is the broker's market clock; the trader takes market time from it.
type Clock struct {
	Timestamp time.Time
	IsOpen    bool
	NextOpen  time.Time
	NextClose time.Time
}

// Bar is one OHLCV bar.
type Bar struct {
	Timestamp time.Time
	Open      decimal.Decimal
	High      decimal.Decimal
	Low       decimal.Decimal
	Close     decimal.Decimal
	Volume    int64
}

// Position sides as Alpaca reports them.
const (
	PositionLong  = "long"
	PositionShort = "short"
)

// Position is an open position. Qty is always positive; Side says long or
// short (Alpaca reports short quantities as negative numbers).
type Position struct {
	Symbol        string
	Qty           decimal.Decimal
	Side          string
	AvgEntryPrice decimal.Decimal
	CurrentPrice  decimal.Decimal
	MarketValue   decimal.Decimal
}

// Side is an order side.
type Side string

// Order sides.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// OrderType is an order type.
type OrderType string

// Order types.
const (
	Market    OrderType = "market"
	Limit     OrderType = "limit"
	Stop      OrderType = "stop"
	StopLimit OrderType = "stop_limit"
)

// OrderClass is an order class. The empty class is sent as simple.
type OrderClass string

// Order classes.
const (
	Simple  OrderClass = "simple"
	Bracket OrderClass = "bracket"
	OCO     OrderClass = "oco"
	OTO     OrderClass = "oto"
)

// TimeInForce is an order's time in force.
type TimeInForce string

// Times in force.
const (
	Day TimeInForce = "day"
	GTC TimeInForce = "gtc"
)

// Order statuses the trader cares about; Alpaca has more (all passed
// through verbatim in Order.Status).
const (
	StatusNew             = "new"
	StatusAccepted        = "accepted"
	StatusPartiallyFilled = "partially_filled"
	StatusFilled          = "filled"
	StatusCanceled        = "canceled"
	StatusExpired         = "expired"
	StatusRejected        = "rejected"
	StatusHeld            = "held"
)

// Order is an order as the broker reports it. Legs holds the take-profit and
// stop-loss children of a bracket when they were returned (nested).
type Order struct {
	ID             string
	ClientOrderID  string
	Symbol         string
	Side           Side
	Type           OrderType
	OrderClass     OrderClass
	TimeInForce    TimeInForce
	Qty            decimal.Decimal
	FilledQty      decimal.Decimal
	FilledAvgPrice decimal.NullDecimal
	LimitPrice     decimal.NullDecimal
	StopPrice      decimal.NullDecimal
	Status         string
	CreatedAt      time.Time
	SubmittedAt    time.Time
	FilledAt       time.Time // zero until filled
	CanceledAt     time.Time // zero unless canceled
	UpdatedAt      time.Time
	Legs           []Order
}

// OrderRequest is a new order. ClientOrderID is mandatory: it is what makes
// PlaceOrder idempotent.
//
// TimeInForce defaults to gtc for bracket, oco and oto orders, so that the
// exit legs of a position survive the close and still protect it the next
// day (Alpaca accepts only day or gtc on these classes), and to day for
// simple orders.
type OrderRequest struct {
	ClientOrderID   string
	Symbol          string
	Side            Side
	Type            OrderType
	OrderClass      OrderClass
	Qty             decimal.Decimal
	LimitPrice      decimal.NullDecimal
	StopPrice       decimal.NullDecimal
	TakeProfitLimit decimal.NullDecimal // bracket/oco take-profit leg limit price
	StopLossStop    decimal.NullDecimal // bracket/oco stop-loss leg stop price
	TimeInForce     TimeInForce
}

// ListOrders selects orders for Orders. Status is "open" (the default),
// "closed" or "all"; zero times and Limit mean no bound. After and Until
// are exclusive bounds on the submission time, which Alpaca reads to the
// second. Direction is "asc" or "desc" by submission time; empty is
// Alpaca's default, newest first.
type ListOrders struct {
	Status    string
	Symbols   []string
	After     time.Time
	Until     time.Time
	Limit     int
	Nested    bool
	Direction string
}

// CloseOptions selects how much of a position ClosePosition liquidates:
// a quantity, a percentage (0-100], or everything when both are zero.
type CloseOptions struct {
	Qty        decimal.Decimal
	Percentage decimal.Decimal
}
