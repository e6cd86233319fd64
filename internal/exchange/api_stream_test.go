package exchange_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/coder/websocket"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// wsClient is a raw client of the trade-updates websocket.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

func dialStream(t *testing.T, f *fixture) *wsClient {
	t.Helper()
	// A hang guard, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.url, "http")+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != nil {
		_ = resp.Body.Close()
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &wsClient{t: t, conn: conn, ctx: ctx}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.conn.Write(c.ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

type wsMessage struct {
	Stream string          `json:"stream"`
	Data   json.RawMessage `json:"data"`
}

func (c *wsClient) read() wsMessage {
	c.t.Helper()
	_, b, err := c.conn.Read(c.ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%s: %v", b, err)
	}
	return m
}

func (c *wsClient) authenticate(key, secret string) string {
	c.t.Helper()
	c.send(map[string]any{"action": "authenticate", "data": map[string]string{"key_id": key, "secret_key": secret}})
	m := c.read()
	var d struct{ Action, Status string }
	_ = json.Unmarshal(m.Data, &d)
	if m.Stream != "authorization" || d.Action != "authenticate" {
		c.t.Fatalf("authorization answer = %s %s", m.Stream, m.Data)
	}
	return d.Status
}

func (c *wsClient) listen() {
	c.t.Helper()
	c.send(map[string]any{"action": "listen", "data": map[string][]string{"streams": {"trade_updates", "account_updates"}}})
	m := c.read()
	if m.Stream != "listening" || string(m.Data) != `{"streams":["trade_updates"]}` {
		c.t.Fatalf("listen answer = %s %s", m.Stream, m.Data)
	}
}

type wsTradeUpdate struct {
	Event       string `json:"event"`
	ExecutionID string `json:"execution_id"`
	Order       struct{ ID, Status string }
	Price       *string    `json:"price"`
	Qty         *string    `json:"qty"`
	PositionQty *string    `json:"position_qty"`
	Timestamp   *time.Time `json:"timestamp"`
}

func (c *wsClient) update() wsTradeUpdate {
	c.t.Helper()
	m := c.read()
	var u wsTradeUpdate
	if err := json.Unmarshal(m.Data, &u); err != nil || m.Stream != "trade_updates" {
		c.t.Fatalf("update = %s %s: %v", m.Stream, m.Data, err)
	}
	return u
}

func TestWebsocketTradeUpdates(t *testing.T) {
	f := newFixture(t, exchange.Config{MarketHours: true, KeyID: testKey, Secret: testSecret})
	f.setPrice(t, "AAPL", "100")
	early := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "50", alpaca.GTC)) // before the listen: not sent
	c := dialStream(t, f)
	if st := c.authenticate(testKey, testSecret); st != "authorized" {
		t.Fatalf("status %s", st)
	}
	c.listen()

	filled := f.place(t, buy("AAPL", "3"))
	resting := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "50", alpaca.Day))
	repl, err := f.tc.ReplaceOrder(early.ID, alpaca.ReplaceOrderRequest{LimitPrice: decp("60")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tc.CancelOrder(repl.ID); err != nil {
		t.Fatal(err)
	}
	f.goTo(t, time.Date(2025, 3, 12, 20, 1, 0, 0, time.UTC)) // past the close: the day order expires
	if _, err := f.tc.GetClock(); err != nil {
		t.Fatal(err)
	}
	want := []struct{ event, id, status string }{
		{"new", filled.ID, "new"}, {"fill", filled.ID, "filled"}, {"new", resting.ID, "new"},
		{"replaced", early.ID, "replaced"}, {"new", repl.ID, "new"}, {"canceled", repl.ID, "canceled"},
		{"expired", resting.ID, "expired"},
	}
	for i, w := range want {
		u := c.update()
		if u.Event != w.event || u.Order.ID != w.id || u.Order.Status != w.status {
			t.Fatalf("update %d = %s for %s (%s), want %s for %s (%s)", i, u.Event, u.Order.ID, u.Order.Status, w.event, w.id, w.status)
		}
		switch {
		case u.Event == "fill" && (u.Price == nil || *u.Price != "100" || u.Qty == nil || *u.Qty != "3" ||
			u.PositionQty == nil || *u.PositionQty != "3" || u.Timestamp == nil || u.ExecutionID == ""):
			t.Errorf("fill update = %+v", u)
		case u.Event == "new" && u.Timestamp != nil:
			t.Errorf("new update has a timestamp: %+v", u)
		case u.Event != "new" && u.Timestamp == nil:
			t.Errorf("%s update has no timestamp", u.Event)
		}
	}
}

func TestWebsocketAuthentication(t *testing.T) {
	f := newFixture(t, exchange.Config{KeyID: testKey, Secret: testSecret})
	c := dialStream(t, f)
	c.send(map[string]any{"action": "listen", "data": map[string][]string{"streams": {"trade_updates"}}})
	if m := c.read(); m.Stream != "listening" || !strings.Contains(string(m.Data), `"streams":[]`) || !strings.Contains(string(m.Data), "error") {
		t.Errorf("listen before authenticating = %s %s", m.Stream, m.Data)
	}
	c.send("garbage")
	if m := c.read(); m.Stream != "error" {
		t.Errorf("an unreadable frame = %s %s", m.Stream, m.Data)
	}
	// The newer auth form works too.
	c.send(map[string]string{"action": "auth", "key": testKey, "secret": testSecret})
	if m := c.read(); !strings.Contains(string(m.Data), `"authorized"`) {
		t.Errorf("auth form = %s", m.Data)
	}

	bad := dialStream(t, f)
	if st := bad.authenticate(testKey, "wrong"); st != "unauthorized" {
		t.Errorf("wrong secret: %s", st)
	}
	if _, _, err := bad.conn.Read(bad.ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("after unauthorized the connection is closed: %v", err)
	}
	// The websocket is not behind the REST API's header check.
	if st, _ := call(t, http.MethodGet, f.url+"/stream", nil); st == http.StatusUnauthorized {
		t.Errorf("GET /stream without upgrade answered 401")
	}
}

func TestClockV3(t *testing.T) {
	f := newFixture(t, exchange.Config{MarketHours: true, Start: preOpen})
	type clock struct {
		Market struct {
			Acronym, MIC string
		} `json:"market"`
		Timestamp       time.Time `json:"timestamp"`
		IsMarketDay     bool      `json:"is_market_day"`
		NextMarketOpen  time.Time `json:"next_market_open"`
		NextMarketClose time.Time `json:"next_market_close"`
		Phase           string    `json:"phase"`
		PhaseUntil      time.Time `json:"phase_until"`
	}
	at := func(q string) clock {
		var r struct{ Clocks []clock }
		getJSON(t, f.url+"/v3/clock?"+q, &r)
		if len(r.Clocks) != 1 || r.Clocks[0].Market.Acronym != "NYSE" {
			t.Fatalf("clocks = %+v", r.Clocks)
		}
		return r.Clocks[0]
	}
	c := at("markets=NYSE")
	if c.Phase != "pre" || !c.PhaseUntil.Equal(openAt) || !c.IsMarketDay || !c.NextMarketOpen.Equal(openAt) || !c.NextMarketClose.Equal(closeAt) || !c.Timestamp.Equal(preOpen) {
		t.Errorf("08:00 = %+v", c)
	}
	for _, tc := range []struct {
		at    time.Time
		phase string
		until time.Time
		day   bool
	}{
		{midMorn, "core", closeAt, true},
		{closeAt.Add(time.Minute), "post", dayAfter, true},                                      // 20:00 New York
		{dayAfter.Add(time.Hour), "closed", time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC), true}, // 21:00, still the 12th
		{time.Date(2025, 3, 15, 15, 0, 0, 0, time.UTC), "closed", time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC), false},
		{time.Date(2024, 11, 29, 18, 30, 0, 0, time.UTC), "post", time.Date(2024, 11, 29, 22, 0, 0, 0, time.UTC), true}, // early close
	} {
		c := at("time=" + tc.at.Format(time.RFC3339))
		if c.Phase != tc.phase || !c.PhaseUntil.Equal(tc.until) || c.IsMarketDay != tc.day {
			t.Errorf("at %v: %s until %v (market day %v), want %s until %v (%v)", tc.at, c.Phase, c.PhaseUntil, c.IsMarketDay, tc.phase, tc.until, tc.day)
		}
	}
	st, body := call(t, http.MethodGet, f.url+"/v3/clock?markets=LSE", nil)
	wantCode(t, "another market", st, body, http.StatusBadRequest, 40010000)

	always := newFixture(t, exchange.Config{})
	var r struct{ Clocks []clock }
	getJSON(t, always.url+"/v3/clock", &r)
	if r.Clocks[0].Phase != "core" || !r.Clocks[0].IsMarketDay {
		t.Errorf("without market hours: %+v", r.Clocks[0])
	}
}

