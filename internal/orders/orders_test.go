package orders_test

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/migrations"
)

const sid = "11111111-2222-3333-4444-555555555555"

var t0 = time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal      { return decimal.RequireFromString(s) }
func nd(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }

func TestEntryIDRoundTripsAndFits(t *testing.T) {
	bar := time.Date(2084, 12, 1, 20, 55, 0, 0, time.UTC) // five base-36 digits of minutes last until 2084-12-18
	for _, sym := range []string{"A", "AAPL", "GOOGL", "BRK.B", "ABCDE.XY"} {
		id := orders.EntryID(sid, sym, bar)
		if len(id) > orders.MaxClientOrderIDLen {
			t.Errorf("EntryID(%s) = %q: %d characters, more than %d", sym, id, len(id), orders.MaxClientOrderIDLen)
		}
		gotSym, gotBar, ok := orders.EntryBar(sid, id)
		if !ok || gotSym != sym || !gotBar.Equal(bar) {
			t.Errorf("EntryBar(%q) = %s %s %v, want %s %s", id, gotSym, gotBar, ok, sym, bar)
		}
		if orders.IsRepairID(sid, id) || orders.SeqOf(sid, id) != 0 {
			t.Errorf("entry id %q taken for a repair or sequence id", id)
		}
	}
	if a, b := orders.EntryID(sid, "AAPL", t0), orders.EntryID(sid, "AAPL", t0.Add(time.Minute)); a == b {
		t.Errorf("two bars share the id %q", a)
	}
	for _, other := range []string{orders.SeqID(sid, 7), orders.RepairID(sid, 12, 3), "unrelated"} {
		if _, _, ok := orders.EntryBar(sid, other); ok {
			t.Errorf("EntryBar accepted %q", other)
		}
	}
	if got := orders.SeqOf(sid, orders.SeqID(sid, 42)); got != 42 {
		t.Errorf("SeqOf(SeqID(42)) = %d", got)
	}
	if !orders.IsRepairID(sid, orders.RepairID(sid, 5, 1)) {
		t.Error("IsRepairID(RepairID) = false")
	}
}

func TestTerminal(t *testing.T) {
	for _, s := range orders.TerminalStatuses() {
		if !s.Terminal() || s.Live() {
			t.Errorf("%s: Terminal %v Live %v", s, s.Terminal(), s.Live())
		}
	}
	for _, s := range []orders.Status{orders.Intent, orders.New, orders.Accepted, orders.Held, orders.PartiallyFilled, "pending_new"} {
		if s.Terminal() || !s.Live() {
			t.Errorf("%s: Terminal %v Live %v", s, s.Terminal(), s.Live())
		}
	}
	if orders.PendingCancel.Live() {
		t.Error("pending_cancel is live")
	}
}

