package exchange

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"
)

// The trade-updates websocket at /stream speaks Alpaca's JSON protocol:
//
//	-> {"action":"authenticate","data":{"key_id":"K","secret_key":"S"}}
//	   (or {"action":"auth","key":"K","secret":"S"})
//	<- {"stream":"authorization","data":{"action":"authenticate","status":"authorized"}}
//	-> {"action":"listen","data":{"streams":["trade_updates"]}}
//	<- {"stream":"listening","data":{"streams":["trade_updates"]}}
//	<- {"stream":"trade_updates","data":{"event":"fill","order":{...},...}}
//
// Wrong credentials get status "unauthorized" and the connection is
// closed. A listen before authenticating is answered with no streams and
// an error; an unreadable frame with {"stream":"error","data":{"error":
// "..."}}, and the connection stays open. Streams other than
// trade_updates are ignored. Updates start with the events after the
// listen: the websocket, like Alpaca's, does not replay.

type wsFrame struct {
	Action string          `json:"action"`
	Key    string          `json:"key"`
	Secret string          `json:"secret"`
	Data   json.RawMessage `json:"data"`
}

type wsAuthData struct {
	KeyID     string `json:"key_id"`
	SecretKey string `json:"secret_key"`
}

type wsListenData struct {
	Streams []string `json:"streams"`
}

type wsOut struct {
	Stream string `json:"stream"`
	Data   any    `json:"data"`
}

// wsUpdate is a trade update as the websocket sends it: every event but
// new carries the timestamp of what happened.
type wsUpdate struct {
	Event       string           `json:"event"`
	ExecutionID string           `json:"execution_id,omitempty"`
	Order       orderView        `json:"order"`
	PositionQty *decimal.Decimal `json:"position_qty,omitempty"`
	Price       *decimal.Decimal `json:"price,omitempty"`
	Qty         *decimal.Decimal `json:"qty,omitempty"`
	Timestamp   *time.Time       `json:"timestamp,omitempty"`
}

func wsUpdateOf(u tradeUpdate) wsUpdate {
	w := u.wsUpdate
	if w.Timestamp == nil && u.Event != "new" {
		t := u.At
		w.Timestamp = &t
	}
	return w
}

// wsSession is one websocket client.
type wsSession struct {
	e    *Exchange
	conn *websocket.Conn

	mu        sync.Mutex
	authed    bool
	listening bool
	from      int           // the event log index updates start at
	wake      chan struct{} // signals the pump that listening began
}

func (e *Exchange) handleWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client
	}
	defer func() { _ = conn.CloseNow() }()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-e.events.quit:
			_ = conn.Close(websocket.StatusGoingAway, "exchange shutting down")
			cancel()
		case <-ctx.Done():
		}
	}()
	s := &wsSession{e: e, conn: conn, wake: make(chan struct{}, 1)}
	go s.pump(ctx)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if !s.handle(ctx, data) {
			_ = conn.Close(websocket.StatusPolicyViolation, "unauthorized")
			return
		}
	}
}

func (s *wsSession) send(ctx context.Context, stream string, data any) error {
	b, err := json.Marshal(wsOut{Stream: stream, Data: data})
	if err != nil {
		return err
	}
	return s.conn.Write(ctx, websocket.MessageText, b)
}

// handle answers one client frame; false ends the connection.
func (s *wsSession) handle(ctx context.Context, data []byte) bool {
	var f wsFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return s.send(ctx, "error", map[string]string{"error": "invalid message: " + err.Error()}) == nil
	}
	switch f.Action {
	case "authenticate", "auth":
		key, secret := f.Key, f.Secret
		var a wsAuthData
		if len(f.Data) > 0 && json.Unmarshal(f.Data, &a) == nil && (a.KeyID != "" || a.SecretKey != "") {
			key, secret = a.KeyID, a.SecretKey
		}
		ok := s.e.authorized(key, secret)
		status := "unauthorized"
		if ok {
			status = "authorized"
		}
		s.mu.Lock()
		s.authed = ok
		s.mu.Unlock()
		return s.send(ctx, "authorization", map[string]string{"action": "authenticate", "status": status}) == nil && ok
	case "listen":
		return s.listen(ctx, f.Data)
	default:
		return s.send(ctx, "error", map[string]string{"error": "unknown action " + f.Action}) == nil
	}
}

func (s *wsSession) listen(ctx context.Context, raw json.RawMessage) bool {
	var l wsListenData
	_ = json.Unmarshal(raw, &l)
	s.mu.Lock()
	authed := s.authed
	streams := []string{}
	if authed {
		on := false
		for _, st := range l.Streams {
			if st == "trade_updates" {
				on = true
				streams = append(streams, st)
			}
		}
		if on && !s.listening {
			_, s.from, _ = s.e.events.from(1 << 62)
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
		s.listening = on
	}
	s.mu.Unlock()
	if !authed {
		return s.send(ctx, "listening", map[string]any{"streams": streams, "error": "not authenticated: send authenticate first"}) == nil
	}
	return s.send(ctx, "listening", map[string]any{"streams": streams}) == nil
}

// pump sends the trade updates after the listen, in order.
func (s *wsSession) pump(ctx context.Context) {
	for {
		s.mu.Lock()
		on, next := s.listening, s.from
		s.mu.Unlock()
		var more <-chan struct{}
		if on {
			var batch []tradeUpdate
			batch, next, more = s.e.events.from(next)
			for _, u := range batch {
				if s.send(ctx, "trade_updates", wsUpdateOf(u)) != nil {
					return
				}
			}
			s.mu.Lock()
			if s.listening {
				s.from = next
			}
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-more: // nil (blocks) while not listening
		}
	}
}