func TestCalendarV3(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	var r struct {
		Market struct {
			Acronym  string `json:"acronym"`
			Timezone string `json:"timezone"`
		} `json:"market"`
		Calendar []struct {
			Date           string    `json:"date"`
			CoreStart      time.Time `json:"core_start"`
			CoreEnd        time.Time `json:"core_end"`
			PreStart       time.Time `json:"pre_start"`
			PostEnd        time.Time `json:"post_end"`
			SettlementDate string    `json:"settlement_date"`
		} `json:"calendar"`
	}
	getJSON(t, f.url+"/v3/calendar/NYSE?start=2024-11-27&end=2024-11-29&timezone=UTC", &r)
	if r.Market.Acronym != "NYSE" || r.Market.Timezone != "America/New_York" || len(r.Calendar) != 2 {
		t.Fatalf("calendar = %+v", r)
	}
	fri := r.Calendar[1]
	if fri.Date != "2024-11-29" || !fri.CoreStart.Equal(time.Date(2024, 11, 29, 14, 30, 0, 0, time.UTC)) ||
		!fri.CoreEnd.Equal(time.Date(2024, 11, 29, 18, 0, 0, 0, time.UTC)) || !fri.PostEnd.Equal(time.Date(2024, 11, 29, 22, 0, 0, 0, time.UTC)) ||
		fri.SettlementDate != "2024-12-02" || fri.CoreEnd.Location() != time.UTC {
		t.Errorf("the day after Thanksgiving = %+v", fri)
	}
	st, body := call(t, http.MethodGet, f.url+"/v3/calendar/LSE", nil)
	wantCode(t, "another market", st, body, http.StatusNotFound, 40410000)
}

