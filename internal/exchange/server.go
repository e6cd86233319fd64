package exchange

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Alpaca error codes the exchange sends.
const (
	codeBadRequest      = 40010000
	codeDuplicateClient = 40010001
	codeUnauthorized    = 40110000
	codeForbidden       = 40310000
	codeNotFound        = 40410000
	codeUnprocessable   = 42210000
	codeRateLimited     = 42910000
	codeInternal        = 50010000
)

// apiError is Alpaca's error body with the HTTP status it goes out with.
type apiError struct {
	Status  int    `json:"-"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func errf(status, code int, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// apiErrorOf maps an engine error to what Alpaca answers for it; anything
// that is not a refusal is an internal error, logged and not shown.
func (e *Exchange) apiErrorOf(err error) *apiError {
	r, ok := refusalOf(err)
	if !ok {
		e.log.Error().Err(err).Msg("exchange: internal error")
		return errf(http.StatusInternalServerError, codeInternal, "internal server error")
	}
	switch r.kind {
	case refusedDuplicate:
		return errf(http.StatusUnprocessableEntity, codeDuplicateClient, r.msg)
	case refusedInsufficient:
		return errf(http.StatusForbidden, codeForbidden, r.msg)
	case refusedNotFound:
		return errf(http.StatusNotFound, codeNotFound, r.msg)
	case refusedMalformed:
		return errf(http.StatusBadRequest, codeBadRequest, r.msg)
	default:
		return errf(http.StatusUnprocessableEntity, codeUnprocessable, r.msg)
	}
}

// fail answers with the Alpaca error for err.
func (e *Exchange) fail(w http.ResponseWriter, err error) {
	writeError(w, e.apiErrorOf(err))
}

// Handler serves the trading API, the market data API (on the same base
// URL) and the /sim/v1 admin API.
func (e *Exchange) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /v2/account", e.handleAccount)
	api.HandleFunc("GET /v2/clock", e.handleClock)
	api.HandleFunc("GET /v2/calendar", e.handleCalendar)
	api.HandleFunc("GET /v2/assets/{symbol}", e.handleAsset)
	api.HandleFunc("GET /v2/positions", e.handlePositions)
	api.HandleFunc("DELETE /v2/positions", e.handleCloseAllPositions)
	api.HandleFunc("GET /v2/positions/{symbol}", e.handlePosition)
	api.HandleFunc("DELETE /v2/positions/{symbol}", e.handleClosePosition)
	api.HandleFunc("POST /v2/orders", e.handlePlaceOrder)
	api.HandleFunc("GET /v2/orders", e.handleListOrders)
	api.HandleFunc("DELETE /v2/orders", e.handleCancelAll)
	api.HandleFunc("GET /v2/orders/{id}", e.handleGetOrder)
	api.HandleFunc("DELETE /v2/orders/{id}", e.handleCancelOrder)
	api.HandleFunc("GET /v2/orders:by_client_order_id", e.handleOrderByClientID)
	api.HandleFunc("GET /v2/events/trades", e.handleTradeStream)
	api.HandleFunc("GET /v2/stocks/bars", e.handleBars)
	api.HandleFunc("GET /v2/stocks/bars/latest", e.handleLatestBars)
	api.HandleFunc("GET /v2/stocks/trades/latest", e.handleLatestTrades)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errf(http.StatusNotFound, codeNotFound, "endpoint not found"))
	})

	root := http.NewServeMux()
	root.Handle("/sim/v1/", loopbackOnly(e.adminHandler()))
	root.Handle("/", e.faults.wrap(e.authenticate(e.matchFirst(api))))
	return root
}

// authenticate enforces the configured key pair the way Alpaca does.
func (e *Exchange) authenticate(next http.Handler) http.Handler {
	if e.cfg.KeyID == "" && e.cfg.Secret == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("APCA-API-KEY-ID") != e.cfg.KeyID || r.Header.Get("APCA-API-SECRET-KEY") != e.cfg.Secret {
			writeError(w, errf(http.StatusUnauthorized, codeUnauthorized, "request is not authorized"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// matchFirst settles resting orders against the current price before every
// request, so a client never sees an order that should already have filled.
func (e *Exchange) matchFirst(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		var err error
		if e.matchLocked() {
			err = e.saveLocked()
		}
		e.mu.Unlock()
		if err != nil {
			e.log.Error().Err(err).Msg("exchange: persist after fill")
			writeError(w, errf(http.StatusInternalServerError, codeInternal, "internal server error"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err *apiError) {
	writeJSON(w, err.Status, err)
}

// decodeBody reads a JSON request body strictly enough to catch garbage.
func decodeBody(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return refuse(refusedMalformed, "invalid request body: %s", strings.TrimSpace(err.Error()))
	}
	return nil
}

// respondSaved persists the state and then answers; the client never sees
// an acknowledgement of a change that is not on disk.
func (e *Exchange) respondSaved(w http.ResponseWriter, status int, v any) {
	if err := e.saveLocked(); err != nil {
		e.fail(w, fmt.Errorf("persist state: %w", err))
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}
