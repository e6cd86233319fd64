package broker

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Observer is told about every HTTP attempt and every rate-limit wait, so
// that the caller can export them (the broker package knows nothing of
// metrics). Calls come from whichever goroutine made the request.
type Observer interface {
	// BrokerRequest reports one HTTP attempt: endpoint is a path template
	// (see EndpointTemplate), status the HTTP code or "error" when no
	// response arrived.
	BrokerRequest(endpoint, status string, latency time.Duration)
	// RateLimitWait reports time spent waiting for the rate limit before a
	// request was sent.
	RateLimitWait(d time.Duration)
}

type noObserver struct{}

func (noObserver) BrokerRequest(string, string, time.Duration) {}
func (noObserver) RateLimitWait(time.Duration)                 {}

// statusLabel is the status an Observer receives.
func statusLabel(resp *http.Response, err error) string {
	if err != nil || resp == nil {
		return "error"
	}
	return strconv.Itoa(resp.StatusCode)
}

// knownSegments are the path words of the Alpaca trading and market data
// APIs. Any other segment is a symbol or an id, which must not become a
// label value: one time series per order would never stop growing.
var knownSegments = map[string]bool{
	"v1": true, "v2": true, "v1beta1": true, "v1beta3": true, "account": true, "clock": true,
	"calendar": true, "assets": true, "positions": true, "orders": true,
	"orders:by_client_order_id": true, "stocks": true, "crypto": true, "options": true, "us": true,
	"bars": true, "trades": true, "quotes": true, "snapshots": true, "auctions": true, "latest": true,
	"meta": true, "conditions": true, "exchanges": true, "news": true, "activities": true,
	"portfolio": true, "history": true, "watchlists": true, "configurations": true, "corporate_actions": true,
}

// symbolAfter names the parameter that follows these segments.
var symbolAfter = map[string]bool{"positions": true, "assets": true, "stocks": true}

// EndpointTemplate maps a request path to a low-cardinality template such
// as /v2/orders/{id} or /v2/stocks/{symbol}/bars.
func EndpointTemplate(path string) string {
	trimmed := strings.Trim(path, "/")
	if trimmed == "" {
		return "/"
	}
	segs := strings.Split(trimmed, "/")
	for i, s := range segs {
		if knownSegments[s] {
			continue
		}
		if i > 0 && symbolAfter[segs[i-1]] {
			segs[i] = "{symbol}"
		} else {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}