func TestAdminClock(t *testing.T) {
	f := newFixture(t, exchange.Config{Start: preOpen, MarketHours: true})
	if !f.marketNow(t).Equal(preOpen) {
		t.Fatalf("Start: market time %v, want %v", f.marketNow(t), preOpen)
	}
	o := f.place(t, limitOrder("AAPL", alpaca.Buy, "1", "10000", alpaca.GTC))
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/clock", map[string]string{"advance": "90m"}); st != http.StatusOK {
		t.Fatalf("advance: %d %s", st, body)
	}
	if got := f.marketNow(t); !got.Equal(preOpen.Add(90 * time.Minute)) {
		t.Errorf("after advancing 90m: %v", got)
	}
	if got := f.order(t, o.ID); o.Status != "accepted" || got.Status != "filled" || !got.FilledAt.Equal(openAt) {
		t.Errorf("an order accepted at 08:00 (%s) is %s at %v after the jump; want filled at the open", o.Status, got.Status, got.FilledAt)
	}
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/clock", map[string]any{"to": preOpen.Format(time.RFC3339)}); st != http.StatusBadRequest {
		t.Errorf("back in time: %d %s", st, body)
	}
	if st, body := call(t, http.MethodPost, f.url+"/sim/v1/clock", map[string]any{"to": closeAt.Format(time.RFC3339)}); st != http.StatusOK || !f.marketNow(t).Equal(closeAt) {
		t.Errorf("to the close: %d %s", st, body)
	}
}
