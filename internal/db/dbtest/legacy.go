package dbtest

import (
	"bytes"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

func legacyTests() []suiteTest {
	return []suiteTest{
		{"Legacy/OriginalColumnsReadable", testLegacyRows},
		{"Legacy/MinimalSessionRow", testLegacyMinimalSession},
	}
}

// The statements below name only the columns of the system gambler
// replaces, as that system (or a hand-written query) would. The literals
// are accepted by both dialects.
const (
	legacySessionID = "7d1f0e4c-2b9a-4c55-8f3e-5a6b7c8d9e0f"
	legacySession   = `INSERT INTO trading_sessions (session_id, instance_id, strategy_name, start_time, status,
		symbols, duration_minutes, scan_interval_seconds, initial_portfolio_value, total_trades,
		allocated_capital, created_at, updated_at)
		VALUES ('` + legacySessionID + `', 2, 'momentum', '2026-01-02T03:04:05Z', 'active', 'AAPL,MSFT', 390, 60,
		100000.5, 3, 50000, '2026-01-02T03:04:05Z', '2026-01-02T03:14:05Z')`
	legacyPositions = `INSERT INTO positions (session_id, symbol, entry_time, entry_price, exit_time, exit_price, qty,
		direction, side, stop_loss, take_profit, order_id, status, exit_reason, pnl, pnl_pct, duration_minutes)
		VALUES
		('` + legacySessionID + `', 'AAPL', '2026-01-02T03:05:00Z', 150.25, NULL, NULL, 10, 'UP', 'buy',
		 145.5, 160.75, 'broker-1', 'active', NULL, NULL, NULL, NULL),
		('` + legacySessionID + `', 'MSFT', '2026-01-02T03:06:00Z', 410, '2026-01-02T03:09:00Z', 405, 2, 'DOWN', 'sell',
		 415, 400, 'broker-2', 'closed', 'take_profit', 10, 1.22, 3)`
	legacyPositionsJSON = `{"AAPL": {"id": 1, "symbol": "AAPL", "entry_time": "2026-01-02T03:05:00", "entry_price": 150.25, ` +
		`"qty": 10, "direction": "UP", "side": "buy", "stop_loss": 145.5, "take_profit": 160.75, "order_id": "broker-1", "status": "active"}}`
	legacyAccountJSON = `{"portfolio_value": 100010.5, "buying_power": 200000, "cash": 50000, "timestamp": "2026-01-02T03:10:00"}`
	legacyCheckpoint  = `INSERT INTO position_checkpoints (session_id, checkpoint_time, positions_snapshot, account_snapshot,
		active_positions_count, closed_trades_count, created_at)
		VALUES ('` + legacySessionID + `', '2026-01-02T03:10:00Z', '` + legacyPositionsJSON + `', '` + legacyAccountJSON + `',
		1, 1, '2026-01-02T03:10:00Z')`
)

func testLegacyRows(t *testing.T, h Harness) {
	s := h.New(t)
	for _, stmt := range []string{legacySession, legacyPositions, legacyCheckpoint} {
		must(t, h.Exec(t, s, stmt), "insert legacy row")
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cpTime := time.Date(2026, 1, 2, 3, 10, 0, 0, time.UTC)

	sess, err := s.GetSession(t.Context(), legacySessionID)
	must(t, err, "GetSession of a legacy row")
	eqSession(t, sess, db.Session{
		ID: legacySessionID, InstanceID: 2, StrategyName: "momentum", StartTime: start, Status: db.StatusActive,
		Symbols: []string{"AAPL", "MSFT"}, DurationMinutes: 390, ScanIntervalSeconds: 60,
		InitialPortfolioValue: nullDec("100000.5"), TotalTrades: 3, AllocatedCapital: nullDec("50000"),
		CreatedAt: start, UpdatedAt: start.Add(10 * time.Minute),
	})
	if sess.EndTime != nil || sess.PnL.Valid || len(bytes.TrimSpace(sess.Settings)) != 0 && string(sess.Settings) != "null" {
		t.Errorf("legacy session has EndTime %v, PnL %v, Settings %s; want none", sess.EndTime, sess.PnL, sess.Settings)
	}

	rows, err := s.ListSessions(t.Context(), db.SessionFilter{})
	must(t, err, "ListSessions over a legacy row")
	if len(rows) != 1 {
		t.Fatalf("ListSessions returned %d rows, want 1", len(rows))
	}
	eq(t, "ActivePositions", rows[0].ActivePositions, 1)
	eq(t, "Checkpoints", rows[0].Checkpoints, 1)
	eqTimePtr(t, "LastCheckpoint", rows[0].LastCheckpoint, cpTime)
	if got, err := s.LatestResumable(t.Context(), 2); err != nil || got.ID != legacySessionID {
		t.Errorf("LatestResumable(2) = %q, %v; want the legacy session", got.ID, err)
	}

	ps := allPositions(t, s, legacySessionID)
	if len(ps) != 2 {
		t.Fatalf("Positions returned %d legacy rows, want 2", len(ps))
	}
	eqPosition(t, ps[0], db.Position{SessionID: legacySessionID, Symbol: "AAPL",
		EntryTime: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), EntryPrice: dec("150.25"), Qty: dec("10"),
		Direction: db.DirectionUp, Side: "buy", StopLoss: nullDec("145.5"), TakeProfit: nullDec("160.75"),
		OrderID: "broker-1", Status: db.PositionActive})
	eq(t, "closed legacy Status", ps[1].Status, db.PositionClosed)
	eqTimePtr(t, "closed legacy ExitTime", ps[1].ExitTime, time.Date(2026, 1, 2, 3, 9, 0, 0, time.UTC))
	eqNullDec(t, "closed legacy PnLPct", ps[1].PnLPct, nullDec("1.22"))
	eqNullDec(t, "closed legacy DurationMinutes", ps[1].DurationMinutes, nullDec("3"))
	eq(t, "closed legacy ExitReason", ps[1].ExitReason, "take_profit")

	checkLegacyCheckpoints(t, s, cpTime)
}

// checkLegacyCheckpoints: a legacy checkpoint row reads, verifies and
// counts as it was, and gambler continues its session above it.
func checkLegacyCheckpoints(t *testing.T, s db.Store, cpTime time.Time) {
	list := listCheckpoints(t, s, legacySessionID, 10)
	if len(list) != 1 {
		t.Fatalf("ListCheckpoints returned %d legacy rows, want 1", len(list))
	}
	m := list[0]
	eqTime(t, "CheckpointTime", m.CheckpointTime, cpTime)
	eq(t, "ActivePositionsCount", m.ActivePositionsCount, 1)
	eq(t, "ClosedTradesCount", m.ClosedTradesCount, 1)
	if m.Sequence != nil || m.Trigger != "" || m.DurationMS != nil || m.SizeBytes != nil || m.Checksum != "" {
		t.Errorf("legacy checkpoint meta invents added columns: %+v", m)
	}
	c := newest(t, s, legacySessionID, 0)
	eq(t, "NewestCheckpoint id", c.ID, m.ID)
	if string(c.PositionsSnapshot) != legacyPositionsJSON || string(c.AccountSnapshot) != legacyAccountJSON {
		t.Errorf("legacy payload changed:\n%s\n%s", c.PositionsSnapshot, c.AccountSnapshot)
	}
	if !c.Verify() {
		t.Error("a legacy checkpoint without checksum fails Verify")
	}
	st := stats(t, s, legacySessionID)
	eq(t, "stats Total", st.Total, 1)
	eqTimePtr(t, "stats First", st.First, cpTime)
	eqTimePtr(t, "stats Last", st.Last, cpTime)
	eq(t, "stats TotalBytes of a row without size", st.TotalBytes, 0)

	// gambler continues the legacy session: the next checkpoint gets a
	// sequence and lists above the legacy one.
	next := createCheckpoint(t, s, legacySessionID, cpTime.Add(time.Minute))
	if next.Sequence == nil || *next.Sequence < 1 {
		t.Errorf("checkpoint after a legacy one has sequence %v, want >= 1", next.Sequence)
	}
	eq(t, "ActivePositionsCount of the new checkpoint", next.ActivePositionsCount, 1)
	eq(t, "ClosedTradesCount of the new checkpoint", next.ClosedTradesCount, 1)
	eqSlice(t, "ListCheckpoints after continuing", checkpointIDs(listCheckpoints(t, s, legacySessionID, 10)), []int64{next.ID, m.ID})
	eq(t, "stats Total after continuing", stats(t, s, legacySessionID).Total, 2)
	eq(t, "deleted with Keep 1", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: legacySessionID, Keep: 1}), 1)
}

