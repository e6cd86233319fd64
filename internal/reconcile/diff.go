package reconcile

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/strategy"
)

// Diff compares the two states and returns the plan. It does no I/O.
func Diff(s StoreState, b BrokerState) Plan {
	d := &differ{v: newView(s, b), held: s.Positions, closing: map[int64]bool{}}
	d.journal()
	d.unknownOrders()
	d.positions()
	d.unknownPositions()
	order := map[Class]int{}
	for i, c := range Classes {
		order[c] = i
	}
	slices.SortStableFunc(d.items, func(a, b Item) int { return order[a.Class] - order[b.Class] })
	return Plan{SessionID: s.SessionID, Items: d.items}
}

type differ struct {
	v     *view
	items []Item
	// held are the session's active positions as the plan's fills leave
	// them: an entry fill of this plan opens one, an exit fill closes one.
	held    []db.Position
	closing map[int64]bool // positions an exit fill of this plan closes
}

func (d *differ) add(it Item) { d.items = append(d.items, it) }

// active returns the session's active position in symbol, if any, as the
// plan's fills leave it.
func (d *differ) active(symbol string) (db.Position, bool) {
	for _, p := range d.held {
		if p.Symbol == symbol {
			return p, true
		}
	}
	return db.Position{}, false
}

// journal: unacknowledged intents and journal statuses. The change for
// each order comes from orders.Resolve, the rule the trader's read-back
// applies too.
func (d *differ) journal() {
	for _, j := range d.v.s.Orders {
		if orders.Status(j.Status).Terminal() {
			continue
		}
		bo, ok := d.v.orders[j.ClientOrderID]
		if !ok {
			// Only a definite "not found" abandons an intent; an order the
			// lists missed and nobody looked up stays as it is.
			if j.Status == db.OrderIntent && d.v.b.NotFound[j.ClientOrderID] {
				d.add(Item{Class: ClassUnacknowledgedIntent, Symbol: j.Symbol, Order: j.ClientOrderID,
					Store: describeJournal(j), Broker: "unknown", Action: "mark abandoned (never resent)",
					fix: fix{kind: fixAbandon, journal: j}})
			}
			continue
		}
		c := orders.Resolve(d.v.s.SessionID, j, d.held, bo, d.v.s.AsOf)
		if c.Kind == orders.Nothing {
			continue
		}
		d.add(Item{Class: ClassOrderStatus, Symbol: j.Symbol, Order: j.ClientOrderID, Store: describeJournal(j),
			Broker: describeOrder(bo), Action: describeChange(j, bo, c), fix: fix{kind: fixChange, change: c}})
		d.held = c.After(d.held)
		if c.Kind == orders.FillClose {
			d.closing[c.Position.ID] = true
		}
	}
}

func describeChange(j db.Order, bo broker.Order, c orders.Change) string {
	fill := fmt.Sprintf("record fill %s @ %s", bo.FilledQty, bo.FilledAvgPrice.Decimal)
	switch c.Kind {
	case orders.FillOpen:
		return fill + ", open the position"
	case orders.FillClose:
		return fmt.Sprintf("%s, close the position (%s)", fill, c.Effect.Close.ExitReason)
	case orders.FillOnly:
		if j.Purpose == orders.PurposeEntry {
			return fill + "; a position in the symbol is already held"
		}
		return fill
	}
	return "journal status " + bo.Status
}

// unknownOrders: our open broker orders the journal lacks.
func (d *differ) unknownOrders() {
	for _, o := range d.v.b.Open {
		if _, known := d.v.journal[o.ClientOrderID]; known || !live(o) || d.v.owner(o.ClientOrderID) != "" {
			continue
		}
		d.add(Item{Class: ClassUnknownOrder, Symbol: o.Symbol, Order: o.ClientOrderID, Store: "not in journal",
			Broker: describeOrder(o), Action: "adopt into the journal",
			fix: fix{kind: fixAdoptOrder, order: o, parent: d.v.parentOf[o.ClientOrderID]}})
	}
}

