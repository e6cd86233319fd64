package checkpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Position is one restored position. Field names follow positions_snapshot.
type Position struct {
	ID         int64            `json:"id"`
	Symbol     string           `json:"symbol"`
	EntryTime  string           `json:"entry_time"`
	EntryPrice decimal.Decimal  `json:"entry_price"`
	Qty        decimal.Decimal  `json:"qty"`
	Direction  string           `json:"direction"`
	Side       string           `json:"side"`
	StopLoss   *decimal.Decimal `json:"stop_loss"`
	TakeProfit *decimal.Decimal `json:"take_profit"`
	OrderID    any              `json:"order_id"` // text, or a number in rows of other tools
	Status     string           `json:"status"`
}

// Restored is a decoded checkpoint: what resume starts from and what
// `checkpoints show` prints.
type Restored struct {
	SessionID      string         `json:"session_id"`
	CheckpointID   int64          `json:"checkpoint_id"`
	CheckpointTime time.Time      `json:"checkpoint_time"`
	Sequence       *int64         `json:"sequence"`
	Trigger        *string        `json:"trigger"`
	Positions      []Position     `json:"positions"`
	AccountInfo    map[string]any `json:"account_info"`
	ActiveCount    int            `json:"active_count"`
	ClosedCount    int            `json:"closed_count"`
	// Verified is false when the row's checksum does not match or its JSON
	// does not parse; such a row is shown but never restored from.
	Verified bool   `json:"verified"`
	Problem  string `json:"problem,omitempty"`
	// SkippedNewer counts newer rows Restore passed over because they
	// failed verification.
	SkippedNewer int `json:"skipped_newer"`
}

// Decode parses a checkpoint row. A row that fails its checksum or does not
// parse is returned with Verified false and the reason in Problem.
func Decode(c db.Checkpoint) Restored {
	r := Restored{
		SessionID:      c.SessionID,
		CheckpointID:   c.ID,
		CheckpointTime: c.CheckpointTime.UTC(),
		Sequence:       c.Sequence,
		ActiveCount:    c.ActivePositionsCount,
		ClosedCount:    c.ClosedTradesCount,
		Positions:      []Position{},
		AccountInfo:    map[string]any{},
		Verified:       true,
	}
	if c.Trigger != "" {
		t := c.Trigger
		r.Trigger = &t
	}
	if !c.Verify() {
		r.Verified, r.Problem = false, "checksum mismatch"
	}
	var positions map[string]Position
	if err := json.Unmarshal(c.PositionsSnapshot, &positions); err != nil {
		r.Verified, r.Problem = false, fmt.Sprintf("positions_snapshot is not valid JSON: %v", err)
	}
	for _, p := range positions {
		r.Positions = append(r.Positions, p)
	}
	sort.Slice(r.Positions, func(i, j int) bool { return r.Positions[i].Symbol < r.Positions[j].Symbol })
	if acct := bytes.TrimSpace(c.AccountSnapshot); len(acct) > 0 && !bytes.Equal(acct, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(acct))
		dec.UseNumber()
		if err := dec.Decode(&r.AccountInfo); err != nil {
			r.Verified, r.Problem = false, fmt.Sprintf("account_snapshot is not valid JSON: %v", err)
		}
	}
	return r
}

// NewestReader is all Restore reads with, so that read-only consumers (the
// session report) need not declare the whole checkpoint Store.
type NewestReader interface {
	NewestCheckpoint(ctx context.Context, sessionID string, offset int) (db.Checkpoint, error)
}

// PortfolioValue is the account snapshot's portfolio_value, null when the
// snapshot lacks it or it is not a decimal.
func (r Restored) PortfolioValue() decimal.NullDecimal {
	switch v := r.AccountInfo["portfolio_value"].(type) {
	case json.Number:
		return db.JSONDecimal([]byte(v))
	case string:
		if d, err := decimal.NewFromString(v); err == nil {
			return decimal.NewNullDecimal(d)
		}
	}
	return decimal.NullDecimal{}
}

// MarketTime is the account snapshot's market_time, false when the
// snapshot predates the field or holds something that is not a time.
func (r Restored) MarketTime() (time.Time, bool) { return r.timeField("market_time") }

// BarsThrough is the account snapshot's bars_through: the newest bar end
// the session had scanned.
func (r Restored) BarsThrough() (time.Time, bool) { return r.timeField("bars_through") }

func (r Restored) timeField(key string) (time.Time, bool) {
	s, ok := r.AccountInfo[key].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// Restore returns the newest checkpoint of the session that verifies,
// skipping (with a warning) any newer row that does not. It reads one row
// at a time from the newest, so the usual case is one indexed lookup.
func Restore(ctx context.Context, s NewestReader, sessionID string, log zerolog.Logger) (Restored, error) {
	for offset := 0; ; offset++ {
		c, err := s.NewestCheckpoint(ctx, sessionID, offset)
		if errors.Is(err, db.ErrNotFound) {
			return Restored{}, fmt.Errorf("session %s: %w", sessionID, ErrNoCheckpoint)
		}
		if err != nil {
			return Restored{}, fmt.Errorf("read checkpoint of session %s: %w", sessionID, err)
		}
		r := Decode(c)
		r.SkippedNewer = offset
		if r.Verified {
			if offset > 0 {
				log.Warn().Str("session", sessionID).Int64("checkpoint", r.CheckpointID).Int("skipped", offset).
					Msg("restored from an older checkpoint because newer ones failed verification")
			}
			return r, nil
		}
		log.Warn().Str("session", sessionID).Int64("checkpoint", c.ID).Str("problem", r.Problem).
			Msg("skipping a checkpoint that fails verification; trying the previous one")
	}
}
