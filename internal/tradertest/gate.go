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
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		closed := g.closed
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
