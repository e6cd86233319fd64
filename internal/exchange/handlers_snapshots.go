package exchange

import (
	"net/http"
	"time"
)

// snapshotView is a symbol's snapshot in Alpaca's shape.
type snapshotView struct {
	LatestTrade  *tradeView `json:"latestTrade"`
	LatestQuote  *quoteView `json:"latestQuote"`
	MinuteBar    *barView   `json:"minuteBar"`
	DailyBar     *barView   `json:"dailyBar"`
	PrevDailyBar *barView   `json:"prevDailyBar"`
}

// snapshot is sym's latest trade and quote, its last complete base bar as
// minuteBar (an hourly bar with an hourly bars file), the day bar of the
// New York date of that bar (its base bars complete so far) and the day
// bar of the date with data before it.
func (e *Exchange) snapshot(a adjustments, now time.Time) (snapshotView, bool) {
	var v snapshotView
	tk, ok := a.lastTick(now)
	if !ok {
		return v, false
	}
	t, q := e.tradeOf(tk), quoteOf(tk)
	v.LatestTrade, v.LatestQuote = &t, &q
	last, ok := a.latest(now)
	if !ok {
		return v, true
	}
	mb := viewBar(last)
	v.MinuteBar = &mb
	ny := e.cal.ny
	day := civilOf(last.T, ny).midnight(ny)
	if b, ok := a.span(day, day.AddDate(0, 0, 1), now); ok {
		b.T = day.UTC()
		db := viewBar(b)
		v.DailyBar = &db
	}
	if before, ok := a.src.barAt(a.sym, day.Add(-time.Nanosecond)); ok {
		prev := civilOf(before.T, ny).midnight(ny)
		if b, ok := a.span(prev, prev.AddDate(0, 0, 1), now); ok {
			b.T = prev.UTC()
			pb := viewBar(b)
			v.PrevDailyBar = &pb
		}
	}
	return v, true
}

// handleSnapshots serves GET /v2/stocks/snapshots ({sym: snapshot}) and
// GET /v2/stocks/{symbol}/snapshot ({symbol, ...snapshot}).
func (e *Exchange) handleSnapshots(w http.ResponseWriter, r *http.Request) {
	syms, now, err := e.symbolsNow(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	adj := e.adjustments(syms)
	out := map[string]snapshotView{}
	for _, sym := range syms {
		if v, ok := e.snapshot(adj[sym], now); ok {
			out[sym] = v
		}
	}
	sym := r.PathValue("symbol")
	if sym == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	v, ok := out[sym]
	if !ok {
		e.fail(w, refuse(refusedNotFound, "no snapshot for %s yet", sym))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Symbol string `json:"symbol"`
		snapshotView
	}{sym, v})
}
