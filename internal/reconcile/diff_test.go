package reconcile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

const (
	sid   = "11111111-2222-3333-4444-555555555555"
	other = "99999999-8888-7777-6666-555555555555"
)

var t0 = time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal      { return decimal.RequireFromString(s) }
func nd(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }
func ours(n string) string            { return orders.Prefix(sid) + n }
func theirs(n string) string          { return orders.Prefix(other) + n }
func storeState(ps ...db.Position) reconcile.StoreState {
	return reconcile.StoreState{SessionID: sid, Positions: ps, OtherSessionIDs: []string{other},
		StopLossPct: d("2"), TakeProfitPct: d("4")}
}

func longPos(id int64, sym, qty, price string) db.Position {
	return db.Position{ID: id, SessionID: sid, Symbol: sym, Qty: d(qty), EntryPrice: d(price), Side: "buy",
		Direction: db.DirectionUp, Status: db.PositionActive, EntryTime: t0, StopLoss: nd("98"), TakeProfit: nd("104"),
		EntryClientOrderID: ours("1")}
}

func held(sym, side, qty, price string) broker.Position {
	return broker.Position{Symbol: sym, Side: side, Qty: d(qty), AvgEntryPrice: d(price)}
}

func order(cid, sym string, side broker.Side, typ broker.OrderType, status string) broker.Order {
	return broker.Order{ID: "id-" + cid, ClientOrderID: cid, Symbol: sym, Side: side, Type: typ, Qty: d("10"),
		FilledQty: decimal.Zero, Status: status, UpdatedAt: t0}
}

func filledAt(o broker.Order, price string, at time.Time) broker.Order {
	o.Status, o.FilledQty, o.FilledAvgPrice, o.FilledAt = broker.StatusFilled, o.Qty, nd(price), at
	return o
}

// protected is a filled bracket entry with both exit legs live.
func protected(entryCID, sym string) (root broker.Order, legs []broker.Order) {
	root = filledAt(order(entryCID, sym, broker.Buy, broker.Market, ""), "100", t0)
	root.OrderClass = broker.Bracket
	legs = []broker.Order{order("leg-tp-"+sym, sym, broker.Sell, broker.Limit, broker.StatusNew),
		order("leg-sl-"+sym, sym, broker.Sell, broker.Stop, broker.StatusNew)}
	root.Legs = legs
	return root, legs
}

func journalOf(o broker.Order, purpose, parent string) db.Order {
	return db.Order{SessionID: sid, ClientOrderID: o.ClientOrderID, BrokerOrderID: o.ID, Symbol: o.Symbol,
		Side: string(o.Side), OrderType: string(o.Type), Qty: o.Qty, Status: o.Status, FilledQty: o.FilledQty,
		Purpose: purpose, ParentClientOrderID: parent}
}

// agreeing is a session with one protected position in AAPL that the
// broker holds exactly.
func agreeing() (reconcile.StoreState, reconcile.BrokerState) {
	root, legs := protected(ours("1"), "AAPL")
	s := storeState(longPos(1, "AAPL", "10", "100"))
	s.Orders = []db.Order{journalOf(root, "entry", ""), journalOf(legs[0], "exit", root.ClientOrderID),
		journalOf(legs[1], "exit", root.ClientOrderID)}
	b := reconcile.BrokerState{Positions: []broker.Position{held("AAPL", "long", "10", "100")},
		Open: legs, Recent: []broker.Order{root}}
	return s, b
}

func classes(p reconcile.Plan) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, string(it.Class)+":"+it.Symbol)
	}
	return out
}

func expectClasses(t *testing.T, p reconcile.Plan, want ...string) {
	t.Helper()
	got := classes(p)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("plan classes = %v, want %v\n%+v", got, want, p.Items)
	}
}

func expectAction(t *testing.T, it reconcile.Item, parts ...string) {
	t.Helper()
	for _, part := range parts {
		if !strings.Contains(it.Action, part) {
			t.Errorf("%s action %q lacks %q", it.Class, it.Action, part)
		}
	}
}

func TestDiffAgreementIsEmpty(t *testing.T) {
	p := reconcile.Diff(agreeing())
	expectClasses(t, p)
	if !p.Empty() || p.NeedsPerson() {
		t.Fatalf("agreeing states gave %+v", p)
	}
}