// positions: store positions gone at the broker, on the other side, of
// another quantity, or without live exits.
func (d *differ) positions() {
	for _, p := range d.v.s.Positions {
		if d.closing[p.ID] {
			continue
		}
		bp, ok := d.v.brokerPosition(p.Symbol)
		if _, theirs := d.v.s.Claims[p.Symbol]; theirs {
			// Another session claims the symbol: a claim changes hands only
			// when the broker holds nothing in it, so what the broker holds
			// now is that session's, and ours is gone.
			ok = false
		}
		if !ok {
			d.add(d.gone(p))
			continue
		}
		if orders.PositionSide(bp) != p.Side {
			d.add(Item{Class: ClassSideMismatch, Symbol: p.Symbol, Store: describePosition(p), Broker: describeHeld(bp),
				Action: "none: a person must decide", Result: ResultNeedsPerson, NeedsPerson: true})
			continue
		}
		if !bp.Qty.Equal(p.Qty) {
			d.add(Item{Class: ClassQtyMismatch, Symbol: p.Symbol, Store: describePosition(p), Broker: describeHeld(bp),
				Action: fmt.Sprintf("set store qty %s -> %s", p.Qty, bp.Qty),
				fix:    fix{kind: fixAdjustQty, position: p, held: bp}})
		}
		stop, target := d.exitPrices(p.Side, p.EntryPrice, p.StopLoss, p.TakeProfit)
		if it, missing := d.missingExits(p.Symbol, p.Side, bp, exitPair{stop: stop, target: target}); missing {
			it.fix.position = p
			d.add(it)
		}
	}
}

// gone: a store position the broker no longer holds. The closing fill must not predate the entry, so an old
// position's exit is never taken for this one's.
func (d *differ) gone(p db.Position) Item {
	it := Item{Class: ClassPositionGone, Symbol: p.Symbol, Store: describePosition(p), Broker: "no position",
		fix: fix{kind: fixClose, position: p, reason: orders.ReasonClosedAtBroker, cancel: d.ourLiveExits(p.Symbol, p.Side)}}
	// Another session's order never closed our position.
	fill, found := d.v.newestFill(p.Symbol, orders.ExitSide(p.Side), func(o broker.Order) bool {
		return !o.FilledAt.Before(p.EntryTime) && !d.v.isOthers(o.ClientOrderID)
	})
	if found {
		it.fix.exitFill, it.fix.reason = &fill, orders.ExitReason(fill.Type)
		it.Broker = "no position; exit " + describeOrder(fill)
		it.Action = fmt.Sprintf("close at %s (%s)", fill.FilledAvgPrice.Decimal, it.fix.reason)
	} else {
		it.Action = "close without an exit price (" + orders.ReasonClosedAtBroker + "): no closing fill found"
	}
	if n := len(it.fix.cancel); n > 0 {
		it.Action += fmt.Sprintf("; cancel %d orphaned exit order(s)", n)
	}
	return it
}

// liveExits reports which protective orders are live for a position
// opened on side, and which of them are ours.
func (d *differ) liveExits(symbol, side string) (stop, target bool, ours []broker.Order) {
	for _, o := range d.v.b.Open {
		if o.Symbol != symbol || o.Side != orders.ExitSide(side) || !live(o) {
			continue
		}
		switch o.Type {
		case broker.Stop, broker.StopLimit, "trailing_stop":
			stop = true
		case broker.Limit:
			target = true
		default:
			continue
		}
		if d.v.owner(o.ClientOrderID) == "" {
			ours = append(ours, o)
		}
	}
	return stop, target, ours
}

func (d *differ) ourLiveExits(symbol, side string) []broker.Order {
	_, _, ours := d.liveExits(symbol, side)
	return ours
}

// missingExits: a position without live exits. A position needs both a live stop and a live
// target; when one is missing, what is left of ours is canceled and a
// fresh OCO is placed, so the position is never oversold.
func (d *differ) missingExits(symbol, side string, bp broker.Position, pair exitPair) (Item, bool) {
	stop, target, ours := d.liveExits(symbol, side)
	if stop && target {
		return Item{}, false
	}
	have := "no live exit orders"
	switch {
	case stop:
		have = "stop only"
	case target:
		have = "take-profit only"
	}
	action := fmt.Sprintf("place OCO %s %s stop %s target %s", orders.ExitSide(side), bp.Qty, pair.stop, pair.target)
	if len(ours) > 0 {
		action = fmt.Sprintf("cancel %d partial exit order(s), %s", len(ours), action)
	}
	return Item{Class: ClassMissingExits, Symbol: symbol, Store: fmt.Sprintf("stop %s target %s", pair.stop, pair.target),
		Broker: have, Action: action, fix: fix{kind: fixRepairExits, held: bp, exits: &pair, cancel: ours}}, true
}

