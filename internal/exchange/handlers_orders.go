package exchange

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	defaultOrderLimit = 50
	maxOrderLimit     = 500
)

func orderNotFound() *apiError {
	return errf(http.StatusNotFound, codeNotFound, "order not found")
}

func (e *Exchange) handleGetOrder(w http.ResponseWriter, r *http.Request) {
	e.writeOrder(w, func() *order { return e.byID[r.PathValue("id")] })
}

func (e *Exchange) handleOrderByClientID(w http.ResponseWriter, r *http.Request) {
	e.writeOrder(w, func() *order { return e.byClient[r.URL.Query().Get("client_order_id")] })
}

// writeOrder answers with the order lookup finds (under the lock), or 404.
func (e *Exchange) writeOrder(w http.ResponseWriter, lookup func() *order) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := lookup()
	if o == nil {
		writeError(w, orderNotFound())
		return
	}
	writeJSON(w, http.StatusOK, e.viewLocked(o, true))
}

func (e *Exchange) handleCancelOrder(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := e.byID[r.PathValue("id")]
	if o == nil {
		writeError(w, orderNotFound())
		return
	}
	if !o.open() {
		writeError(w, invalid("order is not cancelable: status "+o.Status))
		return
	}
	e.cancelLocked(o, e.marketNow())
	e.respondSaved(w, http.StatusNoContent, nil)
}

type cancelEntry struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
}

func (e *Exchange) cancelAllLocked(now time.Time) []cancelEntry {
	out := []cancelEntry{}
	for _, o := range e.st.Orders {
		if o.open() {
			e.cancelLocked(o, now)
			out = append(out, cancelEntry{ID: o.ID, Status: http.StatusOK})
		}
	}
	return out
}

func (e *Exchange) handleCancelAll(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.cancelAllLocked(e.marketNow())
	e.respondSaved(w, http.StatusMultiStatus, out)
}

// orderFilter is the query of GET /v2/orders.
type orderFilter struct {
	status       string
	limit        int
	after, until time.Time
	asc, nested  bool
	side         string
	symbols      map[string]bool
}

func parseOrderFilter(r *http.Request) (orderFilter, *apiError) {
	q := r.URL.Query()
	f := orderFilter{status: q.Get("status"), limit: defaultOrderLimit, side: q.Get("side"), nested: q.Get("nested") == "true"}
	if f.status == "" {
		f.status = "open"
	}
	if f.status != "open" && f.status != "closed" && f.status != "all" {
		return f, errf(http.StatusUnprocessableEntity, codeUnprocessable, "status must be open, closed or all")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return f, errf(http.StatusUnprocessableEntity, codeUnprocessable, "limit must be a positive integer")
		}
		f.limit = min(n, maxOrderLimit)
	}
	for name, dst := range map[string]*time.Time{"after": &f.after, "until": &f.until} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return f, errf(http.StatusUnprocessableEntity, codeUnprocessable, name+" must be an RFC 3339 time")
			}
			*dst = t
		}
	}
	switch q.Get("direction") {
	case "", "desc":
	case "asc":
		f.asc = true
	default:
		return f, errf(http.StatusUnprocessableEntity, codeUnprocessable, "direction must be asc or desc")
	}
	if s := q.Get("symbols"); s != "" {
		f.symbols = make(map[string]bool)
		for _, sym := range strings.Split(s, ",") {
			f.symbols[strings.TrimSpace(sym)] = true
		}
	}
	return f, nil
}

func (f orderFilter) match(o *order) bool {
	switch {
	case f.status == "open" && !o.open(), f.status == "closed" && o.open():
		return false
	case !f.after.IsZero() && !o.CreatedAt.After(f.after):
		return false
	case !f.until.IsZero() && !o.CreatedAt.Before(f.until):
		return false
	case f.side != "" && o.Side != f.side:
		return false
	case f.symbols != nil && !f.symbols[o.Symbol]:
		return false
	case f.nested && o.ParentID != "":
		return false // shown under its parent
	}
	return true
}

func (e *Exchange) handleListOrders(w http.ResponseWriter, r *http.Request) {
	f, aerr := parseOrderFilter(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var sel []*order
	for _, o := range e.st.Orders {
		if f.match(o) {
			sel = append(sel, o)
		}
	}
	// Orders are kept in creation order; stable sorting keeps that order
	// among orders submitted at the same market instant.
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].CreatedAt.Before(sel[j].CreatedAt) })
	if !f.asc {
		for i, j := 0, len(sel)-1; i < j; i, j = i+1, j-1 {
			sel[i], sel[j] = sel[j], sel[i]
		}
	}
	out := make([]orderView, 0, min(len(sel), f.limit))
	for _, o := range sel[:min(len(sel), f.limit)] {
		out = append(out, e.viewLocked(o, f.nested))
	}
	writeJSON(w, http.StatusOK, out)
}