func TestDiffUnknownPositionIsAdoptedWithExits(t *testing.T) {
	s, b := agreeing()
	manual := filledAt(order("manual-1", "MSFT", broker.Buy, broker.Market, ""), "200", t0)
	b.Positions = append(b.Positions, held("MSFT", "long", "5", "200"))
	b.Recent = append(b.Recent, manual)
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "unknown_position:MSFT")
	it := p.Items[0]
	expectAction(t, it, "adopt (adopted)", "place OCO sell 5 stop 196 target 208")
	if it.Broker != "long 5 @ 200" || it.Store != "no position" || it.NeedsPerson {
		t.Fatalf("item = %+v", it)
	}
}

func TestDiffForeignPositionIsLeftAlone(t *testing.T) {
	s, b := agreeing()
	// Another session's bracket opened NVDA: its entry filled, its legs live.
	root := filledAt(order(theirs("4"), "NVDA", broker.Buy, broker.Market, ""), "50", t0)
	leg := order("their-leg", "NVDA", broker.Sell, broker.Stop, broker.StatusNew)
	root.Legs = []broker.Order{leg}
	b.Positions = append(b.Positions, held("NVDA", "long", "10", "50"))
	b.Recent = append(b.Recent, root)
	b.Open = append(b.Open, leg)
	// ...and it holds TSLA, whose exits are gone but whose entry was theirs.
	b.Positions = append(b.Positions, held("TSLA", "short", "3", "300"))
	b.Recent = append(b.Recent, filledAt(order(theirs("5"), "TSLA", broker.Sell, broker.Market, ""), "300", t0))
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "foreign:NVDA", "foreign:TSLA")
	for _, it := range p.Items {
		if !it.LeftAlone || it.NeedsPerson || it.Result != reconcile.ResultLeftAlone || !strings.Contains(it.Action, other) {
			t.Fatalf("foreign item = %+v", it)
		}
	}
	if p.NeedsPerson() {
		t.Fatal("another session's positions on a shared account are normal, not a reason to call a person")
	}
}

func TestDiffClaimedSymbolIsForeignEvenWithoutItsOrders(t *testing.T) {
	s, b := agreeing()
	// Another instance claims AMD; its orders are older than the lists.
	s.Claims = map[string]db.SymbolClaim{"AMD": {Symbol: "AMD", SessionID: other, InstanceID: 2}}
	b.Positions = append(b.Positions, held("AMD", "long", "5", "120"))
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "foreign:AMD")
	if it := p.Items[0]; !it.LeftAlone || !strings.Contains(it.Action, "instance 2") {
		t.Fatalf("claimed symbol item = %+v", it)
	}
}

func TestDiffPositionGoneUsesTheRealExitFill(t *testing.T) {
	s, b := agreeing()
	b.Positions = nil
	b.Open = nil
	// An older take-profit of an earlier position must not be used.
	old := filledAt(order("old-tp", "AAPL", broker.Sell, broker.Limit, ""), "90", t0.Add(-time.Hour))
	stop := filledAt(order("leg-sl-AAPL", "AAPL", broker.Sell, broker.Stop, ""), "97.95", t0.Add(time.Hour))
	root := b.Recent[0]
	root.Legs = []broker.Order{stop}
	b.Recent = []broker.Order{root, old}
	s.Orders = s.Orders[:1] // legs not journaled yet, so no order_status item closes it
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "position_gone:AAPL")
	expectAction(t, p.Items[0], "close at 97.95 (stop_loss)")
}