// exitPrices are the stored stop and target, or the session's percentages
// from the entry where the store has none.
func (d *differ) exitPrices(side string, entry decimal.Decimal, stop, target decimal.NullDecimal) (decimal.Decimal, decimal.Decimal) {
	dir := strategy.Up
	if side == string(broker.Sell) {
		dir = strategy.Down
	}
	s, t := strategy.Exits(dir, entry, d.v.s.StopLossPct, d.v.s.TakeProfitPct)
	if stop.Valid {
		s = stop.Decimal
	}
	if target.Valid {
		t = target.Decimal
	}
	return s, t
}

// unknownPositions: broker positions the store lacks, adopted, or
// reported as foreign.
func (d *differ) unknownPositions() {
	for _, bp := range d.v.b.Positions {
		if _, held := d.active(bp.Symbol); held {
			continue
		}
		side := orders.PositionSide(bp)
		if owner := d.foreignOwner(bp.Symbol, side); owner != "" {
			d.add(Item{Class: ClassForeignPosition, Symbol: bp.Symbol, Store: "no position", Broker: describeHeld(bp),
				Action: "leave alone: " + owner, Result: ResultLeftAlone, LeftAlone: true})
			continue
		}
		stop, target := d.exitPrices(side, bp.AvgEntryPrice, decimal.NullDecimal{}, decimal.NullDecimal{})
		p := db.Position{SessionID: d.v.s.SessionID, Symbol: bp.Symbol, EntryPrice: bp.AvgEntryPrice, Qty: bp.Qty,
			Direction: orders.Direction(side), Side: side, StopLoss: decimal.NewNullDecimal(stop), TakeProfit: decimal.NewNullDecimal(target),
			Status: db.PositionActive, ExitReason: orders.ReasonAdopted}
		if fill, ok := d.v.newestFill(bp.Symbol, broker.Side(side), nil); ok {
			// The entry time is the broker's, so that a later exit fill
			// (also stamped by the broker) is never older than the entry.
			p.EntryTime, p.OrderID = fill.FilledAt.UTC(), fill.ID
		}
		it := Item{Class: ClassUnknownPosition, Symbol: bp.Symbol, Store: "no position", Broker: describeHeld(bp),
			Action: "adopt (" + orders.ReasonAdopted + ")", fix: fix{kind: fixAdoptPosition, position: p, held: bp}}
		if ex, missing := d.missingExits(bp.Symbol, side, bp, exitPair{stop: stop, target: target}); missing {
			it.fix.exits, it.fix.cancel = ex.fix.exits, ex.fix.cancel
			it.Action += ", " + ex.Action
		}
		d.add(it)
	}
}

// foreignOwner describes the other session of this database that claims
// the symbol, or whose orders hold or opened the position in it, or "".
func (d *differ) foreignOwner(symbol, side string) string {
	if c, ok := d.v.s.Claims[symbol]; ok {
		return fmt.Sprintf("claimed by session %s (instance %d)", c.SessionID, c.InstanceID)
	}
	for _, o := range d.v.b.Open {
		if o.Symbol == symbol && live(o) {
			if w := d.v.owner(o.ClientOrderID); w != "" && w != "?" {
				return "opened by session " + w
			}
		}
	}
	if fill, ok := d.v.newestFill(symbol, broker.Side(side), nil); ok {
		if w := d.v.owner(fill.ClientOrderID); w != "" && w != "?" {
			return "opened by session " + w
		}
	}
	return ""
}

func describeJournal(j db.Order) string {
	s := fmt.Sprintf("%s %s %s %s", j.Status, j.Side, j.Qty, j.OrderType)
	if j.FilledQty.IsPositive() {
		s += fmt.Sprintf(" filled %s", j.FilledQty)
	}
	return s
}

func describeOrder(o broker.Order) string {
	s := fmt.Sprintf("%s %s %s %s", o.Status, o.Side, o.Qty, o.Type)
	if o.FilledQty.IsPositive() && o.FilledAvgPrice.Valid {
		s += fmt.Sprintf(" filled %s @ %s", o.FilledQty, o.FilledAvgPrice.Decimal)
	}
	return s
}

func describePosition(p db.Position) string {
	side := broker.PositionLong
	if p.Side == string(broker.Sell) {
		side = broker.PositionShort
	}
	return fmt.Sprintf("%s %s @ %s", side, p.Qty, p.EntryPrice)
}

func describeHeld(p broker.Position) string {
	return fmt.Sprintf("%s %s @ %s", p.Side, p.Qty, p.AvgEntryPrice)
}
