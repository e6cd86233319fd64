package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Trade is one position as the report shows it, open or closed. JSON
// names are a stable interface for scripts.
type Trade struct {
	ID              int64               `json:"id"`
	Symbol          string              `json:"symbol"`
	Side            string              `json:"side"`
	Direction       string              `json:"direction"`
	Qty             decimal.Decimal     `json:"qty"`
	Status          string              `json:"status"`
	EntryTime       time.Time           `json:"entry_time"`
	EntryPrice      decimal.Decimal     `json:"entry_price"`
	StopLoss        decimal.NullDecimal `json:"stop_loss"`
	TakeProfit      decimal.NullDecimal `json:"take_profit"`
	ExitTime        *time.Time          `json:"exit_time"`
	ExitPrice       decimal.NullDecimal `json:"exit_price"`
	ExitReason      *string             `json:"exit_reason"`
	PnL             decimal.NullDecimal `json:"pnl"`
	PnLPct          decimal.NullDecimal `json:"pnl_pct"`
	DurationMinutes decimal.NullDecimal `json:"duration_minutes"`
	EntryOrderID    *string             `json:"entry_client_order_id"`
}

// Trades converts positions, keeping their order.
func Trades(positions []db.Position) []Trade {
	out := make([]Trade, 0, len(positions))
	for _, p := range positions {
		out = append(out, Trade{
			ID: p.ID, Symbol: p.Symbol, Side: p.Side, Direction: p.Direction, Qty: p.Qty, Status: p.Status,
			EntryTime: p.EntryTime.UTC(), EntryPrice: p.EntryPrice, StopLoss: p.StopLoss, TakeProfit: p.TakeProfit,
			ExitTime: utc(p.ExitTime), ExitPrice: p.ExitPrice, ExitReason: optional(p.ExitReason),
			PnL: p.PnL, PnLPct: p.PnLPct, DurationMinutes: p.DurationMinutes, EntryOrderID: optional(p.EntryClientOrderID),
		})
	}
	return out
}

// Split separates open trades from closed ones, keeping their order.
func Split(trades []Trade) (active, closed []Trade) {
	active, closed = []Trade{}, []Trade{}
	for _, t := range trades {
		if t.Status == db.PositionClosed {
			closed = append(closed, t)
		} else {
			active = append(active, t)
		}
	}
	return active, closed
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
