package dbtest

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

func positionTests() []suiteTest {
	return []suiteTest{
		{"Position/OpenRoundTrip", testPositionRoundTrip},
		{"Position/OneActivePerSymbol", testPositionOneActive},
		{"Position/CloseAndReopen", testPositionCloseReopen},
		{"Position/SetQtyAndRepairCount", testPositionQtyRepair},
		{"Position/ClosedIsConflictUnknownIsNotFound", testPositionClosedConflict},
		{"Position/ActiveOldestFirst", testPositionActiveOrder},
	}
}

func eqPosition(t testing.TB, got, want db.Position) {
	t.Helper()
	eq(t, "SessionID", got.SessionID, want.SessionID)
	eq(t, "Symbol", got.Symbol, want.Symbol)
	eqTime(t, "EntryTime", got.EntryTime, want.EntryTime)
	eqDec(t, "EntryPrice", got.EntryPrice, want.EntryPrice)
	eqDec(t, "Qty", got.Qty, want.Qty)
	eq(t, "Direction", got.Direction, want.Direction)
	eq(t, "Side", got.Side, want.Side)
	eqNullDec(t, "StopLoss", got.StopLoss, want.StopLoss)
	eqNullDec(t, "TakeProfit", got.TakeProfit, want.TakeProfit)
	eq(t, "OrderID", got.OrderID, want.OrderID)
	eq(t, "Status", got.Status, want.Status)
	eq(t, "EntryClientOrderID", got.EntryClientOrderID, want.EntryClientOrderID)
	eq(t, "RepairCount", got.RepairCount, want.RepairCount)
}

func positionIDs(ps []db.Position) []int64 {
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func activePositions(t testing.TB, s db.Store, sessionID string) []db.Position {
	t.Helper()
	ps, err := s.ActivePositions(t.Context(), sessionID)
	must(t, err, "active positions")
	return ps
}

func allPositions(t testing.TB, s db.Store, sessionID string) []db.Position {
	t.Helper()
	ps, err := s.Positions(t.Context(), sessionID)
	must(t, err, "positions")
	return ps
}

func testPositionRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	long := position(sess.ID, "AAPL", 0)
	short := position(sess.ID, "TSLA", time.Minute)
	short.Direction, short.Side, short.Qty = db.DirectionDown, "sell", dec("3.5")
	short.StopLoss, short.TakeProfit = nullDec("250.125"), nullDec("230")
	// A position the replaced system wrote has no broker order id or stops.
	bare := position(sess.ID, "MSFT", 2*time.Minute)
	bare.OrderID, bare.EntryClientOrderID = "", ""
	bare.StopLoss, bare.TakeProfit = decimal.NullDecimal{}, decimal.NullDecimal{}

	var ids []int64
	for _, p := range []db.Position{long, short, bare} {
		ids = append(ids, openPosition(t, s, p))
	}
	got := activePositions(t, s, sess.ID)
	if len(got) != 3 {
		t.Fatalf("ActivePositions returned %d positions, want 3", len(got))
	}
	byID := map[int64]db.Position{}
	for _, p := range got {
		byID[p.ID] = p
	}
	for i, want := range []db.Position{long, short, bare} {
		p, ok := byID[ids[i]]
		if !ok {
			t.Fatalf("ActivePositions misses position %d (%s)", ids[i], want.Symbol)
		}
		eqPosition(t, p, want)
		if p.ExitTime != nil || p.ExitPrice.Valid || p.PnL.Valid {
			t.Errorf("%s: active position has exit data %v %v %v", want.Symbol, p.ExitTime, p.ExitPrice, p.PnL)
		}
	}
	eqSlice(t, "Positions ids (oldest first)", positionIDs(allPositions(t, s, sess.ID)), ids)

	other := SeedSession(t, s)
	if n := len(activePositions(t, s, other.ID)); n != 0 {
		t.Errorf("ActivePositions of another session returned %d positions, want 0", n)
	}
}

func testPositionOneActive(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	first := openPosition(t, s, position(sess.ID, "AAPL", 0))
	_, err := s.OpenPosition(t.Context(), position(sess.ID, "AAPL", time.Minute))
	wantErrIs(t, err, db.ErrConflict, "second active AAPL position in one session")
	eqSlice(t, "active positions after conflict", positionIDs(activePositions(t, s, sess.ID)), []int64{first})

	// Other symbols and other sessions are not affected by the rule.
	openPosition(t, s, position(sess.ID, "MSFT", time.Minute))
	openPosition(t, s, position(other.ID, "AAPL", time.Minute))
}

