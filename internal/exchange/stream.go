package exchange

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// tradeUpdate is one event of GET /v2/events/trades, in Alpaca's shape:
// the websocket's update with the event's time and id.
type tradeUpdate struct {
	At      time.Time `json:"at"`
	EventID string    `json:"event_id"`
	wsUpdate
}

// events is the in-memory log of trade updates since the exchange started
// (it is not persisted: the orders themselves are). Streams wait on
// notify, which is closed and replaced whenever an event is appended.
type events struct {
	mu     sync.Mutex
	log    []tradeUpdate
	notify chan struct{}
	quit   chan struct{}
	once   sync.Once
}

func newEvents() *events {
	return &events{notify: make(chan struct{}), quit: make(chan struct{})}
}

func (ev *events) add(u tradeUpdate) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	u.EventID = fmt.Sprintf("%020d", len(ev.log)+1)
	ev.log = append(ev.log, u)
	close(ev.notify)
	ev.notify = make(chan struct{})
}

// from returns the events at index i and later, and a channel that is
// closed when more arrive.
func (ev *events) from(i int) ([]tradeUpdate, int, <-chan struct{}) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	out := append([]tradeUpdate(nil), ev.log[min(i, len(ev.log)):]...)
	return out, len(ev.log), ev.notify
}

// stop ends every open stream, so a graceful shutdown does not wait on them.
func (ev *events) stop() { ev.once.Do(func() { close(ev.quit) }) }

func (e *Exchange) emitLocked(event string, o *order, now time.Time) {
	u := tradeUpdate{At: now, wsUpdate: wsUpdate{Event: event, Order: e.viewLocked(o, true)}}
	if event == "fill" {
		t := now
		var pos decimal.Decimal
		if p := e.st.Positions[o.Symbol]; p != nil {
			pos = p.Qty
		}
		u.ExecutionID, u.Price, u.Qty, u.PositionQty, u.Timestamp = newUUID(), o.FilledAvgPrice, &o.FilledQty, &pos, &t
	}
	e.events.add(u)
}

// streamFilter selects events by market time (since, until) or event id
// (since_id, until_id); without since the stream starts with new events.
type streamFilter struct {
	since, until     time.Time
	sinceID, untilID string
	replay           bool
}

func (f streamFilter) wants(u tradeUpdate) bool {
	return (f.since.IsZero() || !u.At.Before(f.since)) && (f.sinceID == "" || u.EventID > f.sinceID)
}

func (f streamFilter) past(u tradeUpdate) bool {
	return (!f.until.IsZero() && u.At.After(f.until)) || (f.untilID != "" && u.EventID > f.untilID)
}

func (e *Exchange) handleTradeStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := streamFilter{sinceID: q.Get("since_id"), untilID: q.Get("until_id")}
	for name, dst := range map[string]*time.Time{"since": &f.since, "until": &f.until} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				e.fail(w, badRequest(name+" must be an RFC 3339 time"))
				return
			}
			*dst = t
		}
	}
	f.replay = !f.since.IsZero() || f.sinceID != ""
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()

	batch, next, more := e.events.from(0)
	if !f.replay {
		batch = nil
	}
	for {
		for _, u := range batch {
			if f.past(u) {
				return
			}
			if !f.wants(u) {
				continue
			}
			data, err := json.Marshal(u)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-more:
		case <-r.Context().Done():
			return
		case <-e.events.quit:
			return
		}
		batch, next, more = e.events.from(next)
	}
}
