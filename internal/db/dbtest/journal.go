package dbtest

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

func journalTests() []suiteTest {
	return []suiteTest{
		{"Journal/InsertGetRoundTrip", testOrderRoundTrip},
		{"Journal/DuplicateClientOrderIDConflicts", testOrderDuplicate},
		{"Journal/NextOrderSeq", testNextOrderSeq},
		{"Journal/Update", testOrderUpdate},
		{"Journal/SessionOrdersOpenOnly", testSessionOrders},
		{"Journal/OtherSessionIDs", testOtherSessionIDs},
	}
}

func getOrder(t testing.TB, s db.Store, clientOrderID string) db.Order {
	t.Helper()
	o, err := s.GetOrder(t.Context(), clientOrderID)
	must(t, err, "get order "+clientOrderID)
	return o
}

func testOrderRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	submitted := BaseTime().Add(time.Second)
	want := order(sess.ID, "gmb-abc-000001", 1)
	want.LimitPrice, want.StopPrice = nullDec("151.5"), nullDec("149.25")
	want.SubmittedAt = &submitted
	id := insertOrder(t, s, want)
	if id <= 0 {
		t.Errorf("InsertOrder id = %d, want > 0", id)
	}
	leg := order(sess.ID, "gmb-abc-000001-tp", 2)
	leg.ParentClientOrderID, leg.OrderType, leg.OrderClass, leg.Side = want.ClientOrderID, "limit", "oco", "sell"
	leg.TakeProfitPrice, leg.StopLossPrice = decimal.NullDecimal{}, decimal.NullDecimal{}
	insertOrder(t, s, leg)

	got := getOrder(t, s, want.ClientOrderID)
	eq(t, "ID", got.ID, id)
	eqOrder(t, got, want)
	eqTimePtr(t, "SubmittedAt", got.SubmittedAt, submitted)
	if got.AcknowledgedAt != nil {
		t.Errorf("AcknowledgedAt = %v, want nil before the broker answered", got.AcknowledgedAt)
	}
	eq(t, "BrokerOrderID", got.BrokerOrderID, "")
	eqOrder(t, getOrder(t, s, leg.ClientOrderID), leg)

	_, err := s.GetOrder(t.Context(), "gmb-nope-000001")
	wantErrIs(t, err, db.ErrNotFound, "GetOrder of an unknown client order id")
}

