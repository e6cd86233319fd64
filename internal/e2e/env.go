package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/orders"
)

// Drivers are the stores every end-to-end test runs on.
var Drivers = []string{"sqlite", "postgres"}

// Env is one test's world: a database, an exchange process and the
// environment the gambler processes run with.
type Env struct {
	T        testing.TB
	Dir      string
	DBURL    string
	Exchange *Exchange
	Store    db.Store
	Broker   *broker.Client
}

// NewEnv creates a fresh database on driver and starts an exchange process
// running market time at speed.
func NewEnv(t testing.TB, driver string, speed string) *Env {
	t.Helper()
	e := &Env{T: t, Dir: t.TempDir()}
	return e.open(e.dbURL(driver), speed)
}

// NewEnvAt is NewEnv on a database at a URL or path of the test's choice
// (a SQLite file on a small disk).
func NewEnvAt(t testing.TB, dbURL string, speed string) *Env {
	t.Helper()
	e := &Env{T: t, Dir: t.TempDir()}
	return e.open(dbURL, speed)
}

func (e *Env) open(dbURL, speed string) *Env {
	t := e.T
	t.Helper()
	e.DBURL = dbURL
	e.Exchange = StartExchange(t, e.Dir, "--speed", speed, "--seed", "7")
	e.connect("", "")
	return e
}

// dbURL creates the test's database on driver.
func (e *Env) dbURL(driver string) string {
	switch driver {
	case "sqlite":
		return filepath.Join(e.Dir, "gambler.db")
	case "postgres":
		return dbtest.CreatePostgresDB(e.T)
	}
	e.T.Fatalf("unknown driver %s", driver)
	return ""
}