func TestDiffSymbolClaimedByAnotherSessionMeansOursIsGone(t *testing.T) {
	s, b := agreeing()
	// Our stop filled; the symbol went idle, and another session took the
	// claim over and went short. The broker's AAPL is theirs now.
	stop := filledAt(order("leg-sl-AAPL", "AAPL", broker.Sell, broker.Stop, ""), "97.95", t0.Add(time.Hour))
	root := b.Recent[0]
	root.Legs = []broker.Order{stop}
	their := filledAt(order(theirs("7"), "AAPL", broker.Sell, broker.Market, ""), "99", t0.Add(2*time.Hour))
	b.Recent = []broker.Order{root, their}
	b.Open = nil
	b.Positions = []broker.Position{held("AAPL", "short", "10", "99")}
	s.Orders = s.Orders[:1]
	s.Claims = map[string]db.SymbolClaim{"AAPL": {Symbol: "AAPL", SessionID: other, InstanceID: 2}}
	p := reconcile.Diff(s, b)
	// Not a side mismatch, and their sell is not our exit.
	expectClasses(t, p, "position_gone:AAPL")
	expectAction(t, p.Items[0], "close at 97.95 (stop_loss)")
}

func TestDiffPositionGoneWithoutFillHasNoPrice(t *testing.T) {
	s, b := agreeing()
	b.Positions, b.Open, b.Recent = nil, nil, nil
	s.Orders = nil
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "position_gone:AAPL")
	expectAction(t, p.Items[0], "close without an exit price (closed_at_broker)")
}

func TestDiffPositionClosedByHandCancelsOrphanedExits(t *testing.T) {
	s, b := agreeing()
	b.Positions = nil
	b.Recent = append(b.Recent, filledAt(order("by-hand", "AAPL", broker.Sell, broker.Market, ""), "101", t0.Add(time.Minute)))
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "position_gone:AAPL")
	expectAction(t, p.Items[0], "close at 101 (closed_at_broker)", "cancel 2 orphaned exit order(s)")
}

func TestDiffQtyMismatchAdjusts(t *testing.T) {
	s, b := agreeing()
	b.Positions[0].Qty = d("4")
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "qty_mismatch:AAPL")
	expectAction(t, p.Items[0], "set store qty 10 -> 4")
	if p.Items[0].Store != "long 10 @ 100" || p.Items[0].Broker != "long 4 @ 100" {
		t.Fatalf("item = %+v", p.Items[0])
	}
}

func TestDiffSideMismatchNeedsAPerson(t *testing.T) {
	s, b := agreeing()
	b.Positions[0].Side = broker.PositionShort
	b.Open = nil // no exits either: nothing but the mismatch may be reported
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "side_mismatch:AAPL")
	if !p.Items[0].NeedsPerson || !p.HasClass(reconcile.ClassSideMismatch) {
		t.Fatalf("item = %+v", p.Items[0])
	}
}

func TestDiffMissingStopRecreatesExits(t *testing.T) {
	s, b := agreeing()
	b.Open = b.Open[:1] // the stop leg was canceled; the take-profit lives
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "missing_exits:AAPL")
	it := p.Items[0]
	if it.Broker != "take-profit only" {
		t.Fatalf("broker value %q", it.Broker)
	}
	expectAction(t, it, "cancel 1 partial exit order(s)", "place OCO sell 10 stop 98 target 104")

	b.Open = nil
	p = reconcile.Diff(s, b)
	expectClasses(t, p, "missing_exits:AAPL")
	if p.Items[0].Broker != "no live exit orders" || strings.Contains(p.Items[0].Action, "cancel") {
		t.Fatalf("item = %+v", p.Items[0])
	}
}

func TestDiffUnknownOrdersWithOurPrefixAreAdopted(t *testing.T) {
	s, b := agreeing()
	mine := order(ours("7"), "GOOGL", broker.Buy, broker.Limit, broker.StatusNew)
	notMine := order(theirs("7"), "GOOGL", broker.Buy, broker.Limit, broker.StatusNew)
	manual := order("manual-2", "GOOGL", broker.Buy, broker.Limit, broker.StatusNew)
	// A bracket of ours whose legs the journal never saw.
	root := order(ours("8"), "AMD", broker.Buy, broker.Market, broker.StatusFilled)
	leg := order("leg-of-8", "AMD", broker.Sell, broker.Stop, broker.StatusNew)
	root.Legs = []broker.Order{leg}
	b.Open = append(b.Open, mine, notMine, manual, leg)
	b.Recent = append(b.Recent, root)
	s.Orders = append(s.Orders, journalOf(root, "entry", ""))
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "unknown_order:GOOGL", "unknown_order:AMD")
	if p.Items[0].Order != ours("7") || p.Items[1].Order != "leg-of-8" {
		t.Fatalf("items = %+v", p.Items)
	}
}

