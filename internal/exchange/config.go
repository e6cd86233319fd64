package exchange

import (
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"
)

// Config configures a simulated exchange. The zero value is usable: an
// in-memory, always-open market with generated prices and $100,000 cash.
type Config struct {
	StateFile     string  // "" = in memory only
	Seed          int64   // drives generated prices
	Speed         float64 // market time runs Speed x wall time; <=0 means 1
	KeyID, Secret string  // when set, requests must carry APCA-API-KEY-ID / APCA-API-SECRET-KEY or get 401
	// BarsFile is a CSV (symbol,timestamp,open,high,low,close,volume) replayed
	// instead of generated prices; only its symbols are then tradable.
	BarsFile string
	// MarketHours applies the NYSE calendar (regular hours 09:30-16:00
	// New York, holidays, 13:00 early closes, extended hours for orders
	// that ask for them); default always open.
	MarketHours bool
	// ResetPrices lets a state file made on other prices (another seed or
	// bars file) continue on these; without it New refuses.
	ResetPrices bool
	SlippageBps decimal.Decimal
	InitialCash decimal.Decimal  // default 100000
	Now         func() time.Time // wall clock, injectable; nil = time.Now
	Logger      zerolog.Logger
}

func (c Config) withDefaults() Config {
	if c.Speed <= 0 {
		c.Speed = 1
	}
	if c.InitialCash.IsZero() {
		c.InitialCash = decimal.NewFromInt(100000)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
