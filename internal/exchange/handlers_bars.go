package exchange

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	defaultBarLimit = 1000
	maxBarLimit     = 10000
	// maxBucketScan bounds the buckets one page may walk (gaps in a bars
	// file, a start long before its first bar).
	maxBucketScan = 200000
)

type barView struct {
	T  time.Time `json:"t"`
	O  float64   `json:"o"`
	H  float64   `json:"h"`
	L  float64   `json:"l"`
	C  float64   `json:"c"`
	V  uint64    `json:"v"`
	N  uint64    `json:"n"`
	VW float64   `json:"vw"`
}

func viewBar(b bar) barView {
	return barView{T: b.T, O: b.O, H: b.H, L: b.L, C: b.C, V: b.V, N: b.N, VW: roundCents((b.O + b.H + b.L + b.C) / 4)}
}

type barsResponse struct {
	Bars          map[string][]barView `json:"bars"`
	NextPageToken *string              `json:"next_page_token"`
}

// barsQuery is a parsed GET /v2/stocks/bars request.
type barsQuery struct {
	symbols    []string
	tf         timeframe
	start, end time.Time
	limit      int
	desc       bool
	// page resumes at symbol index sym, bucket start at.
	pageSym int
	pageAt  time.Time
}

func badRequest(msg string) error { return &refusal{kind: refusedMalformed, msg: msg} }

func (e *Exchange) parseBarsQuery(r *http.Request, now time.Time) (barsQuery, error) {
	q := r.URL.Query()
	var bq barsQuery
	syms, err := e.parseSymbols(q.Get("symbols"))
	if err != nil {
		return bq, err
	}
	sort.Strings(syms)
	bq.symbols = syms
	tf, ok := parseTimeframe(q.Get("timeframe"))
	if !ok {
		return bq, badRequest("invalid timeframe " + strconv.Quote(q.Get("timeframe")))
	}
	if err := servable(tf, e.src.resolution()); err != nil {
		return bq, err
	}
	bq.tf = tf
	bq.limit = defaultBarLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxBarLimit {
			return bq, badRequest("limit must be between 1 and 10000")
		}
		bq.limit = n
	}
	switch q.Get("sort") {
	case "", "asc":
	case "desc":
		bq.desc = true
	default:
		return bq, badRequest("sort must be asc or desc")
	}
	bq.end = now
	if s := q.Get("end"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return bq, badRequest("end must be an RFC 3339 time")
		}
		if t.Before(now) {
			bq.end = t
		}
	}
	// Without start, Alpaca begins at the start of the current day; the
	// simulator instead returns the limit's worth of history before end,
	// which is what a strategy wants on its first tick.
	bq.start = bq.end.Add(-time.Duration(bq.limit) * tf.nominal())
	if s := q.Get("start"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return bq, badRequest("start must be an RFC 3339 time")
		}
		bq.start = t
	}
	if tok := q.Get("page_token"); tok != "" {
		if bq.pageSym, bq.pageAt, ok = decodePageToken(tok, len(syms)); !ok {
			return bq, badRequest("invalid page_token")
		}
	}
	return bq, nil
}

func (e *Exchange) parseSymbols(s string) ([]string, error) {
	if s == "" {
		return nil, badRequest("symbols is required")
	}
	var out []string
	seen := map[string]bool{}
	for _, sym := range strings.Split(s, ",") {
		if !e.src.known(sym) {
			return nil, badRequest("invalid symbol: " + strconv.Quote(sym))
		}
		if !seen[sym] {
			seen[sym] = true
			out = append(out, sym)
		}
	}
	return out, nil
}

func encodePageToken(sym int, at time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%d", sym, at.Unix())))
}

func decodePageToken(tok string, nsyms int) (int, time.Time, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, time.Time{}, false
	}
	var sym int
	var at int64
	if _, err := fmt.Sscanf(string(raw), "%d:%d", &sym, &at); err != nil || sym < 0 || sym >= nsyms {
		return 0, time.Time{}, false
	}
	return sym, time.Unix(at, 0).UTC(), true
}

// handleBars serves bars symbol by symbol (alphabetically), each in time
// order; limit counts bars across symbols, as Alpaca's multi-symbol
// endpoint does, and next_page_token resumes where a page stopped.
func (e *Exchange) handleBars(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	now := e.marketNow()
	e.mu.Unlock()
	bq, err := e.parseBarsQuery(r, now)
	if err != nil {
		e.fail(w, err)
		return
	}
	adj := e.adjustments(bq.symbols)
	ny := e.cal.ny
	resp := barsResponse{Bars: map[string][]barView{}}
	first := bq.tf.floor(bq.start, ny)
	if first.Before(bq.start) {
		first = bq.tf.next(first, ny)
	}
	last := bq.tf.floor(bq.end, ny)
	n, scanned := 0, 0
	for si := bq.pageSym; si < len(bq.symbols); si++ {
		sym := bq.symbols[si]
		at, step := first, bq.tf.next
		if bq.desc {
			at, step = last, bq.tf.prev
		}
		if si == bq.pageSym && !bq.pageAt.IsZero() {
			at = bq.pageAt
		}
		for ; !at.Before(first) && !at.After(last); at = step(at, ny) {
			end := bq.tf.next(at, ny)
			if end.After(now) {
				continue // still forming
			}
			if scanned++; scanned > maxBucketScan {
				// A long empty stretch: end the page here rather than
				// scan on; the client follows the token.
				writeBarsPage(w, resp, si, at)
				return
			}
			b, ok := adj[sym].span(at, end, now)
			if !ok {
				continue
			}
			if n == bq.limit {
				writeBarsPage(w, resp, si, at)
				return
			}
			b.T = at
			resp.Bars[sym] = append(resp.Bars[sym], viewBar(b))
			n++
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// writeBarsPage sends a page whose next page resumes at symbol index si,
// bucket at.
func writeBarsPage(w http.ResponseWriter, resp barsResponse, si int, at time.Time) {
	tok := encodePageToken(si, at)
	resp.NextPageToken = &tok
	writeJSON(w, http.StatusOK, resp)
}

// adjustments snapshots the admin price changes of syms.
func (e *Exchange) adjustments(syms []string) map[string]adjustments {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]adjustments, len(syms))
	for _, s := range syms {
		out[s] = e.adjustmentsLocked(s)
	}
	return out
}

func (e *Exchange) handleLatestBars(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	now := e.marketNow()
	e.mu.Unlock()
	syms, err := e.parseSymbols(r.URL.Query().Get("symbols"))
	if err != nil {
		e.fail(w, err)
		return
	}
	adj := e.adjustments(syms)
	out := map[string]barView{}
	for _, sym := range syms {
		if b, ok := adj[sym].latest(now); ok {
			out[sym] = viewBar(b)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bars": out})
}

type tradeView struct {
	T time.Time `json:"t"`
	X string    `json:"x"`
	P float64   `json:"p"`
	S uint32    `json:"s"`
	C []string  `json:"c"`
	I int64     `json:"i"`
	Z string    `json:"z"`
}

// handleLatestTrades reports the current price (the one orders fill at)
// as the last trade.
func (e *Exchange) handleLatestTrades(w http.ResponseWriter, r *http.Request) {
	syms, err := e.parseSymbols(r.URL.Query().Get("symbols"))
	if err != nil {
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.marketNow()
	out := map[string]tradeView{}
	for _, sym := range syms {
		if px, ok := e.priceLocked(sym, now); ok {
			out[sym] = tradeView{T: now, X: "V", P: px.InexactFloat64(), S: 100, C: []string{"@"}, I: now.UnixNano(), Z: "C"}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"trades": out})
}
