package db

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// SnapshotPosition is one entry of positions_snapshot, keyed by symbol. The
// field names are the ones the replaced system wrote, so its readers keep
// working. Decimals are JSON numbers written from their exact text.
type SnapshotPosition struct {
	ID         int64        `json:"id"`
	Symbol     string       `json:"symbol"`
	EntryTime  string       `json:"entry_time"`
	EntryPrice json.Number  `json:"entry_price"`
	Qty        json.Number  `json:"qty"`
	Direction  string       `json:"direction"`
	Side       string       `json:"side"`
	StopLoss   *json.Number `json:"stop_loss"`
	TakeProfit *json.Number `json:"take_profit"`
	OrderID    *string      `json:"order_id"`
	Status     string       `json:"status"`
}

// PositionsSnapshot renders active positions as the positions_snapshot JSON
// object keyed by symbol. Both drivers use it so the stored text, and hence
// the checksum, is the same on SQLite and PostgreSQL.
func PositionsSnapshot(positions []Position) ([]byte, error) {
	m := make(map[string]SnapshotPosition, len(positions))
	for _, p := range positions {
		sp := SnapshotPosition{
			ID:         p.ID,
			Symbol:     p.Symbol,
			EntryTime:  p.EntryTime.UTC().Format(time.RFC3339Nano),
			EntryPrice: json.Number(p.EntryPrice.String()),
			Qty:        json.Number(p.Qty.String()),
			Direction:  p.Direction,
			Side:       p.Side,
			Status:     p.Status,
		}
		if p.StopLoss.Valid {
			n := json.Number(p.StopLoss.Decimal.String())
			sp.StopLoss = &n
		}
		if p.TakeProfit.Valid {
			n := json.Number(p.TakeProfit.Decimal.String())
			sp.TakeProfit = &n
		}
		if p.OrderID != "" {
			id := p.OrderID
			sp.OrderID = &id
		}
		m[p.Symbol] = sp
	}
	// encoding/json sorts map keys, which makes the text canonical.
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode positions snapshot: %w", err)
	}
	return b, nil
}

// Checksum is the hex SHA-256 of a checkpoint's canonical payload: the
// positions JSON text, a newline, and the account JSON text, exactly as
// stored.
func Checksum(positionsJSON, accountJSON []byte) string {
	h := sha256.New()
	h.Write(positionsJSON)
	h.Write([]byte{'\n'})
	h.Write(accountJSON)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify reports whether c's stored checksum matches its payload. Rows
// without a checksum (written by other tools) are accepted as they are.
func (c Checkpoint) Verify() bool {
	if c.Checksum == "" {
		return true
	}
	return Checksum(bytes.TrimSpace(c.PositionsSnapshot), bytes.TrimSpace(c.AccountSnapshot)) == c.Checksum
}
