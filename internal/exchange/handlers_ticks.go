package exchange

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

func anyMap[T any](m map[string]T) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ascDesc reads an asc or desc parameter (as desc), def when absent.
func ascDesc(v string, def bool, name string, refusal func(string) error) (bool, error) {
	switch v {
	case "":
		return def, nil
	case "asc":
		return false, nil
	case "desc":
		return true, nil
	}
	return false, refusal(name + " must be asc or desc")
}

// symbolsNow reads a market-data request's symbols and the market time.
func (e *Exchange) symbolsNow(r *http.Request) ([]string, time.Time, error) {
	syms, err := e.requestSymbols(r)
	if err != nil {
		return nil, time.Time{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return syms, e.marketNow(), nil
}

// serveLatest answers a latest-X request: {multi: {sym: x}} for the
// symbols query, or {symbol, single: x} for the path's symbol (404 when
// the symbol has no data yet).
func (e *Exchange) serveLatest(w http.ResponseWriter, r *http.Request, multi, single string, get func([]string, time.Time) map[string]any) {
	syms, now, err := e.symbolsNow(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	out := get(syms, now)
	sym := r.PathValue("symbol")
	if sym == "" {
		writeJSON(w, http.StatusOK, map[string]any{multi: out})
		return
	}
	v, ok := out[sym]
	if !ok {
		e.fail(w, refuse(refusedNotFound, "no %s for %s yet", single, sym))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"symbol": sym, single: v})
}

// latestTicks is the last print of each symbol at now.
func (e *Exchange) latestTicks(syms []string, now time.Time) map[string]tick {
	adj := e.adjustments(syms)
	out := map[string]tick{}
	for _, sym := range syms {
		if tk, ok := adj[sym].lastTick(now); ok {
			out[sym] = tk
		}
	}
	return out
}

// handleLatestTrades reports the last print, the price orders fill at.
func (e *Exchange) handleLatestTrades(w http.ResponseWriter, r *http.Request) {
	e.serveLatest(w, r, "trades", "trade", func(syms []string, now time.Time) map[string]any {
		out := map[string]any{}
		for sym, tk := range e.latestTicks(syms, now) {
			out[sym] = e.tradeOf(tk)
		}
		return out
	})
}

func (e *Exchange) handleLatestQuotes(w http.ResponseWriter, r *http.Request) {
	e.serveLatest(w, r, "quotes", "quote", func(syms []string, now time.Time) map[string]any {
		out := map[string]any{}
		for sym, tk := range e.latestTicks(syms, now) {
			out[sym] = quoteOf(tk)
		}
		return out
	})
}

const (
	defaultTickLimit = 1000
	maxTickLimit     = 10000
)

// tickQuery is a parsed historical trades or quotes request.
type tickQuery struct {
	symbols    []string
	start, end time.Time
	limit      int
	desc       bool
	pageSym    int
	pageAt     time.Time
}

// parseTickQuery reads start (default: New York midnight today), end
// (default and at most: now), limit, sort and page_token.
func (e *Exchange) parseTickQuery(r *http.Request, now time.Time) (tickQuery, error) {
	q := r.URL.Query()
	syms, err := e.requestSymbols(r)
	if err != nil {
		return tickQuery{}, err
	}
	sort.Strings(syms)
	tq := tickQuery{symbols: syms, limit: defaultTickLimit, end: now, start: civilOf(now, e.cal.ny).midnight(e.cal.ny)}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start", &tq.start}, {"end", &tq.end}} {
		if s := q.Get(p.name); s != "" {
			t, err := parseTimeOrDate(s, e.cal.ny)
			if err != nil {
				return tq, badRequest(p.name + " must be an RFC 3339 time or a date")
			}
			*p.dst = t
		}
	}
	if tq.end.After(now) {
		tq.end = now
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxTickLimit {
			return tq, badRequest("limit must be between 1 and 10000")
		}
		tq.limit = n
	}
	if tq.desc, err = ascDesc(q.Get("sort"), false, "sort", badRequest); err != nil {
		return tq, err
	}
	if tok := q.Get("page_token"); tok != "" {
		var ok bool
		if tq.pageSym, tq.pageAt, ok = decodePageToken(tok, len(syms)); !ok {
			return tq, badRequest("invalid page_token")
		}
	}
	return tq, nil
}

// ticksPage reads one page of path points, symbol by symbol
// (alphabetically), limit in all, as the bars pages are read.
func (e *Exchange) ticksPage(r *http.Request) (map[string][]tick, *string, error) {
	e.mu.Lock()
	now := e.marketNow()
	e.mu.Unlock()
	tq, err := e.parseTickQuery(r, now)
	if err != nil {
		return nil, nil, err
	}
	adj := e.adjustments(tq.symbols)
	out := map[string][]tick{}
	n := 0
	var token *string
	for si := tq.pageSym; si < len(tq.symbols) && token == nil; si++ {
		sym := tq.symbols[si]
		from, to := tq.start, tq.end
		if si == tq.pageSym && !tq.pageAt.IsZero() {
			if tq.desc {
				to = tq.pageAt
			} else {
				from = tq.pageAt
			}
		}
		adj[sym].eachTick(from, to, tq.desc, func(tk tick) bool {
			if n == tq.limit {
				tok := encodePageToken(si, tk.at)
				token = &tok
				return false
			}
			out[sym] = append(out[sym], tk)
			n++
			return true
		})
	}
	return out, token, nil
}

// serveTicks answers a historical trades or quotes request: {key: {sym:
// [...]}, next_page_token}, or {symbol, key: [...], next_page_token} for
// the path's symbol.
func (e *Exchange) serveTicks(w http.ResponseWriter, r *http.Request, key string, view func(tick) any) {
	page, token, err := e.ticksPage(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	out := map[string][]any{}
	for sym, tks := range page {
		for _, tk := range tks {
			out[sym] = append(out[sym], view(tk))
		}
	}
	if sym := r.PathValue("symbol"); sym != "" {
		list := out[sym]
		if list == nil {
			list = []any{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"symbol": sym, key: list, "next_page_token": token})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out, "next_page_token": token})
}

func (e *Exchange) handleTrades(w http.ResponseWriter, r *http.Request) {
	e.serveTicks(w, r, "trades", func(tk tick) any { return e.tradeOf(tk) })
}

func (e *Exchange) handleQuotes(w http.ResponseWriter, r *http.Request) {
	e.serveTicks(w, r, "quotes", func(tk tick) any { return quoteOf(tk) })
}
