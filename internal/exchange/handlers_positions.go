package exchange

import (
	"net/http"
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
		Qty: p.Qty, QtyAvailable: e.availableLocked(sym, p).Mul(decimal.NewFromInt(int64(p.Qty.Sign()))),
		AvgEntryPrice: p.AvgEntry, Side: side,
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

func (e *Exchange) handlePosition(w http.ResponseWriter, r *http.Request) {
	sym := r.PathValue("symbol")
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.st.Positions[sym]
	if p == nil {
		e.fail(w, positionNotFound(sym))
		return
	}
	writeJSON(w, http.StatusOK, e.positionViewLocked(sym, p, e.marketNow()))
}

// handleClosePosition liquidates all of a position, or qty shares, or a
// percentage of it, with a market order.
func (e *Exchange) handleClosePosition(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.mu.Lock()
	defer e.mu.Unlock()
	o, err := e.closePositionLocked(r.PathValue("symbol"), q.Get("qty"), q.Get("percentage"))
	if err != nil {
		e.fail(w, err)
		return
	}
	e.respondSaved(w, http.StatusOK, e.viewLocked(o, true))
}

type closeAllEntry struct {
	Symbol string `json:"symbol"`
	Status int    `json:"status"`
	Body   any    `json:"body"` // the order, or the error
}

func (e *Exchange) handleCloseAllPositions(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []closeAllEntry{}
	for _, res := range e.closeAllLocked(r.URL.Query().Get("cancel_orders") == "true", e.marketNow()) {
		if res.err != nil {
			aerr := e.apiErrorOf(res.err)
			out = append(out, closeAllEntry{Symbol: res.sym, Status: aerr.Status, Body: aerr})
			continue
		}
		out = append(out, closeAllEntry{Symbol: res.sym, Status: http.StatusOK, Body: e.viewLocked(res.order, false)})
	}
	e.respondSaved(w, http.StatusMultiStatus, out)
}