func eqOrder(t testing.TB, got, want db.Order) {
	t.Helper()
	eq(t, "SessionID", got.SessionID, want.SessionID)
	eq(t, "ClientOrderID", got.ClientOrderID, want.ClientOrderID)
	eq(t, "Seq", got.Seq, want.Seq)
	eq(t, "ParentClientOrderID", got.ParentClientOrderID, want.ParentClientOrderID)
	eq(t, "Symbol", got.Symbol, want.Symbol)
	eq(t, "OrderType", got.OrderType, want.OrderType)
	eq(t, "OrderClass", got.OrderClass, want.OrderClass)
	eq(t, "Side", got.Side, want.Side)
	eqDec(t, "Qty", got.Qty, want.Qty)
	eqNullDec(t, "LimitPrice", got.LimitPrice, want.LimitPrice)
	eqNullDec(t, "StopPrice", got.StopPrice, want.StopPrice)
	eqNullDec(t, "TakeProfitPrice", got.TakeProfitPrice, want.TakeProfitPrice)
	eqNullDec(t, "StopLossPrice", got.StopLossPrice, want.StopLossPrice)
	eq(t, "Status", got.Status, want.Status)
	eqDec(t, "FilledQty", got.FilledQty, want.FilledQty)
	eqNullDec(t, "FilledAvgPrice", got.FilledAvgPrice, want.FilledAvgPrice)
	eq(t, "Purpose", got.Purpose, want.Purpose)
	eq(t, "RejectionReason", got.RejectionReason, want.RejectionReason)
	eqTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	eqTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func testOrderDuplicate(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	insertOrder(t, s, order(sess.ID, "gmb-dup-000001", 1))
	dup := order(sess.ID, "gmb-dup-000001", 2)
	dup.Symbol = "MSFT"
	_, err := s.InsertOrder(t.Context(), dup)
	wantErrIs(t, err, db.ErrConflict, "duplicate client_order_id in one session")
	// client_order_id is unique across the table, not per session.
	_, err = s.InsertOrder(t.Context(), order(other.ID, "gmb-dup-000001", 1))
	wantErrIs(t, err, db.ErrConflict, "duplicate client_order_id in another session")
	eq(t, "Symbol of the surviving order", getOrder(t, s, "gmb-dup-000001").Symbol, "AAPL")
}

func nextSeq(t testing.TB, s db.Store, sessionID string) int64 {
	t.Helper()
	n, err := s.NextOrderSeq(t.Context(), sessionID)
	must(t, err, "next order seq")
	return n
}

func testNextOrderSeq(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	eq(t, "NextOrderSeq of an empty journal", nextSeq(t, s, sess.ID), 1)
	insertOrder(t, s, order(sess.ID, "gmb-a-000001", 1))
	eq(t, "NextOrderSeq after seq 1", nextSeq(t, s, sess.ID), 2)
	insertOrder(t, s, order(sess.ID, "gmb-a-000007", 7))
	insertOrder(t, s, order(sess.ID, "gmb-a-000003", 3))
	eq(t, "NextOrderSeq after seqs 1, 7, 3", nextSeq(t, s, sess.ID), 8)
	eq(t, "NextOrderSeq of another session", nextSeq(t, s, other.ID), 1)
}

func testOrderUpdate(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	o := order(sess.ID, "gmb-u-000001", 1)
	insertOrder(t, s, o)
	ack := BaseTime().Add(2 * time.Second)
	must(t, s.UpdateOrder(t.Context(), db.OrderUpdate{
		ClientOrderID: o.ClientOrderID, BrokerOrderID: "b-123", Status: "accepted",
		FilledQty: dec("0"), AcknowledgedAt: &ack, UpdatedAt: ack,
	}), "acknowledge order")
	got := getOrder(t, s, o.ClientOrderID)
	eq(t, "BrokerOrderID", got.BrokerOrderID, "b-123")
	eq(t, "Status", got.Status, "accepted")
	eqTimePtr(t, "AcknowledgedAt", got.AcknowledgedAt, ack)
	eqTime(t, "UpdatedAt", got.UpdatedAt, ack)

	// Empty BrokerOrderID and RejectionReason leave the stored values.
	fillAt := ack.Add(time.Minute)
	must(t, s.UpdateOrder(t.Context(), db.OrderUpdate{
		ClientOrderID: o.ClientOrderID, Status: "partially_filled",
		FilledQty: dec("4"), FilledAvgPrice: nullDec("150.3"), AcknowledgedAt: &ack, UpdatedAt: fillAt,
	}), "partial fill")
	got = getOrder(t, s, o.ClientOrderID)
	eq(t, "BrokerOrderID after an update without one", got.BrokerOrderID, "b-123")
	eq(t, "Status", got.Status, "partially_filled")
	eqDec(t, "FilledQty", got.FilledQty, dec("4"))
	eqNullDec(t, "FilledAvgPrice", got.FilledAvgPrice, nullDec("150.3"))
	eqTime(t, "UpdatedAt", got.UpdatedAt, fillAt)
	eqTime(t, "CreatedAt", got.CreatedAt, o.CreatedAt)
	eq(t, "Seq", got.Seq, o.Seq)

	r := order(sess.ID, "gmb-u-000002", 2)
	insertOrder(t, s, r)
	must(t, s.UpdateOrder(t.Context(), db.OrderUpdate{
		ClientOrderID: r.ClientOrderID, Status: "rejected", FilledQty: dec("0"),
		RejectionReason: "insufficient buying power", UpdatedAt: fillAt,
	}), "reject order")
	must(t, s.UpdateOrder(t.Context(), db.OrderUpdate{
		ClientOrderID: r.ClientOrderID, Status: "rejected", FilledQty: dec("0"), UpdatedAt: fillAt.Add(time.Second),
	}), "update rejected order without reason")
	eq(t, "RejectionReason", getOrder(t, s, r.ClientOrderID).RejectionReason, "insufficient buying power")

	err := s.UpdateOrder(t.Context(), db.OrderUpdate{ClientOrderID: "gmb-nope-000001", Status: "new", UpdatedAt: ack})
	wantErrIs(t, err, db.ErrNotFound, "UpdateOrder of an unknown client order id")
}

func testSessionOrders(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	statuses := []string{
		db.OrderIntent, "filled", "new", "canceled", "accepted", "expired", "rejected",
		db.OrderAbandoned, "partially_filled", "replaced", "done_for_day", "pending_new",
	}
	var all, open []string
	for i, st := range statuses {
		o := order(sess.ID, "gmb-s-"+st, int64(i+1))
		o.CreatedAt = BaseTime().Add(time.Duration(i) * time.Second)
		insertOrder(t, s, o)
		if st != db.OrderIntent {
			must(t, s.UpdateOrder(t.Context(), db.OrderUpdate{
				ClientOrderID: o.ClientOrderID, BrokerOrderID: "b-" + st, Status: st,
				FilledQty: dec("0"), UpdatedAt: o.CreatedAt,
			}), "set status "+st)
		}
		all = append(all, o.ClientOrderID)
		if !orders.Status(st).Terminal() {
			open = append(open, o.ClientOrderID)
		}
	}
	insertOrder(t, s, order(other.ID, "gmb-other-000001", 1))

	ids := func(openOnly bool) []string {
		t.Helper()
		os, err := s.SessionOrders(t.Context(), sess.ID, openOnly)
		must(t, err, "session orders")
		var got []string
		for _, o := range os {
			got = append(got, o.ClientOrderID)
		}
		return got
	}
	eqSlice(t, "SessionOrders(all), oldest first", ids(false), all)
	eqSlice(t, "SessionOrders(openOnly)", ids(true), open)
}

func testOtherSessionIDs(t *testing.T, h Harness) {
	s := h.New(t)
	a := SeedSession(t, s)
	b := SeedSession(t, s, startedAt(BaseTime().Add(time.Hour)))
	c := SeedSession(t, s, withStatus(db.StatusCompleted))
	got, err := s.OtherSessionIDs(t.Context(), a.ID)
	must(t, err, "other session ids")
	want := []string{b.ID, c.ID}
	slices.Sort(got)
	slices.Sort(want)
	eqSlice(t, "OtherSessionIDs", got, want)
}
