package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
)

// state is everything the exchange must not forget: it is what the state
// file holds.
type state struct {
	Version int `json:"version"`
	// Market time is AnchorMarket + (wall - AnchorWall) * Speed; keeping the
	// anchors makes the clock continue across restarts.
	AnchorWall   time.Time            `json:"anchor_wall"`
	AnchorMarket time.Time            `json:"anchor_market"`
	Speed        float64              `json:"speed"` // the Speed the anchors were set with
	Cash         decimal.Decimal      `json:"cash"`
	Orders       []*order             `json:"orders"` // creation order
	Positions    map[string]*position `json:"positions"`
	Overrides    []override           `json:"overrides"`
	Bursts       []burst              `json:"bursts"`
}

type position struct {
	Qty      decimal.Decimal `json:"qty"` // negative for a short
	AvgEntry decimal.Decimal `json:"avg_entry"`
}

// override is an admin-set price: from minute At on, generated prices of
// Symbol are scaled so that the price at At is Price.
type override struct {
	Symbol string          `json:"symbol"`
	At     time.Time       `json:"at"`
	Price  decimal.Decimal `json:"price"`
	Bursts int             `json:"bursts"` // bursts of Symbol made before this override
}

func loadState(path string) (*state, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state file: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("parse state file %s: %w", path, err)
	}
	if st.Positions == nil {
		st.Positions = make(map[string]*position)
	}
	return &st, nil
}

// saveState writes st so that a crash at any point leaves either the old or
// the new file: temp file, fsync, rename, fsync of the directory.
func saveState(path string, st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create temp state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename state: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open state dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync state dir: %w", err)
	}
	return nil
}
