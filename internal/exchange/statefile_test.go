package exchange_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// TestStateFileTakesOneExchange: a second exchange on a state file is
// refused with a message naming the holder; closing the first frees it.
func TestStateFileTakesOneExchange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := exchange.Config{StateFile: path, Now: (&fakeClock{now: t0}).Now}
	first, err := exchange.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = exchange.New(cfg)
	if !errors.Is(err, exchange.ErrStateFileLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second exchange on %s: %v; want it refused, naming this process", path, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := exchange.New(cfg)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStateFileKeepsItsPrices: the state file records its price source; a
// restart on another seed or another bars file is refused unless
// ResetPrices, and a bars file may move as long as its content stays.
func TestStateFileKeepsItsPrices(t *testing.T) {
	dir := t.TempDir()
	open := func(cfg exchange.Config) error {
		cfg.Now = (&fakeClock{now: t0}).Now
		ex, err := exchange.New(cfg)
		if err == nil {
			err = ex.Close()
		}
		return err
	}
	state := filepath.Join(dir, "gen.json")
	if err := open(exchange.Config{StateFile: state, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	err := open(exchange.Config{StateFile: state, Seed: 2})
	if !errors.Is(err, exchange.ErrPriceSourceChanged) || !strings.Contains(err.Error(), "seed 1") || !strings.Contains(err.Error(), "seed 2") || !strings.Contains(err.Error(), "--reset-prices") {
		t.Fatalf("restart with another seed: %v", err)
	}
	if err := open(exchange.Config{StateFile: state, Seed: 2, ResetPrices: true}); err != nil {
		t.Fatalf("restart with another seed and ResetPrices: %v", err)
	}
	if err := open(exchange.Config{StateFile: state, Seed: 2}); err != nil {
		t.Fatalf("the reset recorded the new seed: %v", err)
	}

	bars := filepath.Join(dir, "bars.csv")
	content := "symbol,timestamp,open,high,low,close,volume\nAAPL,2025-03-12T14:00:00Z,1,2,0.5,1.5,100\nAAPL,2025-03-12T15:00:00Z,1.5,2,1,1.8,100\n"
	if err := os.WriteFile(bars, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	state = filepath.Join(dir, "file.json")
	if err := open(exchange.Config{StateFile: state, BarsFile: bars}); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(dir, "moved.csv")
	if err := os.Rename(bars, moved); err != nil {
		t.Fatal(err)
	}
	if err := open(exchange.Config{StateFile: state, BarsFile: moved}); err != nil {
		t.Fatalf("the same bars at another path: %v", err)
	}
	if err := os.WriteFile(moved, []byte(strings.Replace(content, "1.8", "1.9", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := open(exchange.Config{StateFile: state, BarsFile: moved}); !errors.Is(err, exchange.ErrPriceSourceChanged) {
		t.Fatalf("changed bars file: %v", err)
	}
	if err := open(exchange.Config{StateFile: state, Seed: 1}); !errors.Is(err, exchange.ErrPriceSourceChanged) {
		t.Fatalf("generated prices on a bars file's state: %v", err)
	}
}

func TestEmptyStateFileIsRefusedClearly(t *testing.T) {
	for _, content := range []string{"{}", "null", "", " \n", `{"version":1}`} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := exchange.New(exchange.Config{StateFile: path})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "delete it") {
			t.Errorf("state file %q: %v; want a message naming the file and what to do", content, err)
		}
	}
}
