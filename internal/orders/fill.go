package orders

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// Exit reasons stored in positions.exit_reason.
const (
	ReasonTakeProfit     = "take_profit"
	ReasonStopLoss       = "stop_loss"
	ReasonClosedAtBroker = "closed_at_broker"
	ReasonSessionEnd     = "session_end" // closed by --close-on-exit
	// ReasonAdopted marks an adopted position while it is active; its
	// close replaces it.
	ReasonAdopted = "adopted"
)

// ExitReason names the reason of a close by the type of the order that
// filled: a limit is the take-profit, a stop the stop-loss, anything else
// (a market order placed by hand, a liquidation) closed_at_broker.
func ExitReason(t broker.OrderType) string {
	switch t {
	case broker.Limit:
		return ReasonTakeProfit
	case broker.Stop, broker.StopLimit, "trailing_stop":
		return ReasonStopLoss
	}
	return ReasonClosedAtBroker
}

// Direction is the stored direction of a position opened on side.
func Direction(side string) string {
	if side == string(broker.Sell) {
		return db.DirectionDown
	}
	return db.DirectionUp
}

// ExitSide is the side of an order that closes a position opened on side.
func ExitSide(side string) broker.Side {
	if side == string(broker.Sell) {
		return broker.Buy
	}
	return broker.Sell
}

// PositionSide maps a broker position's side (long, short) to the side of
// the order that opened it.
func PositionSide(p broker.Position) string {
	if p.Side == broker.PositionShort {
		return string(broker.Sell)
	}
	return string(broker.Buy)
}

// FillOf is the fill record of a broker order. Alpaca's order object has
// no execution id; the order id and the cumulative filled quantity identify
// one fill state, so a fill seen by the read-back and by reconcile is
// recorded once.
func FillOf(sessionID string, o broker.Order, now time.Time) db.Fill {
	at := o.FilledAt
	if at.IsZero() {
		at = now
	}
	return db.Fill{
		FillID: o.ID + ":" + o.FilledQty.String(), SessionID: sessionID, ClientOrderID: o.ClientOrderID,
		BrokerOrderID: o.ID, Symbol: o.Symbol, Side: string(o.Side), Qty: o.FilledQty,
		Price: o.FilledAvgPrice.Decimal, FilledAt: at.UTC(),
	}
}

// CloseAt computes the close of p at a real exit price; with a null price
// (no fill found) P&L stays null: a price is never made up.
func CloseAt(p db.Position, at time.Time, price decimal.NullDecimal, reason string) db.PositionClose {
	c := db.PositionClose{PositionID: p.ID, ExitTime: at.UTC(), ExitPrice: price, ExitReason: reason}
	if !p.EntryTime.IsZero() && !at.Before(p.EntryTime) {
		c.DurationMinutes = decimal.NewNullDecimal(decimal.NewFromFloat(at.Sub(p.EntryTime).Minutes()).Round(2))
	}
	if !price.Valid {
		return c
	}
	pnl := price.Decimal.Sub(p.EntryPrice).Mul(p.Qty)
	if p.Side == string(broker.Sell) {
		pnl = pnl.Neg()
	}
	c.PnL = decimal.NewNullDecimal(pnl.Round(4))
	if basis := p.EntryPrice.Mul(p.Qty); basis.IsPositive() {
		c.PnLPct = decimal.NewNullDecimal(pnl.Div(basis).Mul(decimal.NewFromInt(100)).Round(4))
	}
	return c
}

// HasFill reports whether o carries a final fill to record: a filled order,
// or a terminal one (canceled after a partial fill) with a fill price.
func HasFill(o broker.Order) bool {
	if !o.FilledQty.IsPositive() || !o.FilledAvgPrice.Valid {
		return false
	}
	return Status(o.Status) == Filled || Status(o.Status).Terminal()
}
