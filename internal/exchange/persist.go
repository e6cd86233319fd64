package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
)

// stateVersion 2 added matched_to, prices and the order fields of market
// hours; a version 1 file is read and upgraded.
const stateVersion = 2

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
	// MatchedTo is the market time up to which resting orders have met
	// every price; the next pass walks the path from there.
	MatchedTo time.Time `json:"matched_to"`
	// Prices names where this state's prices came from; a restart on
	// other prices is refused unless told so.
	Prices *priceOrigin `json:"prices,omitempty"`
}

// priceOrigin identifies a price source: the generator and its seed, or a
// bars file by its content.
type priceOrigin struct {
	Kind     string `json:"kind"` // "generated" or "bars_file"
	Seed     int64  `json:"seed,omitempty"`
	BarsFile string `json:"bars_file,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
}

func (p priceOrigin) String() string {
	if p.Kind == "bars_file" {
		return fmt.Sprintf("bars file %s (sha256 %s)", p.BarsFile, p.SHA256)
	}
	return fmt.Sprintf("generated prices with seed %d", p.Seed)
}

// same reports whether two origins give the same prices; a bars file is
// the same file when its content is, wherever it now lies.
func (p priceOrigin) same(o priceOrigin) bool {
	if p.Kind != o.Kind {
		return false
	}
	if p.Kind == "bars_file" {
		return p.SHA256 == o.SHA256
	}
	return p.Seed == o.Seed
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
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) || bytes.Equal(trimmed, []byte("{}")) {
		return nil, fmt.Errorf("state file %s holds no exchange state (%q); it was not written by gambler exchange: delete it to start a fresh account, or restore it from a backup", path, trimmed)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("parse state file %s: %w", path, err)
	}
	if st.Version < 1 || st.Version > stateVersion || st.AnchorMarket.IsZero() {
		return nil, fmt.Errorf("state file %s is not an exchange state of version 1 to %d (version %d, anchor %v): delete it to start a fresh account, or restore it from a backup",
			path, stateVersion, st.Version, st.AnchorMarket)
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