func TestDiffIntentUnknownAtBrokerIsAbandoned(t *testing.T) {
	s, b := agreeing()
	intent := db.Order{SessionID: sid, ClientOrderID: ours("9"), Symbol: "MSFT", Side: "buy", Qty: d("3"),
		OrderType: "market", Status: db.OrderIntent, Purpose: "entry"}
	unasked := intent
	unasked.ClientOrderID = ours("10")
	s.Orders = append(s.Orders, intent, unasked)
	b.NotFound = map[string]bool{ours("9"): true}
	p := reconcile.Diff(s, b)
	// Only the definite 404 is abandoned; the intent nobody looked up stays.
	expectClasses(t, p, "unacknowledged_intent:MSFT")
	expectAction(t, p.Items[0], "mark abandoned (never resent)")
}

func TestDiffFilledIntentOpensThePositionInsteadOfAdopting(t *testing.T) {
	s, b := agreeing()
	entry := filledAt(order(ours("2"), "MSFT", broker.Buy, broker.Market, ""), "200", t0)
	entry.OrderClass = broker.Bracket
	legTP := order("tp2", "MSFT", broker.Sell, broker.Limit, broker.StatusNew)
	legSL := order("sl2", "MSFT", broker.Sell, broker.Stop, broker.StatusNew)
	entry.Legs = []broker.Order{legTP, legSL}
	s.Orders = append(s.Orders, db.Order{SessionID: sid, ClientOrderID: entry.ClientOrderID, Symbol: "MSFT",
		Side: "buy", Qty: d("10"), OrderType: "market", Status: db.OrderIntent, Purpose: "entry"})
	b.Lookups = map[string]broker.Order{entry.ClientOrderID: entry}
	b.Positions = append(b.Positions, held("MSFT", "long", "10", "200"))
	b.Open = append(b.Open, legTP, legSL)
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "order_status:MSFT", "unknown_order:MSFT", "unknown_order:MSFT")
	expectAction(t, p.Items[0], "record fill 10 @ 200, open the position")
}

func TestDiffFilledExitLegClosesThePosition(t *testing.T) {
	s, b := agreeing()
	b.Positions = nil
	tp := filledAt(order("leg-tp-AAPL", "AAPL", broker.Sell, broker.Limit, ""), "104", t0.Add(time.Hour))
	sl := order("leg-sl-AAPL", "AAPL", broker.Sell, broker.Stop, broker.StatusCanceled)
	root := b.Recent[0]
	root.Legs = []broker.Order{tp, sl}
	b.Recent, b.Open = []broker.Order{root}, nil
	p := reconcile.Diff(s, b)
	// The fill closes the position; no position_gone item repeats it.
	expectClasses(t, p, "order_status:AAPL", "order_status:AAPL")
	expectAction(t, p.Items[0], "record fill 10 @ 104, close the position (take_profit)")
	expectAction(t, p.Items[1], "journal status canceled")
}

func TestDiffCombinationIsOrderedByClass(t *testing.T) {
	s, b := agreeing()
	s.Positions = append(s.Positions, longPos(2, "MSFT", "10", "200"), longPos(3, "TSLA", "10", "300"))
	b.Positions = append(b.Positions, held("MSFT", "long", "6", "200"), held("NVDA", "long", "1", "50"))
	b.Open = b.Open[:1]
	s.Orders = append(s.Orders, db.Order{SessionID: sid, ClientOrderID: ours("5"), Symbol: "AMD", Side: "buy",
		Qty: d("1"), Status: db.OrderIntent, Purpose: "entry"})
	b.NotFound = map[string]bool{ours("5"): true}
	p := reconcile.Diff(s, b)
	expectClasses(t, p, "unacknowledged_intent:AMD", "position_gone:TSLA", "qty_mismatch:MSFT",
		"unknown_position:NVDA", "missing_exits:AAPL", "missing_exits:MSFT")
	sum := p.Summary()
	if sum[reconcile.ClassMissingExits] != 2 || sum[reconcile.ClassOrderStatus] != 0 || len(sum) != len(reconcile.Classes) {
		t.Fatalf("summary = %v", sum)
	}
}