// TestMigrationsListTheTerminalStatuses holds the partial index predicate of
// both dialects (which must be plain SQL for the planners to match it) to
// the Go list.
func TestMigrationsListTheTerminalStatuses(t *testing.T) {
	want := []string{}
	for _, s := range orders.TerminalStatuses() {
		want = append(want, string(s))
	}
	slices.Sort(want)
	found := 0
	err := fs.WalkDir(migrations.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		text, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		for _, m := range regexp.MustCompile(`status NOT IN \(([^)]*)\)`).FindAllStringSubmatch(string(text), -1) {
			found++
			var got []string
			for _, q := range strings.Split(m[1], ",") {
				got = append(got, strings.Trim(strings.TrimSpace(q), "'"))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s lists terminal statuses %v, orders.TerminalStatuses() %v", path, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 2 {
		t.Fatalf("found %d terminal-status lists in the migrations, want one per dialect at least", found)
	}
}

func TestRejection(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		definite bool
	}{
		{"422", &broker.APIError{Status: 422, Message: "stop_loss.stop_price must be below base price"}, true},
		{"403 wrapped", errors.Join(errors.New("place"), &broker.APIError{Status: 403, Message: "insufficient buying power"}), true},
		{"429", &broker.APIError{Status: 429, Message: "rate limit"}, false},
		{"500", &broker.APIError{Status: 500, Message: "boom"}, false},
		{"transport", errors.New("connection reset"), false},
		{"4xx after an ambiguous attempt", errors.Join(broker.ErrOrderStateUnknown, &broker.APIError{Status: 422, Message: "x"}), false},
	}
	for _, c := range cases {
		reason, definite := orders.Rejection(c.err)
		if definite != c.definite || (definite && reason == "") {
			t.Errorf("%s: Rejection = %q, %v; want definite %v", c.name, reason, definite, c.definite)
		}
	}
}

func TestCloseAt(t *testing.T) {
	long := db.Position{ID: 1, EntryTime: t0, EntryPrice: d("100"), Qty: d("10"), Side: "buy"}
	c := orders.CloseAt(long, t0.Add(90*time.Second), nd("104"), orders.ReasonTakeProfit)
	if !c.PnL.Decimal.Equal(d("40")) || !c.PnLPct.Decimal.Equal(d("4")) || !c.DurationMinutes.Decimal.Equal(d("1.5")) {
		t.Errorf("long close: %+v", c)
	}
	short := long
	short.Side = "sell"
	if c := orders.CloseAt(short, t0, nd("104"), orders.ReasonStopLoss); !c.PnL.Decimal.Equal(d("-40")) {
		t.Errorf("short close pnl %s, want -40", c.PnL.Decimal)
	}
	if c := orders.CloseAt(long, t0, decimal.NullDecimal{}, orders.ReasonClosedAtBroker); c.PnL.Valid || c.PnLPct.Valid {
		t.Errorf("close without a price made up a P&L: %+v", c)
	}
}

// brokerOrder is an order as the broker reports it.
func brokerOrder(cid, sym string, side broker.Side, typ broker.OrderType, status string) broker.Order {
	return broker.Order{ID: "b-" + cid, ClientOrderID: cid, Symbol: sym, Side: side, Type: typ, Qty: d("10"),
		FilledQty: decimal.Zero, Status: status}
}

func filled(o broker.Order, price string, at time.Time) broker.Order {
	o.Status, o.FilledQty, o.FilledAvgPrice, o.FilledAt = "filled", o.Qty, nd(price), at
	return o
}

func row(o broker.Order, purpose, parent, status string) db.Order {
	return db.Order{SessionID: sid, ClientOrderID: o.ClientOrderID, Symbol: o.Symbol, Side: string(o.Side),
		OrderType: string(o.Type), Qty: o.Qty, Status: status, FilledQty: decimal.Zero, Purpose: purpose,
		ParentClientOrderID: parent, StopLossPrice: nd("98"), TakeProfitPrice: nd("104")}
}

func position(id int64, sym, side, entryCID string) db.Position {
	return db.Position{ID: id, SessionID: sid, Symbol: sym, Side: side, Qty: d("10"), EntryPrice: d("100"),
		EntryTime: t0, Status: db.PositionActive, EntryClientOrderID: entryCID}
}

func TestResolve(t *testing.T) {
	entryCID := orders.EntryID(sid, "AAPL", t0)
	entry := brokerOrder(entryCID, "AAPL", broker.Buy, broker.Market, "new")
	tp := brokerOrder("leg-tp", "AAPL", broker.Sell, broker.Limit, "new")
	sl := brokerOrder("leg-sl", "AAPL", broker.Sell, broker.Stop, "new")
	held := position(7, "AAPL", "buy", entryCID)
	otherHeld := position(8, "AAPL", "buy", "someone-else")
	at := t0.Add(5 * time.Minute)
	cases := []struct {
		name      string
		j         db.Order
		positions []db.Position
		bo        broker.Order
		kind      orders.Kind
		closes    int64
		reason    string
	}{
		{"journal agrees", func() db.Order { r := row(entry, "entry", "", "new"); r.BrokerOrderID = entry.ID; return r }(), nil, entry, orders.Nothing, 0, ""},
		{"intent acknowledged", row(entry, "entry", "", "intent"), nil, entry, orders.StatusOnly, 0, ""},
		{"entry filled opens", row(entry, "entry", "", "new"), nil, filled(entry, "100.5", at), orders.FillOpen, 0, ""},
		// The case the trader and reconcile used to disagree on: the entry
		// fills while the symbol is already held; the fill is recorded,
		// the position left alone.
		{"entry filled while held", row(entry, "entry", "", "new"), []db.Position{otherHeld}, filled(entry, "100.5", at), orders.FillOnly, 0, ""},
		{"take-profit closes its entry's position", row(tp, "exit", entryCID, "new"), []db.Position{otherHeld, held}, filled(tp, "104", at), orders.FillClose, 7, orders.ReasonTakeProfit},
		{"stop closes the symbol's position", row(sl, "exit", "gone-entry", "held"), []db.Position{held}, filled(sl, "98", at), orders.FillClose, 7, orders.ReasonStopLoss},
		{"exit fill with nothing held", row(sl, "exit", entryCID, "new"), nil, filled(sl, "98", at), orders.FillOnly, 0, ""},
		{"exit on the same side closes nothing", row(tp, "exit", entryCID, "new"), []db.Position{position(9, "AAPL", "sell", entryCID)}, filled(tp, "104", at), orders.FillOnly, 0, ""},
		{"leg canceled", row(tp, "exit", entryCID, "new"), []db.Position{held}, func() broker.Order { o := tp; o.Status = "canceled"; return o }(), orders.StatusOnly, 0, ""},
		{"canceled after a partial fill", row(entry, "entry", "", "new"), nil, func() broker.Order {
			o := filled(entry, "100", at)
			o.Status, o.FilledQty = "canceled", d("4")
			return o
		}(), orders.FillOpen, 0, ""},
		{"partially filled waits", row(entry, "entry", "", "new"), nil, func() broker.Order {
			o := filled(entry, "100", at)
			o.Status, o.FilledQty = "partially_filled", d("4")
			return o
		}(), orders.StatusOnly, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := orders.Resolve(sid, c.j, c.positions, c.bo, t0)
			if ch.Kind != c.kind {
				t.Fatalf("kind %s, want %s", ch.Kind, c.kind)
			}
			if ch.Kind == orders.Nothing {
				return
			}
			if ch.Update.ClientOrderID != c.j.ClientOrderID || ch.Update.Status != c.bo.Status || ch.Update.BrokerOrderID != c.bo.ID {
				t.Errorf("update %+v", ch.Update)
			}
			switch ch.Kind {
			case orders.FillOpen:
				p := ch.Effect.Open
				if p.Symbol != "AAPL" || !p.Qty.Equal(c.bo.FilledQty) || !p.EntryPrice.Equal(c.bo.FilledAvgPrice.Decimal) ||
					p.EntryClientOrderID != c.j.ClientOrderID || !p.StopLoss.Decimal.Equal(d("98")) || !p.EntryTime.Equal(at) {
					t.Errorf("opened %+v", p)
				}
			case orders.FillClose:
				if ch.Position.ID != c.closes || ch.Effect.Close.PositionID != c.closes || ch.Effect.Close.ExitReason != c.reason {
					t.Errorf("closes %d (%s), want %d (%s)", ch.Effect.Close.PositionID, ch.Effect.Close.ExitReason, c.closes, c.reason)
				}
			}
			if ch.Kind != orders.StatusOnly && (ch.Effect.Fill.FillID != c.bo.ID+":"+c.bo.FilledQty.String() || *ch.Effect.Order != ch.Update) {
				t.Errorf("fill %+v", ch.Effect.Fill)
			}
		})
	}
}