func testPositionCloseReopen(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	id := openPosition(t, s, position(sess.ID, "AAPL", 0))
	keep := openPosition(t, s, position(sess.ID, "MSFT", time.Minute))
	exit := BaseTime().Add(15 * time.Minute)
	closePosition(t, s, id, exit)

	eqSlice(t, "active after close", positionIDs(activePositions(t, s, sess.ID)), []int64{keep})
	all := allPositions(t, s, sess.ID)
	eqSlice(t, "all after close", positionIDs(all), []int64{id, keep})
	c := all[0]
	eq(t, "Status", c.Status, db.PositionClosed)
	eqTimePtr(t, "ExitTime", c.ExitTime, exit)
	eqNullDec(t, "ExitPrice", c.ExitPrice, nullDec("155"))
	eq(t, "ExitReason", c.ExitReason, "take_profit")
	eqNullDec(t, "PnL", c.PnL, nullDec("47.5"))
	eqNullDec(t, "PnLPct", c.PnLPct, nullDec("3.16"))
	eqNullDec(t, "DurationMinutes", c.DurationMinutes, nullDec("12.5"))
	eqDec(t, "Qty after close", c.Qty, dec("10"))

	again := openPosition(t, s, position(sess.ID, "AAPL", 20*time.Minute))
	if again == id {
		t.Errorf("reopened position reused id %d", id)
	}
	eqSlice(t, "all after reopen", positionIDs(allPositions(t, s, sess.ID)), []int64{id, keep, again})

	// A close without a broker fill price stores a null exit price.
	err := s.ClosePosition(t.Context(), db.PositionClose{PositionID: again, ExitTime: exit.Add(time.Hour), ExitReason: "reconcile"})
	must(t, err, "close without exit price")
	all = allPositions(t, s, sess.ID)
	eqNullDec(t, "ExitPrice of a close without price", all[2].ExitPrice, decimal.NullDecimal{})
	eq(t, "ExitReason", all[2].ExitReason, "reconcile")

	err = s.ClosePosition(t.Context(), db.PositionClose{PositionID: 999999, ExitTime: exit, ExitReason: "x"})
	wantErrIs(t, err, db.ErrNotFound, "ClosePosition of an unknown id")
}

func testPositionQtyRepair(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	id := openPosition(t, s, position(sess.ID, "AAPL", 0))
	must(t, s.SetPositionQty(t.Context(), id, dec("7.25"), BaseTime().Add(time.Minute)), "set qty")
	for want := 1; want <= 2; want++ {
		n, err := s.IncrementRepairCount(t.Context(), id)
		must(t, err, "increment repair count")
		eq(t, "IncrementRepairCount result", n, want)
	}
	p := activePositions(t, s, sess.ID)
	if len(p) != 1 {
		t.Fatalf("ActivePositions returned %d positions, want 1", len(p))
	}
	eqDec(t, "Qty after SetPositionQty", p[0].Qty, dec("7.25"))
	eq(t, "RepairCount", p[0].RepairCount, 2)
	eqDec(t, "EntryPrice after SetPositionQty", p[0].EntryPrice, dec("150.25"))

	wantErrIs(t, s.SetPositionQty(t.Context(), 999999, dec("1"), BaseTime()), db.ErrNotFound,
		"SetPositionQty of an unknown id")
	_, err := s.IncrementRepairCount(t.Context(), 999999)
	wantErrIs(t, err, db.ErrNotFound, "IncrementRepairCount of an unknown id")
}

// A write to a position that is no longer active is a conflict (the
// caller's view is stale), not a missing row; and it changes nothing.
func testPositionClosedConflict(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	id := openPosition(t, s, position(sess.ID, "AAPL", 0))
	exit := BaseTime().Add(15 * time.Minute)
	closePosition(t, s, id, exit)

	err := s.ClosePosition(t.Context(), db.PositionClose{PositionID: id, ExitTime: exit.Add(time.Hour),
		ExitPrice: nullDec("1"), ExitReason: "again"})
	wantErrIs(t, err, db.ErrConflict, "ClosePosition of a closed position")
	if errors.Is(err, db.ErrNotFound) {
		t.Errorf("ClosePosition of a closed position: %v also wraps ErrNotFound", err)
	}
	wantErrIs(t, s.SetPositionQty(t.Context(), id, dec("3"), exit), db.ErrConflict,
		"SetPositionQty of a closed position")

	p := allPositions(t, s, sess.ID)[0]
	eqTimePtr(t, "ExitTime after the refused close", p.ExitTime, exit)
	eq(t, "ExitReason after the refused close", p.ExitReason, "take_profit")
	eqNullDec(t, "ExitPrice after the refused close", p.ExitPrice, nullDec("155"))
	eqDec(t, "Qty after the refused SetPositionQty", p.Qty, dec("10"))

	err = s.ClosePosition(t.Context(), db.PositionClose{PositionID: id + 1000, ExitTime: exit, ExitReason: "x"})
	wantErrIs(t, err, db.ErrNotFound, "ClosePosition of an unknown id")
	if errors.Is(err, db.ErrConflict) {
		t.Errorf("ClosePosition of an unknown id: %v also wraps ErrConflict", err)
	}
}

// ActivePositions and Positions list by entry time, then by id, whatever
// order the positions were opened in.
func testPositionActiveOrder(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	late := openPosition(t, s, position(sess.ID, "MSFT", 2*time.Hour))
	early := openPosition(t, s, position(sess.ID, "AAPL", time.Hour))
	tieA := openPosition(t, s, position(sess.ID, "NVDA", 3*time.Hour))
	tieB := openPosition(t, s, position(sess.ID, "TSLA", 3*time.Hour))
	want := []int64{early, late, tieA, tieB}
	eqSlice(t, "ActivePositions (entry_time, id)", positionIDs(activePositions(t, s, sess.ID)), want)
	eqSlice(t, "Positions (entry_time, id)", positionIDs(allPositions(t, s, sess.ID)), want)
}
