package exchange

import (
	"net/http"
	"sort"
	"strings"
)

// defaultUniverse is what GET /v2/assets lists on generated prices, where
// every valid symbol trades: the symbols of shared/data's bars, to which
// every symbol the account has held, ordered or watched is added.
var defaultUniverse = []string{"AAPL", "AMD", "AMZN", "GOOGL", "META", "MSFT", "NFLX", "NVDA", "SPY", "TSLA"}

// universeLocked lists the assets GET /v2/assets serves, sorted: a bars
// file's symbols, or the default universe and the symbols in use.
func (e *Exchange) universeLocked() []string {
	if syms := e.src.symbols(); syms != nil {
		return syms
	}
	seen := map[string]bool{}
	for _, s := range defaultUniverse {
		seen[s] = true
	}
	for s := range e.st.Positions {
		seen[s] = true
	}
	for _, o := range e.st.Orders {
		seen[o.Symbol] = true
	}
	for _, wl := range e.st.Watchlists {
		for _, s := range wl.Symbols {
			seen[s] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// symbolOfLocked resolves a path's symbol_or_asset_id: a known symbol, or
// the asset id of a symbol in the universe.
func (e *Exchange) symbolOfLocked(s string) (string, bool) {
	if e.src.known(s) {
		return s, true
	}
	for _, sym := range e.universeLocked() {
		if assetID(sym) == s {
			return sym, true
		}
	}
	return "", false
}

func assetOf(sym string) assetView {
	return assetView{
		ID: assetID(sym), Class: "us_equity", Exchange: "NASDAQ", Symbol: sym, Name: sym + " (simulated)",
		Status: "active", Tradable: true, Marginable: true, MaintenanceMarginRequirement: 30,
		Shortable: true, EasyToBorrow: true, Fractionable: true, Attributes: []string{},
	}
}

func (e *Exchange) handleAsset(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	sym, ok := e.symbolOfLocked(r.PathValue("symbol"))
	e.mu.Unlock()
	if !ok {
		e.fail(w, refuse(refusedNotFound, "asset not found for %s", r.PathValue("symbol")))
		return
	}
	writeJSON(w, http.StatusOK, assetOf(sym))
}

// handleAssets lists the universe. Every asset is an active, tradable
// us_equity on NASDAQ with no attributes, so the status, asset_class,
// exchange and attributes filters either keep all or none.
func (e *Exchange) handleAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := []assetView{}
	keep := (q.Get("status") == "" || q.Get("status") == "active") &&
		(q.Get("asset_class") == "" || q.Get("asset_class") == "us_equity") &&
		(q.Get("exchange") == "" || strings.EqualFold(q.Get("exchange"), "NASDAQ")) &&
		q.Get("attributes") == ""
	if keep {
		e.mu.Lock()
		syms := e.universeLocked()
		e.mu.Unlock()
		for _, s := range syms {
			out = append(out, assetOf(s))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
