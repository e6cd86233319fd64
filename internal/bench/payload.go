package bench

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// positionCounts are the columns of the table.
var positionCounts = []int{1, 10, 100, 1000}

var t0 = time.Date(2026, 1, 5, 14, 30, 0, 0, time.UTC)

// account is a typical account_snapshot.
var account = []byte(`{"portfolio_value":100000.25,"buying_power":200000.5,"cash":50000,` +
	`"timestamp":"2026-01-02T03:04:05Z","strategy_params":{"lookback":20,"threshold":1.5}}`)

// symbol i as a valid ticker (four capital letters).
func symbol(i int) string {
	b := []byte{'Q', 'A', 'A', 'A'}
	for k := 3; k > 0 && i > 0; k-- {
		b[k] = byte('A' + i%26)
		i /= 26
	}
	return string(b)
}

func position(sessionID string, i int) db.Position {
	return db.Position{
		ID: int64(i + 1), SessionID: sessionID, Symbol: symbol(i),
		EntryTime: t0.Add(time.Duration(i) * time.Second), EntryPrice: decimal.RequireFromString("187.4321"),
		Qty: decimal.NewFromInt(int64(10 + i%90)), Direction: db.DirectionUp, Side: "buy",
		StopLoss:   decimal.NewNullDecimal(decimal.RequireFromString("180.12")),
		TakeProfit: decimal.NewNullDecimal(decimal.RequireFromString("199.99")),
		OrderID:    fmt.Sprintf("3f9c1e2a-0000-4000-8000-%012d", i), Status: db.PositionActive,
	}
}

// payload is the positions_snapshot of n positions, as the store writes it.
func payload(n int) ([]byte, error) {
	ps := make([]db.Position, n)
	for i := range ps {
		ps[i] = position("bench", i)
	}
	return db.PositionsSnapshot(ps)
}

// sessionID i is a UUID, as the trader writes them.
func sessionID(kind, i int) string {
	return fmt.Sprintf("00000000-%04d-4000-8000-%012d", kind, i)
}
