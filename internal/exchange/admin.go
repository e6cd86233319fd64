package exchange

import (
	"net"
	"net/http"
	"time"

	"github.com/shopspring/decimal"
)

// loopbackOnly refuses the admin API to anything but a loopback peer.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			writeError(w, errf(http.StatusForbidden, codeForbidden, "the admin API is only served to loopback clients"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (e *Exchange) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sim/v1/price", e.handleAdminGetPrice)
	mux.HandleFunc("POST /sim/v1/price", e.handleAdminSetPrice)
	mux.HandleFunc("POST /sim/v1/burst", e.handleAdminBurst)
	mux.HandleFunc("GET /sim/v1/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.faults.get())
	})
	mux.HandleFunc("POST /sim/v1/faults", e.handleAdminFaults)
	mux.HandleFunc("GET /sim/v1/orders", e.handleAdminOrders)
	mux.HandleFunc("POST /sim/v1/reset", e.handleAdminReset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errf(http.StatusNotFound, codeNotFound, "admin endpoint not found"))
	})
	return mux
}

type priceRequest struct {
	Symbol    string           `json:"symbol"`
	Price     *decimal.Decimal `json:"price"`
	ChangePct *decimal.Decimal `json:"change_pct"`
}

type priceView struct {
	Symbol string          `json:"symbol"`
	Price  decimal.Decimal `json:"price"`
}

func (e *Exchange) handleAdminGetPrice(w http.ResponseWriter, r *http.Request) {
	sym := r.URL.Query().Get("symbol")
	e.mu.Lock()
	defer e.mu.Unlock()
	px, ok := e.priceLocked(sym, e.marketNow())
	if !ok {
		e.fail(w, unknownSymbol(sym))
		return
	}
	writeJSON(w, http.StatusOK, priceView{Symbol: sym, Price: px})
}

// handleAdminSetPrice moves a symbol's price from now on (the generated
// path continues from the new level) and matches resting orders at once.
func (e *Exchange) handleAdminSetPrice(w http.ResponseWriter, r *http.Request) {
	var req priceRequest
	if err := decodeBody(r, &req); err != nil {
		e.fail(w, err)
		return
	}
	if !e.src.known(req.Symbol) {
		e.fail(w, unknownSymbol(req.Symbol))
		return
	}
	if !saneDecimal(req.Price) || !saneDecimal(req.ChangePct) {
		e.fail(w, badRequest("numbers must have at most 9 decimal places and 12 integer digits"))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.matchLocked() // settle up to now on the old prices
	now := e.marketNow()
	var px decimal.Decimal
	switch {
	case req.Price != nil && req.ChangePct == nil:
		px = *req.Price
	case req.ChangePct != nil && req.Price == nil:
		cur, _ := e.priceLocked(req.Symbol, now)
		px = cur.Mul(decimal.NewFromInt(100).Add(*req.ChangePct)).Div(decimal.NewFromInt(100)).Round(2)
	default:
		e.fail(w, badRequest("give exactly one of price or change_pct"))
		return
	}
	if !px.IsPositive() {
		e.fail(w, badRequest("price must be > 0"))
		return
	}
	ov := override{Symbol: req.Symbol, At: now, Price: px, Bursts: len(e.adjustmentsLocked(req.Symbol).bursts)}
	e.st.Overrides = append(e.st.Overrides, ov)
	e.executeAdminPriceLocked(req.Symbol, now)
	e.respondSaved(w, http.StatusOK, priceView{Symbol: req.Symbol, Price: px})
}

type burstRequest struct {
	Symbol     string  `json:"symbol"`
	ChangePct  float64 `json:"change_pct"`
	Minutes    int     `json:"minutes"`
	VolumeMult float64 `json:"volume_mult"`
}

// Defaults of POST /sim/v1/burst: five 5Min bars at six times the volume,
// which the default momentum strategy (|change| >= 2%, volume ratio >= 2
// over the last 5 of 20 bars) reads as a signal.
const (
	defaultBurstMinutes = 25
	defaultBurstVolume  = 6
	burstGrid           = 5 * time.Minute
)

// handleAdminBurst writes a momentum burst into the recent past: the
// price ramps by change_pct over the `minutes` that end at the last
// 5-minute boundary, with volume spiking, and stays shifted afterwards. A
// strategy's next look at the bars sees the burst at once.
func (e *Exchange) handleAdminBurst(w http.ResponseWriter, r *http.Request) {
	var req burstRequest
	if err := decodeBody(r, &req); err != nil {
		e.fail(w, err)
		return
	}
	if req.Minutes == 0 {
		req.Minutes = defaultBurstMinutes
	}
	if req.VolumeMult == 0 {
		req.VolumeMult = defaultBurstVolume
	}
	switch {
	case !e.src.known(req.Symbol):
		e.fail(w, unknownSymbol(req.Symbol))
		return
	case req.ChangePct <= -90 || req.ChangePct > 1000 || req.ChangePct == 0:
		e.fail(w, badRequest("change_pct must be non-zero and in (-90, 1000]"))
		return
	case req.Minutes < 1 || req.Minutes > 24*60 || req.VolumeMult < 1 || req.VolumeMult > 1000:
		e.fail(w, badRequest("minutes must be in [1, 1440] and volume_mult in [1, 1000]"))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.matchLocked() // settle up to now on the old prices
	now := e.marketNow()
	end := now.Truncate(burstGrid)
	b := burst{Symbol: req.Symbol, Start: end.Add(-time.Duration(req.Minutes) * time.Minute), End: end,
		ChangePct: req.ChangePct, VolumeMult: req.VolumeMult}
	e.st.Bursts = append(e.st.Bursts, b)
	e.executeAdminPriceLocked(req.Symbol, now)
	px, _ := e.priceLocked(req.Symbol, now)
	e.respondSaved(w, http.StatusOK, map[string]any{"symbol": req.Symbol, "start": b.Start, "end": b.End, "price": px})
}

func (e *Exchange) handleAdminFaults(w http.ResponseWriter, r *http.Request) {
	var cfg faultConfig
	if err := decodeBody(r, &cfg); err != nil {
		e.fail(w, err)
		return
	}
	if cfg.Rate < 0 || cfg.Rate > 1 {
		e.fail(w, badRequest("rate must be in [0, 1]"))
		return
	}
	for _, k := range cfg.Kinds {
		if !validFaultKind(k) {
			e.fail(w, badRequest("unknown fault kind "+k))
			return
		}
	}
	e.faults.set(cfg)
	writeJSON(w, http.StatusOK, cfg)
}

// handleAdminOrders lists every order ever created, legs included, flat and
// in creation order.
func (e *Exchange) handleAdminOrders(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]orderView, 0, len(e.st.Orders))
	for _, o := range e.st.Orders {
		out = append(out, e.viewLocked(o, false))
	}
	writeJSON(w, http.StatusOK, out)
}

func unknownSymbol(sym string) error { return refuse(refusedNotFound, "unknown symbol %s", sym) }

// handleAdminReset forgets orders, positions, price overrides and faults;
// the market clock keeps running.
func (e *Exchange) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	e.faults.set(faultConfig{})
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.freshState(e.marketNow())
	e.setState(st)
	e.respondSaved(w, http.StatusOK, map[string]string{"status": "reset"})
}
