package tradertest

import (
	"net/http"
	"strings"
	"sync"
)

// gate can make the exchange hang, as a SIGSTOPped exchange process does:
// requests wait until it opens again or their client gives up.
type gate struct {
	mu     sync.Mutex
	closed chan struct{} // nil while open
	// served counts requests by method and path, for tests that bound
	// how many requests a tick makes.
	served map[string]int
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		closed := g.closed
		if g.served == nil {
			g.served = map[string]int{}
		}
		g.served[r.Method+" "+r.URL.Path]++
		g.mu.Unlock()
		if closed != nil && !strings.HasPrefix(r.URL.Path, "/sim/") {
			select {
			case <-closed:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Hang makes every trading and market-data request of the exchange wait
// until Unhang; the admin API keeps answering.
func (w *World) Hang() {
	w.gate.mu.Lock()
	defer w.gate.mu.Unlock()
	if w.gate.closed == nil {
		w.gate.closed = make(chan struct{})
	}
}

// Unhang lets the waiting requests through.
func (w *World) Unhang() {
	w.gate.mu.Lock()
	defer w.gate.mu.Unlock()
	if w.gate.closed != nil {
		close(w.gate.closed)
		w.gate.closed = nil
	}
}

// Requests is how many requests the exchange was sent so far whose method
// and path start with prefix ("GET /v2/orders" counts the list and every
// lookup by id or client_order_id).
func (w *World) Requests(prefix string) int {
	w.gate.mu.Lock()
	defer w.gate.mu.Unlock()
	n := 0
	for k, c := range w.gate.served {
		if strings.HasPrefix(k, prefix) {
			n += c
		}
	}
	return n
}