func TestChangeAfter(t *testing.T) {
	entry := filled(brokerOrder("e", "MSFT", broker.Buy, broker.Market, "new"), "50", t0)
	held := []db.Position{position(1, "AAPL", "buy", "x")}
	opened := orders.Resolve(sid, row(entry, "entry", "", "new"), held, entry, t0)
	after := opened.After(held)
	if len(after) != 2 || len(held) != 1 {
		t.Fatalf("after an open: %d positions (input now %d)", len(after), len(held))
	}
	// A second entry fill in the same symbol, in the same pass, does not
	// open a second position.
	again := orders.Resolve(sid, row(entry, "entry", "", "new"), after, entry, t0)
	if again.Kind != orders.FillOnly {
		t.Errorf("second entry fill in one pass: %s", again.Kind)
	}
	tp := filled(brokerOrder("tp", "AAPL", broker.Sell, broker.Limit, "new"), "104", t0)
	closed := orders.Resolve(sid, row(tp, "exit", "x", "new"), held, tp, t0)
	if got := closed.After(held); len(got) != 0 {
		t.Errorf("after a close: %v", got)
	}
}

func TestRowOf(t *testing.T) {
	f := filled(brokerOrder("leg", "AAPL", broker.Sell, broker.Stop, "new"), "98", t0)
	r := orders.RowOf(sid, f, "root", orders.PurposeExit, t0)
	if r.Status != "new" || !r.FilledQty.IsZero() || r.FilledAvgPrice.Valid || r.ParentClientOrderID != "root" {
		t.Errorf("a filled order's first row %+v: want new, nothing filled", r)
	}
	if ch := orders.Resolve(sid, r, []db.Position{position(3, "AAPL", "buy", "root")}, f, t0); ch.Kind != orders.FillClose {
		t.Errorf("the first row of a filled leg resolves to %s", ch.Kind)
	}
	live := brokerOrder("leg2", "AAPL", broker.Sell, broker.Limit, "held")
	if r := orders.RowOf(sid, live, "root", orders.PurposeExit, t0); r.Status != "held" {
		t.Errorf("a live order's first row has status %s", r.Status)
	}
}

