package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// newStore opens a store on a fresh file that is closed at cleanup.
func newStore(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "gambler.db"), opts...)
}

func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

var base = time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC)

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func seedSession(t testing.TB, s *Store, id string) {
	t.Helper()
	err := s.CreateSession(context.Background(), db.Session{
		ID: id, InstanceID: 1, StrategyName: "momentum", StartTime: base, Status: db.StatusActive,
		Symbols: []string{"AAPL", "MSFT"},
	})
	if err != nil {
		t.Fatalf("create session %s: %v", id, err)
	}
}

func seedPositions(t testing.TB, s *Store, sessionID string, n int) {
	t.Helper()
	for i := range n {
		_, err := s.OpenPosition(context.Background(), db.Position{
			SessionID: sessionID, Symbol: symbolN(i), EntryTime: base, EntryPrice: mustDec("101.25"),
			Qty: mustDec("10"), Direction: db.DirectionUp, Side: "buy",
			StopLoss:   decimal.NewNullDecimal(mustDec("99.5")),
			TakeProfit: decimal.NewNullDecimal(mustDec("110")), OrderID: "ord-" + symbolN(i),
		})
		if err != nil {
			t.Fatalf("open position %d: %v", i, err)
		}
	}
}

func symbolN(i int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return string([]byte{'S', letters[i/26/26%26], letters[i/26%26], letters[i%26]})
}

func execSQL(t testing.TB, s *Store, q string, args ...any) {
	t.Helper()
	if _, err := s.w.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}
