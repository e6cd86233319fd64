package dbtest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// BaseTime is the fixed instant seeded rows are built around, so that tests
// order rows by explicit times instead of by the wall clock.
func BaseTime() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// SeedSession creates an active session (a fresh UUID, instance 1, started
// at BaseTime()) after applying mods, and returns what was stored.
func SeedSession(t testing.TB, s db.Store, mods ...func(*db.Session)) db.Session {
	t.Helper()
	sess := db.Session{
		ID:                    uuid.NewString(),
		InstanceID:            1,
		StrategyName:          "momentum",
		StartTime:             BaseTime(),
		Status:                db.StatusActive,
		Symbols:               []string{"AAPL", "MSFT"},
		DurationMinutes:       390,
		ScanIntervalSeconds:   60,
		InitialPortfolioValue: nullDec("100000"),
		AllocatedCapital:      nullDec("50000"),
		CreatedAt:             BaseTime(),
		UpdatedAt:             BaseTime(),
	}
	for _, m := range mods {
		m(&sess)
	}
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("seed session %s: %v", sess.ID, err)
	}
	got, err := s.GetSession(t.Context(), sess.ID)
	if err != nil {
		t.Fatalf("read seeded session %s: %v", sess.ID, err)
	}
	return got
}

// startedAt is a SeedSession mod that sets the start time.
func startedAt(at time.Time) func(*db.Session) {
	return func(s *db.Session) { s.StartTime, s.CreatedAt, s.UpdatedAt = at, at, at }
}

func withStatus(status string) func(*db.Session) {
	return func(s *db.Session) { s.Status = status }
}

func withInstance(id int) func(*db.Session) {
	return func(s *db.Session) { s.InstanceID = id }
}

// position is an active long position entered at BaseTime() plus offset.
func position(sessionID, symbol string, offset time.Duration) db.Position {
	return db.Position{
		SessionID:          sessionID,
		Symbol:             symbol,
		EntryTime:          BaseTime().Add(offset),
		EntryPrice:         dec("150.25"),
		Qty:                dec("10"),
		Direction:          db.DirectionUp,
		Side:               "buy",
		StopLoss:           nullDec("145.5"),
		TakeProfit:         nullDec("160.75"),
		OrderID:            "broker-" + symbol,
		Status:             db.PositionActive,
		EntryClientOrderID: "coid-" + symbol,
	}
}

func openPosition(t testing.TB, s db.Store, p db.Position) int64 {
	t.Helper()
	id, err := s.OpenPosition(t.Context(), p)
	if err != nil {
		t.Fatalf("open position %s: %v", p.Symbol, err)
	}
	if id <= 0 {
		t.Fatalf("open position %s: id %d, want > 0", p.Symbol, id)
	}
	return id
}

func closePosition(t testing.TB, s db.Store, id int64, at time.Time) {
	t.Helper()
	err := s.ClosePosition(t.Context(), db.PositionClose{
		PositionID: id, ExitTime: at, ExitPrice: nullDec("155"), ExitReason: "take_profit",
		PnL: nullDec("47.5"), PnLPct: nullDec("3.16"), DurationMinutes: nullDec("12.5"),
	})
	if err != nil {
		t.Fatalf("close position %d: %v", id, err)
	}
}

// order is a journal intent with the given client id and sequence.
func order(sessionID, clientOrderID string, seq int64) db.Order {
	return db.Order{
		SessionID:       sessionID,
		ClientOrderID:   clientOrderID,
		Seq:             seq,
		Symbol:          "AAPL",
		OrderType:       "market",
		OrderClass:      "bracket",
		Side:            "buy",
		Qty:             dec("10"),
		TakeProfitPrice: nullDec("160.75"),
		StopLossPrice:   nullDec("145.5"),
		Status:          db.OrderIntent,
		FilledQty:       decimal.Zero,
		Purpose:         "entry",
		CreatedAt:       BaseTime(),
		UpdatedAt:       BaseTime(),
	}
}

func insertOrder(t testing.TB, s db.Store, o db.Order) int64 {
	t.Helper()
	id, err := s.InsertOrder(t.Context(), o)
	if err != nil {
		t.Fatalf("insert order %s: %v", o.ClientOrderID, err)
	}
	return id
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func nullDec(s string) decimal.NullDecimal {
	return decimal.NewNullDecimal(decimal.RequireFromString(s))
}
