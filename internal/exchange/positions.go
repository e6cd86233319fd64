package exchange

import (
	"net/http"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

type positionView struct {
	AssetID                string           `json:"asset_id"`
	Symbol                 string           `json:"symbol"`
	Exchange               string           `json:"exchange"`
	AssetClass             string           `json:"asset_class"`
	AssetMarginable        bool             `json:"asset_marginable"`
	Qty                    decimal.Decimal  `json:"qty"`
	QtyAvailable           decimal.Decimal  `json:"qty_available"`
	AvgEntryPrice          decimal.Decimal  `json:"avg_entry_price"`
	Side                   string           `json:"side"`
	MarketValue            *decimal.Decimal `json:"market_value"`
	CostBasis              decimal.Decimal  `json:"cost_basis"`
	UnrealizedPL           *decimal.Decimal `json:"unrealized_pl"`
	UnrealizedPLPC         *decimal.Decimal `json:"unrealized_plpc"`
	UnrealizedIntradayPL   *decimal.Decimal `json:"unrealized_intraday_pl"`
	UnrealizedIntradayPLPC *decimal.Decimal `json:"unrealized_intraday_plpc"`
	CurrentPrice           *decimal.Decimal `json:"current_price"`
	LastdayPrice           *decimal.Decimal `json:"lastday_price"`
	ChangeToday            *decimal.Decimal `json:"change_today"`
}

func (e *Exchange) positionViewLocked(sym string, p *position, now time.Time) positionView {
	px := e.markLocked(sym, p, now)
	mv := p.Qty.Mul(px)
	cost := p.Qty.Mul(p.AvgEntry)
	pl := mv.Sub(cost)
	plpc := decimal.Zero
	if !cost.IsZero() {
		plpc = pl.Div(cost.Abs()).Round(6)
	}
	side := "long"
	if p.Qty.IsNegative() {
		side = "short"
	}
	return positionView{
		AssetID: assetID(sym), Symbol: sym, Exchange: "NASDAQ", AssetClass: "us_equity", AssetMarginable: true,
		Qty: p.Qty, QtyAvailable: p.Qty, AvgEntryPrice: p.AvgEntry, Side: side,
		MarketValue: &mv, CostBasis: cost, UnrealizedPL: &pl, UnrealizedPLPC: &plpc,
		UnrealizedIntradayPL: &pl, UnrealizedIntradayPLPC: &plpc, CurrentPrice: &px,
	}
}

func (e *Exchange) handlePositions(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.marketNow()
	out := make([]positionView, 0, len(e.st.Positions))
	for _, sym := range e.positionSymbolsLocked() {
		out = append(out, e.positionViewLocked(sym, e.st.Positions[sym], now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Exchange) positionSymbolsLocked() []string {
	syms := make([]string, 0, len(e.st.Positions))
	for s := range e.st.Positions {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	return syms
}

func positionNotFound(sym string) *apiError {
	return errf(http.StatusNotFound, codeNotFound, "position does not exist: "+sym)
}

func (e *Exchange) handlePosition(w http.ResponseWriter, r *http.Request) {
	sym := r.PathValue("symbol")
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.st.Positions[sym]
	if p == nil {
		writeError(w, positionNotFound(sym))
		return
	}
	writeJSON(w, http.StatusOK, e.positionViewLocked(sym, p, e.marketNow()))
}

// handleClosePosition liquidates all of a position, or qty shares, or a
// percentage of it, with a market order.
func (e *Exchange) handleClosePosition(w http.ResponseWriter, r *http.Request) {
	sym := r.PathValue("symbol")
	q := r.URL.Query()
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.st.Positions[sym]
	if p == nil {
		writeError(w, positionNotFound(sym))
		return
	}
	qty := p.Qty.Abs()
	switch {
	case q.Get("qty") != "" && q.Get("percentage") != "":
		writeError(w, invalid("qty and percentage are mutually exclusive"))
		return
	case q.Get("qty") != "":
		v, err := decimal.NewFromString(q.Get("qty"))
		if err != nil || !saneDecimal(&v) || !v.IsPositive() || v.GreaterThan(qty) {
			writeError(w, invalid("qty must be > 0 and at most the position's qty"))
			return
		}
		qty = v
	case q.Get("percentage") != "":
		v, err := decimal.NewFromString(q.Get("percentage"))
		if err != nil || !saneDecimal(&v) || !v.IsPositive() || v.GreaterThan(decimal.NewFromInt(100)) {
			writeError(w, invalid("percentage must be in (0, 100]"))
			return
		}
		qty = qty.Mul(v).Div(decimal.NewFromInt(100)).Truncate(9)
	}
	o, aerr := e.closeLocked(sym, p, qty)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if err := e.saveLocked(); err != nil {
		writeError(w, errf(http.StatusInternalServerError, codeInternal, "internal server error"))
		return
	}
	writeJSON(w, http.StatusOK, e.viewLocked(o, true))
}

func (e *Exchange) closeLocked(sym string, p *position, qty decimal.Decimal) (*order, *apiError) {
	side := "sell"
	if p.Qty.IsNegative() {
		side = "buy"
	}
	return e.placeLocked(placeRequest{Symbol: sym, Qty: &qty, Side: side, Type: "market", TimeInForce: "day"})
}

type closeAllEntry struct {
	Symbol string    `json:"symbol"`
	Status int       `json:"status"`
	Body   orderView `json:"body"`
}

func (e *Exchange) handleCloseAllPositions(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.marketNow()
	if r.URL.Query().Get("cancel_orders") == "true" {
		e.cancelAllLocked(now)
	}
	out := []closeAllEntry{}
	for _, sym := range e.positionSymbolsLocked() {
		p := e.st.Positions[sym]
		o, aerr := e.closeLocked(sym, p, p.Qty.Abs())
		if aerr != nil {
			continue
		}
		out = append(out, closeAllEntry{Symbol: sym, Status: http.StatusOK, Body: e.viewLocked(o, false)})
	}
	if err := e.saveLocked(); err != nil {
		writeError(w, errf(http.StatusInternalServerError, codeInternal, "internal server error"))
		return
	}
	writeJSON(w, http.StatusMultiStatus, out)
}
