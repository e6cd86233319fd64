// Package reconcile compares a session's store state with the broker and
// repairs the difference: Load reads both sides (and stops at the first
// failed broker read, so an empty answer is only trusted when the request
// succeeded), the pure Diff turns them into an ordered Plan, and Apply
// carries the plan out, recording each item's result.
package reconcile

import (
	"fmt"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

// Class is the kind of difference an item reports.
type Class string

// The classes, in the order a plan lists them: journal facts first, because
// fills recorded there open and close positions that the position classes
// would otherwise report.
const (
	ClassUnacknowledgedIntent Class = "unacknowledged_intent" // never acknowledged, unknown at the broker
	ClassOrderStatus          Class = "order_status"          // journal status differs from the broker's
	ClassUnknownOrder         Class = "unknown_order"         // our open broker order the journal lacks
	ClassPositionGone         Class = "position_gone"         // store position the broker no longer holds
	ClassSideMismatch         Class = "side_mismatch"         // long in one, short in the other
	ClassQtyMismatch          Class = "qty_mismatch"          // same side, different quantity
	ClassUnknownPosition      Class = "unknown_position"      // broker position the store lacks
	ClassForeignPosition      Class = "foreign"               // ...that another session's orders opened
	ClassMissingExits         Class = "missing_exits"         // position without a live stop and target
)

// Classes lists every class in plan order.
var Classes = []Class{
	ClassUnacknowledgedIntent, ClassOrderStatus, ClassUnknownOrder, ClassPositionGone, ClassSideMismatch,
	ClassQtyMismatch, ClassUnknownPosition, ClassForeignPosition, ClassMissingExits,
}

// Results of an item.
const (
	ResultPlanned     = "planned" // not applied (dry run)
	ResultDone        = "done"
	ResultNeedsPerson = "needs a person"
	// ResultLeftAlone marks another session's position on a shared
	// account: reported, never touched.
	ResultLeftAlone = "left alone"
)

// Item is one difference and what is done about it.
type Item struct {
	Class  Class
	Symbol string
	// Order is the client_order_id the item is about, if any.
	Order  string
	Store  string // the store's value
	Broker string // the broker's value
	Action string
	Result string
	// NeedsPerson marks items reconcile will not touch (side mismatch,
	// foreign position): the command exits 3 on them.
	NeedsPerson bool
	// LeftAlone marks items that belong to another session (foreign
	// positions): reported, never touched, and not a reason to fail.
	LeftAlone bool

	fix fix
}

// fix is what Apply needs to carry an item out.
type fix struct {
	kind     fixKind
	journal  db.Order        // journal row of an intent to abandon
	change   orders.Change   // what a journal status or fill changes
	order    broker.Order    // broker order to adopt into the journal
	parent   string          // root client_order_id of an adopted leg
	position db.Position     // store position concerned, or to open when adopting
	held     broker.Position // broker position
	exitFill *broker.Order   // closing fill found for a position gone at the broker
	reason   string          // exit reason for a close
	exits    *exitPair       // protective OCO to place
	cancel   []broker.Order  // our partial exits to cancel before placing
}

type fixKind int

const (
	fixNone fixKind = iota
	fixAbandon
	fixChange
	fixAdoptOrder
	fixClose
	fixAdjustQty
	fixAdoptPosition
	fixRepairExits
)

type exitPair struct {
	stop, target decimal.Decimal
}

// Plan is the ordered list of items for one session.
type Plan struct {
	SessionID string
	Items     []Item
}

// Empty reports whether store and broker agree.
func (p Plan) Empty() bool { return len(p.Items) == 0 }

// NeedsPerson reports whether an item is left for a person.
func (p Plan) NeedsPerson() bool { return p.count(func(it Item) bool { return it.NeedsPerson }) > 0 }

// HasClass reports whether an item of class c is in the plan.
func (p Plan) HasClass(c Class) bool { return p.count(func(it Item) bool { return it.Class == c }) > 0 }

// Failed counts items whose action failed.
func (p Plan) Failed() int { return p.count(func(it Item) bool { return it.failed() }) }

func (p Plan) count(f func(Item) bool) int {
	n := 0
	for _, it := range p.Items {
		if f(it) {
			n++
		}
	}
	return n
}

// Summary counts items per class; every class is present.
func (p Plan) Summary() map[Class]int {
	m := make(map[Class]int, len(Classes))
	for _, c := range Classes {
		m[c] = 0
	}
	for _, it := range p.Items {
		m[it.Class]++
	}
	return m
}

// untouched reports whether Apply leaves the item as it is.
func (it Item) untouched() bool { return it.NeedsPerson || it.LeftAlone }

func (it Item) failed() bool { return len(it.Result) > 7 && it.Result[:7] == "failed:" }

// Log writes one line per item and a summary line.
func (p Plan) Log(log zerolog.Logger) {
	for _, it := range p.Items {
		ev := log.Info()
		if it.NeedsPerson || it.failed() {
			ev = log.Error()
		}
		ev.Str("class", string(it.Class)).Str("symbol", it.Symbol).Str("order", it.Order).Str("store", it.Store).
			Str("broker", it.Broker).Str("action", it.Action).Str("result", it.Result).Msg("reconcile")
	}
	ev := log.Info()
	for _, c := range Classes {
		ev = ev.Int(string(c), p.Summary()[c])
	}
	ev.Int("items", len(p.Items)).Int("failed", p.Failed()).Bool("needs_person", p.NeedsPerson()).
		Msg("reconcile summary")
}

func failed(err error) string { return fmt.Sprintf("failed: %v", err) }