// fakeWriter records what Record writes and answers ApplyFill as scripted.
type fakeWriter struct {
	fills   []db.FillEffect
	updates []db.OrderUpdate
	apply   func(db.FillEffect) (bool, error)
}

func (w *fakeWriter) UpdateOrder(_ context.Context, u db.OrderUpdate) error {
	w.updates = append(w.updates, u)
	return nil
}

func (w *fakeWriter) ApplyFill(_ context.Context, e db.FillEffect) (bool, error) {
	w.fills = append(w.fills, e)
	return w.apply(e)
}

func TestRecordKeepsTheFillWhenTheOpenConflicts(t *testing.T) {
	entry := filled(brokerOrder("e", "AAPL", broker.Buy, broker.Market, "new"), "100", t0)
	c := orders.Resolve(sid, row(entry, "entry", "", "new"), nil, entry, t0)
	w := &fakeWriter{apply: func(e db.FillEffect) (bool, error) {
		if e.Open != nil {
			return false, db.ErrConflict // a position was adopted meanwhile
		}
		return true, nil
	}}
	rec, err := orders.Record(context.Background(), w, c)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind != orders.FillOnly || !rec.Applied || len(w.fills) != 2 || w.fills[1].Open != nil || w.fills[1].Order == nil {
		t.Fatalf("record %+v, fills %+v: want the fill and the order applied without the position", rec, w.fills)
	}
}

func TestRecordFillSeenBefore(t *testing.T) {
	tp := filled(brokerOrder("tp", "AAPL", broker.Sell, broker.Limit, "new"), "104", t0)
	c := orders.Resolve(sid, row(tp, "exit", "x", "new"), []db.Position{position(1, "AAPL", "buy", "x")}, tp, t0)
	w := &fakeWriter{apply: func(db.FillEffect) (bool, error) { return false, nil }}
	rec, err := orders.Record(context.Background(), w, c)
	if err != nil || rec.Applied || len(w.updates) != 1 || w.updates[0].Status != "filled" {
		t.Fatalf("record %+v %v, updates %+v: a fill seen before updates the journal row only", rec, err, w.updates)
	}
	w = &fakeWriter{apply: func(db.FillEffect) (bool, error) { return false, errors.New("disk on fire") }}
	if _, err := orders.Record(context.Background(), w, c); err == nil {
		t.Fatal("a failed fill write was not reported")
	}
}
