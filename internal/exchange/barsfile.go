package exchange

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
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
	bars   map[string][]bar // sorted by time
	res    time.Duration    // spacing of the file's bars
	start  time.Time        // market time at which replay begins
	sha256 string           // of the file's bytes
}

func loadBarsFile(path string, cal *calendar) (*fileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bars file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	src := &fileSource{bars: make(map[string][]bar)}
	stamps, err := src.read(csv.NewReader(io.TeeReader(f, h)), path)
	if err != nil {
		return nil, err
	}
	src.sha256 = hex.EncodeToString(h.Sum(nil))
	src.res = time.Duration(1<<63 - 1)
	for _, bs := range src.bars {
		sort.Slice(bs, func(i, j int) bool { return bs[i].T.Before(bs[j].T) })
		for i := 1; i < len(bs); i++ {
			if d := bs[i].T.Sub(bs[i-1].T); d > 0 && d < src.res {
				src.res = d
			}
		}
	}
	if src.res == time.Duration(1<<63-1) {
		src.res = time.Minute
	}
	for _, bs := range src.bars {
		for i := range bs {
			bs[i].S, bs[i].E = tradingSpan(bs[i].T, bs[i].T.Add(src.res), cal)
		}
	}
	sort.Slice(stamps, func(i, j int) bool { return stamps[i] < stamps[j] })
	src.start = time.Unix(stamps[min(historyBars, len(stamps)-1)], 0).UTC()
	return src, nil
}

// read parses the records and returns the distinct timestamps.
func (s *fileSource) read(r *csv.Reader, path string) ([]int64, error) {
	r.FieldsPerRecord = 7
	seen := make(map[int64]bool)
	var stamps []int64
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
		s.bars[rec[0]] = append(s.bars[rec[0]], b)
		if u := b.T.Unix(); !seen[u] {
			seen[u] = true
			stamps = append(stamps, u)
		}
	}
	if len(s.bars) == 0 {
		return nil, fmt.Errorf("bars file %s: no bars", path)
	}
	return stamps, nil
}

// tradingSpan is when a bar of [start, end) traded: a bar that overlaps a
// regular session (an hourly bar stamped 14:00 UTC holds the trades from
// the 14:30 open on) traded inside it; any other bar, through its span.
func tradingSpan(start, end time.Time, cal *calendar) (time.Time, time.Time) {
	td, ok := cal.day(civilOf(start, cal.ny))
	if !ok || !start.Before(td.close) || !end.After(td.open) {
		return start, end
	}
	if start.Before(td.open) {
		start = td.open
	}
	if end.After(td.close) {
		end = td.close
	}
	return start, end
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

func (s *fileSource) resolution() time.Duration { return s.res }

func (s *fileSource) barAt(sym string, t time.Time) (bar, bool) {
	bs := s.bars[sym]
	i := sort.Search(len(bs), func(i int) bool { return bs[i].T.After(t) })
	if i == 0 {
		return bar{}, false
	}
	return bs[i-1], true
}

func (s *fileSource) barFrom(sym string, t time.Time) (bar, bool) {
	bs := s.bars[sym]
	i := sort.Search(len(bs), func(i int) bool { return !bs[i].T.Before(t) })
	if i == len(bs) {
		return bar{}, false
	}
	return bs[i], true
}
