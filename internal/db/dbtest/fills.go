package dbtest

import (
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func fillTests() []suiteTest {
	return []suiteTest{
		{"Fill/EntryAppliedExactlyOnce", testFillExactlyOnce},
		{"Fill/ExitClosesPosition", testFillClose},
		{"Fill/FailedEffectLeavesNoTrace", testFillAtomic},
		{"Fill/EveryFailedEffectRollsBack", testFillEveryEffectRollsBack},
	}
}

func fill(sessionID, fillID, clientOrderID, side string, at time.Time) db.Fill {
	return db.Fill{
		FillID: fillID, SessionID: sessionID, ClientOrderID: clientOrderID, BrokerOrderID: "b-" + clientOrderID,
		Symbol: "AAPL", Side: side, Qty: dec("10"), Price: dec("150.3"), FilledAt: at,
	}
}

func fills(t testing.TB, s db.Store, sessionID string) []db.Fill {
	t.Helper()
	fs, err := s.Fills(t.Context(), sessionID)
	must(t, err, "fills")
	return fs
}

// entryEffect is an entry fill that fills the journal order and opens AAPL.
func entryEffect(sessionID, fillID, clientOrderID string, at time.Time) db.FillEffect {
	p := position(sessionID, "AAPL", at.Sub(BaseTime()))
	p.EntryPrice, p.EntryClientOrderID, p.OrderID = dec("150.3"), clientOrderID, "b-"+clientOrderID
	return db.FillEffect{
		Fill: fill(sessionID, fillID, clientOrderID, "buy", at),
		Order: &db.OrderUpdate{
			ClientOrderID: clientOrderID, Status: "filled", FilledQty: dec("10"),
			FilledAvgPrice: nullDec("150.3"), UpdatedAt: at,
		},
		Open: &p,
	}
}

func applyFill(t testing.TB, s db.Store, e db.FillEffect) bool {
	t.Helper()
	applied, err := s.ApplyFill(t.Context(), e)
	must(t, err, "apply fill "+e.Fill.FillID)
	return applied
}

func testFillExactlyOnce(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	insertOrder(t, s, order(sess.ID, "gmb-f-000001", 1))
	at := BaseTime().Add(time.Minute)
	e := entryEffect(sess.ID, "exec-1", "gmb-f-000001", at)
	if !applyFill(t, s, e) {
		t.Fatal("first ApplyFill reported applied=false")
	}
	got := fills(t, s, sess.ID)
	if len(got) != 1 {
		t.Fatalf("Fills returned %d rows after one fill, want 1", len(got))
	}
	f := got[0]
	eq(t, "FillID", f.FillID, "exec-1")
	eq(t, "SessionID", f.SessionID, sess.ID)
	eq(t, "ClientOrderID", f.ClientOrderID, "gmb-f-000001")
	eq(t, "BrokerOrderID", f.BrokerOrderID, "b-gmb-f-000001")
	eq(t, "Symbol", f.Symbol, "AAPL")
	eq(t, "Side", f.Side, "buy")
	eqDec(t, "Qty", f.Qty, dec("10"))
	eqDec(t, "Price", f.Price, dec("150.3"))
	eqTime(t, "FilledAt", f.FilledAt, at)
	eq(t, "fills of another session", len(fills(t, s, SeedSession(t, s).ID)), 0)

	o := getOrder(t, s, "gmb-f-000001")
	eq(t, "order Status", o.Status, "filled")
	eqDec(t, "order FilledQty", o.FilledQty, dec("10"))
	active := activePositions(t, s, sess.ID)
	if len(active) != 1 {
		t.Fatalf("ActivePositions returned %d after the entry fill, want 1", len(active))
	}
	eqPosition(t, active[0], *e.Open)

	// The same execution again, as after a crash between apply and ack,
	// even with different effects: nothing may change.
	again := e
	again.Order = &db.OrderUpdate{ClientOrderID: "gmb-f-000001", Status: "canceled", FilledQty: dec("0"), UpdatedAt: at}
	again.Open = nil
	again.Close = &db.PositionClose{PositionID: active[0].ID, ExitTime: at, ExitReason: "bogus"}
	if applyFill(t, s, again) {
		t.Error("second ApplyFill of the same FillID reported applied=true")
	}
	eq(t, "fills after a repeated FillID", len(fills(t, s, sess.ID)), 1)
	eq(t, "order Status after a repeated FillID", getOrder(t, s, "gmb-f-000001").Status, "filled")
	eqSlice(t, "active positions after a repeated FillID", positionIDs(activePositions(t, s, sess.ID)), []int64{active[0].ID})
}

func testFillClose(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	id := openPosition(t, s, position(sess.ID, "AAPL", 0))
	insertOrder(t, s, order(sess.ID, "gmb-x-000002", 2))
	at := BaseTime().Add(30 * time.Minute)
	applied := applyFill(t, s, db.FillEffect{
		Fill:  fill(sess.ID, "exec-exit", "gmb-x-000002", "sell", at),
		Order: &db.OrderUpdate{ClientOrderID: "gmb-x-000002", Status: "filled", FilledQty: dec("10"), FilledAvgPrice: nullDec("155"), UpdatedAt: at},
		Close: &db.PositionClose{PositionID: id, ExitTime: at, ExitPrice: nullDec("155"), ExitReason: "take_profit", PnL: nullDec("47.5")},
	})
	if !applied {
		t.Fatal("exit ApplyFill reported applied=false")
	}
	if n := len(activePositions(t, s, sess.ID)); n != 0 {
		t.Errorf("ActivePositions after the exit fill = %d, want 0", n)
	}
	p := allPositions(t, s, sess.ID)[0]
	eq(t, "Status", p.Status, db.PositionClosed)
	eqNullDec(t, "ExitPrice", p.ExitPrice, nullDec("155"))
	eqTimePtr(t, "ExitTime", p.ExitTime, at)
	eq(t, "order Status", getOrder(t, s, "gmb-x-000002").Status, "filled")
}

func testFillAtomic(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	blocker := openPosition(t, s, position(sess.ID, "AAPL", 0))
	insertOrder(t, s, order(sess.ID, "gmb-r-000001", 1))
	at := BaseTime().Add(time.Minute)
	e := entryEffect(sess.ID, "exec-retry", "gmb-r-000001", at)

	applied, err := s.ApplyFill(t.Context(), e)
	if err == nil {
		t.Fatalf("ApplyFill whose Open conflicts with an active position succeeded (applied=%v)", applied)
	}
	wantErrIs(t, err, db.ErrConflict, "ApplyFill opening a second active AAPL")
	if applied {
		t.Error("failed ApplyFill reported applied=true")
	}
	eq(t, "fills after a failed ApplyFill", len(fills(t, s, sess.ID)), 0)
	eq(t, "order Status after a failed ApplyFill", getOrder(t, s, "gmb-r-000001").Status, db.OrderIntent)
	eqSlice(t, "active positions after a failed ApplyFill", positionIDs(activePositions(t, s, sess.ID)), []int64{blocker})

	// With the conflict gone, the same fill applies: no fill row was left
	// behind to make it look applied.
	closePosition(t, s, blocker, at)
	if !applyFill(t, s, e) {
		t.Fatal("retried ApplyFill reported applied=false")
	}
	eq(t, "fills after the retry", len(fills(t, s, sess.ID)), 1)
	eq(t, "order Status after the retry", getOrder(t, s, "gmb-r-000001").Status, "filled")
	eq(t, "active positions after the retry", len(activePositions(t, s, sess.ID)), 1)
}

// Whichever effect fails, the fill row and the effects before it are
// rolled back with it: a failed update of an unknown order, a close of a
// position closed already.
func testFillEveryEffectRollsBack(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	closed := openPosition(t, s, position(sess.ID, "MSFT", 0))
	closePosition(t, s, closed, BaseTime().Add(time.Minute))
	insertOrder(t, s, order(sess.ID, "gmb-e-000001", 1))
	at := BaseTime().Add(2 * time.Minute)

	unknownOrder := entryEffect(sess.ID, "exec-a", "gmb-e-000001", at)
	unknownOrder.Order.ClientOrderID = "gmb-missing"
	_, err := s.ApplyFill(t.Context(), unknownOrder)
	wantErrIs(t, err, db.ErrNotFound, "ApplyFill updating an unknown order")

	closeClosed := entryEffect(sess.ID, "exec-b", "gmb-e-000001", at)
	closeClosed.Close = &db.PositionClose{PositionID: closed, ExitTime: at, ExitReason: "again"}
	_, err = s.ApplyFill(t.Context(), closeClosed)
	wantErrIs(t, err, db.ErrConflict, "ApplyFill closing a closed position")

	eq(t, "fills after the failed ApplyFills", len(fills(t, s, sess.ID)), 0)
	eq(t, "order Status after the failed ApplyFills", getOrder(t, s, "gmb-e-000001").Status, db.OrderIntent)
	eq(t, "active positions after the failed ApplyFills", len(activePositions(t, s, sess.ID)), 0)
	eq(t, "ExitReason of the closed position", allPositions(t, s, sess.ID)[0].ExitReason, "take_profit")

	// A fill with no effects applies once: nothing of the failed ones was
	// left behind under its id.
	bare := db.FillEffect{Fill: closeClosed.Fill}
	if !applyFill(t, s, bare) {
		t.Fatal("ApplyFill of the rolled-back fill id reported applied=false")
	}
	if applyFill(t, s, bare) {
		t.Error("second ApplyFill of the same fill id reported applied=true")
	}
	eq(t, "fills after the bare fill", len(fills(t, s, sess.ID)), 1)
}
