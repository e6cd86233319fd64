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

// withPosition runs fn under the lock with the position named in the path,
// or answers 404.
func (e *Exchange) withPosition(w http.ResponseWriter, r *http.Request, fn func(sym string, p *position)) {
	sym := r.PathValue("symbol")
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.st.Positions[sym]
	if p == nil {
		writeError(w, positionNotFound(sym))
		return
	}
	fn(sym, p)
}

func (e *Exchange) handlePosition(w http.ResponseWriter, r *http.Request) {
	e.withPosition(w, r, func(sym string, p *position) {
		writeJSON(w, http.StatusOK, e.positionViewLocked(sym, p, e.marketNow()))
	})
}

// handleClosePosition liquidates all of a position, or qty shares, or a
// percentage of it, with a market order.
func (e *Exchange) handleClosePosition(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.withPosition(w, r, func(sym string, p *position) {
		e.closePositionLocked(w, sym, p, q.Get("qty"), q.Get("percentage"))
	})
}

func (e *Exchange) closePositionLocked(w http.ResponseWriter, sym string, p *position, qtyArg, pctArg string) {
	qty, aerr := closeQty(p.Qty.Abs(), qtyArg, pctArg)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	o, aerr := e.closeLocked(sym, p, qty)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.respondSaved(w, http.StatusOK, e.viewLocked(o, true))
}

// closeQty is how much of a position of size held to liquidate: all of it,
// qtyArg shares, or pctArg percent.
func closeQty(held decimal.Decimal, qtyArg, pctArg string) (decimal.Decimal, *apiError) {
	hundred := decimal.NewFromInt(100)
	parse := func(s string, max decimal.Decimal) (decimal.Decimal, bool) {
		v, err := decimal.NewFromString(s)
		return v, err == nil && saneDecimal(&v) && v.IsPositive() && v.LessThanOrEqual(max)
	}
	switch {
	case qtyArg != "" && pctArg != "":
		return held, invalid("qty and percentage are mutually exclusive")
	case qtyArg != "":
		v, ok := parse(qtyArg, held)
		if !ok {
			return held, invalid("qty must be > 0 and at most the position's qty")
		}
		return v, nil
	case pctArg != "":
		v, ok := parse(pctArg, hundred)
		if !ok {
			return held, invalid("percentage must be in (0, 100]")
		}
		return held.Mul(v).Div(hundred).Truncate(9), nil
	}
	return held, nil
}

// availableLocked is how much of a position open exit orders do not
// already hold; like Alpaca, an exit pair (bracket legs, OCO) holds its
// quantity once.
func (e *Exchange) availableLocked(sym string, p *position) decimal.Decimal {
	exit := closingSide(p)
	held := map[string]decimal.Decimal{}
	for _, o := range e.st.Orders {
		if o.Symbol != sym || o.Side != exit || !o.open() {
			continue
		}
		key := o.ID
		if o.ParentID != "" && len(e.exitGroupLocked(o)) > 0 {
			key = o.ParentID
		}
		held[key] = decimal.Max(held[key], o.Qty)
	}
	avail := p.Qty.Abs()
	for _, q := range held {
		avail = avail.Sub(q)
	}
	return decimal.Max(decimal.Zero, avail)
}

func closingSide(p *position) string {
	if p.Qty.IsNegative() {
		return "buy"
	}
	return "sell"
}

func (e *Exchange) closeLocked(sym string, p *position, qty decimal.Decimal) (*order, *apiError) {
	side := closingSide(p)
	if avail := e.availableLocked(sym, p); qty.GreaterThan(avail) {
		return nil, errf(http.StatusForbidden, codeForbidden,
			"insufficient qty available for order (requested: "+qty.String()+", available: "+avail.String()+")")
	}
	return e.placeLocked(placeRequest{Symbol: sym, Qty: &qty, Side: side, Type: "market", TimeInForce: "day"})
}

type closeAllEntry struct {
	Symbol string `json:"symbol"`
	Status int    `json:"status"`
	Body   any    `json:"body"` // the order, or the error
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
			out = append(out, closeAllEntry{Symbol: sym, Status: aerr.Status, Body: aerr})
			continue
		}
		out = append(out, closeAllEntry{Symbol: sym, Status: http.StatusOK, Body: e.viewLocked(o, false)})
	}
	e.respondSaved(w, http.StatusMultiStatus, out)
}
