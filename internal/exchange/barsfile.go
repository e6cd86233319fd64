package exchange

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"
)

// historyBars is how many distinct timestamps of a bars file lie before the
// replay's starting market time, so strategies have history on their first tick.
const historyBars = 100

// fileSource replays bars from a CSV of symbol,timestamp,open,high,low,close,volume.
type fileSource struct {
	bars       map[string][]bar // sorted by time
	resolution time.Duration    // spacing of the file's bars
	start      time.Time        // market time at which replay begins
}

func loadBarsFile(path string) (*fileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bars file: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 7
	src := &fileSource{bars: make(map[string][]bar)}
	stamps := make(map[int64]struct{})
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bars file %s: %w", path, err)
		}
		if line == 1 && rec[0] == "symbol" {
			continue
		}
		b, err := parseBarRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("bars file %s line %d: %w", path, line, err)
		}
		src.bars[rec[0]] = append(src.bars[rec[0]], b)
		stamps[b.T.Unix()] = struct{}{}
	}
	if len(src.bars) == 0 {
		return nil, fmt.Errorf("bars file %s: no bars", path)
	}
	src.resolution = time.Duration(1<<63 - 1)
	for _, bs := range src.bars {
		sort.Slice(bs, func(i, j int) bool { return bs[i].T.Before(bs[j].T) })
		for i := 1; i < len(bs); i++ {
			if d := bs[i].T.Sub(bs[i-1].T); d > 0 && d < src.resolution {
				src.resolution = d
			}
		}
	}
	if src.resolution == time.Duration(1<<63-1) {
		src.resolution = time.Minute
	}
	all := make([]int64, 0, len(stamps))
	for s := range stamps {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	src.start = time.Unix(all[min(historyBars, len(all)-1)], 0).UTC()
	return src, nil
}

func parseBarRecord(rec []string) (bar, error) {
	if !validSymbol(rec[0]) {
		return bar{}, fmt.Errorf("invalid symbol %q", rec[0])
	}
	t, err := time.Parse(time.RFC3339, rec[1])
	if err != nil {
		return bar{}, fmt.Errorf("timestamp: %w", err)
	}
	var f [4]float64
	for i := range f {
		if f[i], err = strconv.ParseFloat(rec[2+i], 64); err != nil {
			return bar{}, fmt.Errorf("price column %d: %w", 3+i, err)
		}
	}
	v, err := strconv.ParseFloat(rec[6], 64)
	if err != nil {
		return bar{}, fmt.Errorf("volume: %w", err)
	}
	return bar{T: t.UTC(), O: f[0], H: f[1], L: f[2], C: f[3], V: uint64(v), N: uint64(v)/100 + 1}, nil
}

func (s *fileSource) known(sym string) bool { _, ok := s.bars[sym]; return ok }

func (s *fileSource) openAt(sym string, t time.Time) (float64, bool) {
	bs := s.bars[sym]
	i := sort.Search(len(bs), func(i int) bool { return bs[i].T.After(t) })
	if i == 0 {
		return 0, false
	}
	return bs[i-1].O, true
}

func (s *fileSource) each(sym string, from, to, cutoff time.Time, fn func(bar, time.Time)) {
	bs := s.bars[sym]
	for i := sort.Search(len(bs), func(i int) bool { return !bs[i].T.Before(from) }); i < len(bs) && bs[i].T.Before(to); i++ {
		end := bs[i].T.Add(s.resolution)
		if end.After(cutoff) {
			return
		}
		fn(bs[i], end)
	}
}
