package realdata

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/strategy"
)

// Load reads a bars CSV (symbol,timestamp,open,high,low,close,volume)
// into bars per symbol, oldest first.
func Load(t testing.TB, path string) map[string][]strategy.Bar {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatalf("read header of %s: %v", path, err)
	}
	out := map[string][]strategy.Bar{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(rec) != 7 {
			t.Fatalf("read %s: %v %v", path, rec, err)
		}
		ts, err := time.Parse(time.RFC3339, rec[1])
		if err != nil {
			t.Fatalf("timestamp %q: %v", rec[1], err)
		}
		d := decimal.RequireFromString
		out[rec[0]] = append(out[rec[0]], strategy.Bar{Time: ts.UTC(), Open: d(rec[2]), High: d(rec[3]),
			Low: d(rec[4]), Close: d(rec[5]), Volume: d(rec[6])})
	}
	for _, bs := range out {
		slices.SortFunc(bs, func(a, b strategy.Bar) int { return a.Time.Compare(b.Time) })
	}
	return out
}