func testLegacyMinimalSession(t *testing.T, h Harness) {
	s := h.New(t)
	const id = "0f0e0d0c-0b0a-4909-8807-060504030201"
	must(t, h.Exec(t, s, `INSERT INTO trading_sessions (session_id, start_time) VALUES ('`+id+`', '2026-01-02T03:04:05Z')`),
		"insert minimal legacy session")
	sess, err := s.GetSession(t.Context(), id)
	must(t, err, "GetSession of a minimal legacy row")
	eq(t, "Status default", sess.Status, db.StatusActive)
	eq(t, "InstanceID default", sess.InstanceID, 1)
	eq(t, "StrategyName of NULL", sess.StrategyName, "")
	eq(t, "Symbols of NULL", len(sess.Symbols), 0)
	eq(t, "DurationMinutes of NULL", sess.DurationMinutes, 0)
	eqNullDec(t, "InitialPortfolioValue of NULL", sess.InitialPortfolioValue, decimal.NullDecimal{})
	eqTime(t, "StartTime", sess.StartTime, BaseTime())
	rows, err := s.ListSessions(t.Context(), db.SessionFilter{Status: db.StatusActive})
	must(t, err, "ListSessions over a minimal legacy row")
	if len(rows) != 1 || rows[0].ID != id {
		t.Errorf("ListSessions = %v, want the minimal legacy session", rows)
	}
}
