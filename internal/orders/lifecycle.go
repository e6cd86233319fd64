package orders

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// Kind says what a Change does to the store.
type Kind int

// The kinds of change, from nothing to a fill with its effect on positions.
const (
	Nothing    Kind = iota // the journal already says what the broker says
	StatusOnly             // journal the broker's status (and its order id)
	FillOpen               // record the fill and open the position it entered
	FillClose              // record the fill and close the position it exited
	FillOnly               // record the fill; no position changes
)

func (k Kind) String() string {
	return [...]string{"nothing", "status", "fill-open", "fill-close", "fill-only"}[k]
}

// Change is what one broker order means for the journal. Effect is set for
// the fill kinds; its Order is Update.
type Change struct {
	Kind   Kind
	Update db.OrderUpdate
	Effect db.FillEffect
	// Position is the position a FillClose closes.
	Position db.Position
}

// Resolve turns what the broker reports about one journaled order into the
// change the store needs. positions are the session's active positions as
// they stand before the change. Entries open a position unless the symbol
// is already held, in which case the fill is still recorded (the broker
// nets it into the held position; reconcile reports the quantity). An exit
// closes the position its root entry opened, else the session's position
// in the symbol on the other side; with neither, only the fill is recorded.
func Resolve(sessionID string, j db.Order, positions []db.Position, bo broker.Order, now time.Time) Change {
	if j.Status == bo.Status && j.BrokerOrderID == bo.ID && j.FilledQty.Equal(bo.FilledQty) {
		return Change{Kind: Nothing}
	}
	now = now.UTC()
	c := Change{Kind: StatusOnly, Update: db.OrderUpdate{ClientOrderID: j.ClientOrderID, BrokerOrderID: bo.ID,
		Status: bo.Status, FilledQty: bo.FilledQty, FilledAvgPrice: bo.FilledAvgPrice, UpdatedAt: now}}
	if j.AcknowledgedAt == nil {
		c.Update.AcknowledgedAt = &now
	}
	if !HasFill(bo) {
		return c
	}
	c.Kind = FillOnly
	u := c.Update
	c.Effect = db.FillEffect{Fill: FillOf(sessionID, bo, now), Order: &u}
	if j.Purpose == PurposeEntry {
		if _, held := bySymbol(positions, bo.Symbol); !held {
			c.Kind = FillOpen
			c.Effect.Open = &db.Position{SessionID: sessionID, Symbol: bo.Symbol, EntryTime: c.Effect.Fill.FilledAt,
				EntryPrice: bo.FilledAvgPrice.Decimal, Qty: bo.FilledQty, Direction: Direction(string(bo.Side)),
				Side: string(bo.Side), StopLoss: j.StopLossPrice, TakeProfit: j.TakeProfitPrice, OrderID: bo.ID,
				Status: db.PositionActive, EntryClientOrderID: j.ClientOrderID}
		}
		return c
	}
	if p, ok := closedBy(j, positions, bo); ok {
		c.Kind, c.Position = FillClose, p
		closing := CloseAt(p, c.Effect.Fill.FilledAt, decimal.NewNullDecimal(bo.FilledAvgPrice.Decimal), ExitReason(bo.Type))
		c.Effect.Close = &closing
	}
	return c
}

// closedBy finds the position an exit order closes.
func closedBy(j db.Order, positions []db.Position, bo broker.Order) (db.Position, bool) {
	if j.ParentClientOrderID != "" {
		for _, p := range positions {
			if p.EntryClientOrderID == j.ParentClientOrderID && p.Side != string(bo.Side) {
				return p, true
			}
		}
	}
	for _, p := range positions {
		if p.Symbol == bo.Symbol && p.Side != string(bo.Side) {
			return p, true
		}
	}
	return db.Position{}, false
}

func bySymbol(positions []db.Position, symbol string) (db.Position, bool) {
	for _, p := range positions {
		if p.Symbol == symbol {
			return p, true
		}
	}
	return db.Position{}, false
}

// After returns positions as they stand once c is applied, so that the
// next order of the same pass sees a position a fill opened or closed. An
// opened position has no id until it is read back from the store.
func (c Change) After(positions []db.Position) []db.Position {
	switch c.Kind {
	case FillOpen:
		return append(append([]db.Position(nil), positions...), *c.Effect.Open)
	case FillClose:
		out := make([]db.Position, 0, len(positions))
		for _, p := range positions {
			if p.ID != c.Position.ID || p.Symbol != c.Position.Symbol {
				out = append(out, p)
			}
		}
		return out
	}
	return positions
}

// RowOf is the journal row of a broker order seen for the first time (a
// bracket leg, an order of ours the journal lacked). A filled order is
// journaled as new with nothing filled, so that Resolve records its fill
// as it would for any order.
func RowOf(sessionID string, o broker.Order, parent, purpose string, now time.Time) db.Order {
	now = now.UTC()
	row := db.Order{
		SessionID: sessionID, ClientOrderID: o.ClientOrderID, Seq: SeqOf(sessionID, o.ClientOrderID),
		BrokerOrderID: o.ID, ParentClientOrderID: parent, Symbol: o.Symbol, OrderType: string(o.Type),
		OrderClass: string(o.OrderClass), Side: string(o.Side), Qty: o.Qty, LimitPrice: o.LimitPrice,
		StopPrice: o.StopPrice, Status: o.Status, FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice,
		Purpose: purpose, CreatedAt: now, AcknowledgedAt: &now, UpdatedAt: now,
	}
	if row.Status == "" || HasFill(o) {
		row.Status, row.FilledQty, row.FilledAvgPrice = string(New), decimal.Zero, decimal.NullDecimal{}
	}
	return row
}