// connect opens the test's own store and broker client (with keys when the
// exchange requires them).
func (e *Env) connect(keyID, secret string) {
	t := e.T
	t.Helper()
	s, err := dbopen.Open(context.Background(), e.DBURL, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	e.Store = s
	b, err := broker.New(broker.Config{KeyID: keyID, Secret: secret, BaseURL: e.Exchange.URL, DataURL: e.Exchange.URL,
		RateLimit: 100000, RateBurst: 1000, MaxRetries: 10, RetryBaseDelay: 50 * time.Millisecond, RetryMaxDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.Broker = b
}

// environ is what every gambler process of this test gets.
func (e *Env) environ(extra ...string) []string {
	return append([]string{
		"GAMBLER_DATABASE_URL=" + e.DBURL,
		"XDG_DATA_HOME=" + filepath.Join(e.Dir, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(e.Dir, "config"),
		"GAMBLER_LOG_FORMAT=json",
		"GAMBLER_LOG_LEVEL=debug",
		"APCA_API_KEY_ID=", "APCA_API_SECRET_KEY=",
	}, extra...)
}

// TradeArgs starts a session that trades at once and often: thresholds so
// low that nearly every tick signals, small positions, fast ticks.
func (e *Env) TradeArgs(extra ...string) []string {
	return append([]string{"trade", "--symbols", "AAPL,MSFT,NVDA"}, e.runArgs(extra...)...)
}

// ResumeSessionArgs resumes session id by name with the same fast
// settings, as an operator taking a session over would.
func (e *Env) ResumeSessionArgs(id string, extra ...string) []string {
	return append([]string{"resume-session", id}, e.runArgs(extra...)...)
}

// ResumeArgs resumes with the same fast settings.
func (e *Env) ResumeArgs(extra ...string) []string {
	return append([]string{"resume"}, e.runArgs(extra...)...)
}

func (e *Env) runArgs(extra ...string) []string {
	return append([]string{
		"--exchange-url", e.Exchange.URL,
		"--min-price-change-pct", "0.0001", "--min-volume-ratio", "0.0001",
		"--interval", "300ms", "--checkpoint-interval", "1s", "--position-size", "1000",
		"--timeframe", "1Min",
	}, extra...)
}

// Start runs a gambler command in the background.
func (e *Env) Start(env []string, args ...string) *Proc {
	return start(e.T, e.environ(env...), args...)
}

// Run runs a gambler command to completion and returns its exit code.
func (e *Env) Run(env []string, args ...string) (*Proc, int) {
	p := e.Start(env, args...)
	return p, p.Wait(2 * time.Minute)
}

// Session returns the only session in the store.
func (e *Env) Session() db.Session {
	e.T.Helper()
	list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
	if err != nil {
		e.T.Fatal(err)
	}
	if len(list) != 1 {
		e.T.Fatalf("want exactly one session, have %d", len(list))
	}
	return list[0].Session
}

// WaitForSession waits until the trader has created its session.
func (e *Env) WaitForSession() db.Session {
	var s db.Session
	Eventually(e.T, 60*time.Second, "a session", func() bool {
		list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
		if err == nil && len(list) > 0 {
			s = list[0].Session
			return true
		}
		return false
	})
	return s
}

// StartTrading starts a trader and waits until its session holds at least n
// positions.
func (e *Env) StartTrading(env []string, n int, args ...string) (*Proc, db.Session) {
	p := e.Start(env, args...)
	s := e.WaitForSession()
	e.WaitForPositions(s.ID, n)
	return p, s
}

// WaitForPositions waits until the session has at least n active positions.
func (e *Env) WaitForPositions(sessionID string, n int) {
	Eventually(e.T, 60*time.Second, fmt.Sprintf("%d active positions", n), func() bool {
		ps, err := e.Store.ActivePositions(context.Background(), sessionID)
		return err == nil && len(ps) >= n
	})
}

// ExchangeOrders is every order the exchange ever created.
func (e *Env) ExchangeOrders() []map[string]any {
	e.T.Helper()
	resp, err := http.Get(e.Exchange.URL + "/sim/v1/orders")
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var out []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.T.Fatal(err)
	}
	return out
}

// CheckNoDuplicateOrders: every client_order_id appears at most once at the
// exchange, and no session sent two entries for one bar of one symbol
// (invariant 1).
func (e *Env) CheckNoDuplicateOrders() {
	e.T.Helper()
	seen := map[string]int{}
	bars := map[string]int{}
	sessions, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, o := range e.ExchangeOrders() {
		id, _ := o["client_order_id"].(string)
		if id == "" {
			continue
		}
		seen[id]++
		for _, s := range sessions {
			if sym, bar, ok := orders.EntryBar(s.ID, id); ok {
				bars[fmt.Sprintf("session %s %s bar %s", s.ID, sym, bar.Format(time.RFC3339))]++
			}
		}
	}
	for id, n := range seen {
		if n > 1 {
			e.T.Errorf("client_order_id %s was sent %d times", id, n)
		}
	}
	for bar, n := range bars {
		if n > 1 {
			e.T.Errorf("%s was entered %d times", bar, n)
		}
	}
}

// CheckPositionsMatch: the store's active positions equal the exchange's,
// symbol, side and qty (invariant 2), leaving out the symbols of foreign
// positions the session never held.
func (e *Env) CheckPositionsMatch(sessionID string, foreign ...string) {
	e.T.Helper()
	ctx := context.Background()
	store, err := e.Store.ActivePositions(ctx, sessionID)
	if err != nil {
		e.T.Fatal(err)
	}
	held, err := e.Broker.Positions(ctx)
	if err != nil {
		e.T.Fatal(err)
	}
	want := map[string]string{}
	for _, p := range held {
		if slices.Contains(foreign, p.Symbol) {
			continue
		}
		side := "buy"
		if p.Side == broker.PositionShort {
			side = "sell"
		}
		want[p.Symbol] = side + " " + p.Qty.String()
	}
	got := map[string]string{}
	for _, p := range store {
		got[p.Symbol] = p.Side + " " + p.Qty.String()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		e.T.Errorf("store positions %v != exchange positions %v", got, want)
	}
}

// CheckCheckpoints: sequences strictly increase and every row verifies
// (invariant 4). It returns the checkpoints newest first.
func (e *Env) CheckCheckpoints(sessionID string) []db.CheckpointMeta {
	e.T.Helper()
	ctx := context.Background()
	metas, err := e.Store.ListCheckpoints(ctx, sessionID, 100000)
	if err != nil {
		e.T.Fatal(err)
	}
	for i, m := range metas {
		c, err := e.Store.GetCheckpoint(ctx, m.ID)
		if err != nil {
			e.T.Fatal(err)
		}
		if !c.Verify() {
			e.T.Errorf("checkpoint %d fails its checksum", m.ID)
		}
		if i > 0 && (m.Sequence == nil || metas[i-1].Sequence == nil || *m.Sequence >= *metas[i-1].Sequence) {
			e.T.Errorf("checkpoint sequences not strictly increasing at %d", m.ID)
		}
	}
	return metas
}

// Triggers lists the triggers of checkpoints, oldest first.
func Triggers(metas []db.CheckpointMeta) string {
	var out []string
	for i := len(metas) - 1; i >= 0; i-- {
		out = append(out, metas[i].Trigger)
	}
	return strings.Join(out, ",")
}

// CheckFills: every fill of the session's orders at the exchange is in the
// store exactly once with the exchange's price and qty, and every closed
// position with a known exit price carries P&L (invariant 3).
func (e *Env) CheckFills(sessionID string) {
	e.T.Helper()
	ctx := context.Background()
	fills, err := e.Store.Fills(ctx, sessionID)
	if err != nil {
		e.T.Fatal(err)
	}
	byOrder := map[string][]db.Fill{}
	for _, f := range fills {
		byOrder[f.BrokerOrderID] = append(byOrder[f.BrokerOrderID], f)
	}
	journal, err := e.Store.SessionOrders(ctx, sessionID, false)
	if err != nil {
		e.T.Fatal(err)
	}
	ours := map[string]bool{}
	for _, o := range journal {
		if o.BrokerOrderID != "" {
			ours[o.BrokerOrderID] = true
		}
	}
	for _, o := range e.ExchangeOrders() {
		id, _ := o["id"].(string)
		if !ours[id] || o["status"] != "filled" {
			continue
		}
		got := byOrder[id]
		if len(got) != 1 {
			e.T.Errorf("exchange order %s filled; store has %d fills for it", id, len(got))
			continue
		}
		if p, _ := o["filled_avg_price"].(string); got[0].Price.String() != trimZeros(p) {
			e.T.Errorf("order %s filled at %s at the exchange, %s in the store", id, p, got[0].Price)
		}
	}
	positions, err := e.Store.Positions(ctx, sessionID)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range positions {
		if p.Status == db.PositionClosed && p.ExitPrice.Valid && !p.PnL.Valid {
			e.T.Errorf("closed position %s has an exit price but no P&L", p.Symbol)
		}
	}
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// FirstEntry is the client_order_id of the session's first entry intent.
func (e *Env) FirstEntry(sessionID string) string {
	e.T.Helper()
	journal, err := e.Store.SessionOrders(context.Background(), sessionID, false)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, o := range journal {
		if o.Purpose == orders.PurposeEntry {
			return o.ClientOrderID
		}
	}
	e.T.Fatalf("session %s has no entry in its journal", sessionID)
	return ""
}
