package checkpoint_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func open(ctx context.Context, url string) (db.Store, error) {
	return dbopen.Open(ctx, url, func(string) string { return "" })
}

// harnesses runs f on a fresh store of each driver.
func harnesses() []dbtest.Harness {
	return []dbtest.Harness{dbtest.SQLiteHarness(open), dbtest.PostgresHarness(open)}
}

// corrupt changes a checkpoint's payload behind the store's back, the way
// disk or operator damage would, by lifting the immutability trigger.
func corrupt(t *testing.T, h dbtest.Harness, s db.Store, id int64) {
	t.Helper()
	update := fmt.Sprintf(`UPDATE position_checkpoints SET positions_snapshot = '{"AAPL": {"qty": 999}}' WHERE id = %d`, id)
	stmts := []string{`DROP TRIGGER position_checkpoints_no_update`, update}
	if s.Driver() == "postgres" {
		stmts = []string{`ALTER TABLE position_checkpoints DISABLE TRIGGER position_checkpoints_no_update`, update}
	}
	for _, stmt := range stmts {
		if err := h.Exec(t, s, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

func seed(t *testing.T, s db.Store, n int) (db.Session, []db.CheckpointMeta) {
	t.Helper()
	ctx := context.Background()
	sess := dbtest.SeedSession(t, s)
	_, err := s.OpenPosition(ctx, db.Position{SessionID: sess.ID, Symbol: "AAPL", EntryTime: dbtest.BaseTime(),
		EntryPrice: decimal.RequireFromString("187.5"), Qty: decimal.NewFromInt(10), Direction: db.DirectionUp,
		Side: "buy", Status: db.PositionActive, StopLoss: decimal.NewNullDecimal(decimal.RequireFromString("183.75"))})
	if err != nil {
		t.Fatal(err)
	}
	var metas []db.CheckpointMeta
	for i := 0; i < n; i++ {
		m, err := checkpoint.Create(ctx, s, sess.ID, db.TriggerInterval, dbtest.BaseTime().Add(time.Duration(i)*time.Minute),
			checkpoint.Account{PortfolioValue: decimal.NewFromInt(100000 + int64(i)), BuyingPower: decimal.NewFromInt(50000),
				Cash: decimal.NewFromInt(90000), Timestamp: dbtest.BaseTime(), StrategyParams: map[string]any{"position_size": "10000"}})
		if err != nil {
			t.Fatal(err)
		}
		metas = append(metas, m)
	}
	return sess, metas
}

func TestRestoreReturnsSavedState(t *testing.T) {
	for _, h := range harnesses() {
		t.Run(h.Name, func(t *testing.T) {
			s := h.New(t)
			sess, metas := seed(t, s, 2)
			r, err := checkpoint.Restore(context.Background(), s, sess.ID, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			if r.CheckpointID != metas[1].ID || !r.Verified || r.ActiveCount != 1 || len(r.Positions) != 1 {
				t.Fatalf("restored %+v", r)
			}
			p := r.Positions[0]
			if p.Symbol != "AAPL" || !p.EntryPrice.Equal(decimal.RequireFromString("187.5")) || !p.Qty.Equal(decimal.NewFromInt(10)) ||
				p.StopLoss == nil || !p.StopLoss.Equal(decimal.RequireFromString("183.75")) || p.TakeProfit != nil || p.Side != "buy" {
				t.Errorf("restored position %+v", p)
			}
			if fmt.Sprint(r.AccountInfo["portfolio_value"]) != "100001" || fmt.Sprint(r.AccountInfo["cash"]) != "90000" {
				t.Errorf("account %v", r.AccountInfo)
			}
			params, _ := r.AccountInfo["strategy_params"].(map[string]any)
			if params["position_size"] != "10000" {
				t.Errorf("strategy_params %v", r.AccountInfo["strategy_params"])
			}
		})
	}
}

func TestRestoreSkipsCorruptCheckpoint(t *testing.T) {
	for _, h := range harnesses() {
		t.Run(h.Name, func(t *testing.T) {
			s := h.New(t)
			sess, metas := seed(t, s, 3)
			corrupt(t, h, s, metas[2].ID)
			r, err := checkpoint.Restore(context.Background(), s, sess.ID, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			if r.CheckpointID != metas[1].ID {
				t.Fatalf("restored %d, want the previous good %d", r.CheckpointID, metas[1].ID)
			}
			c, err := s.GetCheckpoint(context.Background(), metas[2].ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := checkpoint.Decode(c); d.Verified || d.Problem == "" {
				t.Errorf("corrupt row decoded as verified: %+v", d)
			}
			// Cleanup with keep 0 keeps the newest GOOD checkpoint, not the
			// corrupt newest row.
			res, err := checkpoint.Cleanup(context.Background(), s, checkpoint.CleanupOptions{SessionID: sess.ID, Keep: 0,
				BatchSize: 10, Now: dbtest.BaseTime()}, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			if res.Deleted != 2 {
				t.Errorf("deleted %d, want 2", res.Deleted)
			}
			if _, err := s.GetCheckpoint(context.Background(), metas[1].ID); err != nil {
				t.Errorf("newest good checkpoint deleted: %v", err)
			}
		})
	}
}

func TestStatsAverageInterval(t *testing.T) {
	for _, h := range harnesses() {
		t.Run(h.Name, func(t *testing.T) {
			s := h.New(t)
			sess, _ := seed(t, s, 2)
			st, err := checkpoint.ComputeStats(context.Background(), s, sess.ID, dbtest.BaseTime().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if st.AvgIntervalSeconds == nil || *st.AvgIntervalSeconds != 60 {
				t.Errorf("avg interval %v, want 60", st.AvgIntervalSeconds)
			}
			if st.SecondsSinceLast == nil || *st.SecondsSinceLast != 59*60 {
				t.Errorf("seconds since last %v", st.SecondsSinceLast)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"AAPL":{"id":1,"symbol":"AAPL","qty":10,"entry_price":"1.5"}}`), []byte(`{"cash":1}`))
	f.Add([]byte(`{`), []byte(`null`))
	f.Add([]byte(`[]`), []byte(`{"strategy_params":{"a":[1,2]}}`))
	f.Fuzz(func(t *testing.T, positions, account []byte) {
		r := checkpoint.Decode(db.Checkpoint{PositionsSnapshot: positions, AccountSnapshot: account,
			CheckpointMeta: db.CheckpointMeta{Checksum: db.Checksum(positions, account)}})
		if r.Positions == nil || r.AccountInfo == nil {
			t.Fatal("decode must always return non-nil collections")
		}
	})
}

// TestAccountMarketTimeRoundTrip: market_time is written only when known,
// read back as the same instant in UTC, and its absence (older rows) is
// not an error.
func TestAccountMarketTimeRoundTrip(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	market := time.Date(2026, 3, 2, 10, 4, 5, 123456789, ny)
	for _, c := range []struct {
		name   string
		market time.Time
		want   bool
	}{
		{"with market time", market, true},
		{"without market time", time.Time{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			acct, err := checkpoint.EncodeAccount(checkpoint.Account{PortfolioValue: decimal.RequireFromString("100000.01"),
				Timestamp: dbtest.BaseTime(), MarketTime: c.market})
			if err != nil {
				t.Fatal(err)
			}
			positions := []byte(`{}`)
			r := checkpoint.Decode(db.Checkpoint{PositionsSnapshot: positions, AccountSnapshot: acct,
				CheckpointMeta: db.CheckpointMeta{Checksum: db.Checksum(positions, acct)}})
			if !r.Verified {
				t.Fatalf("decode %s: %s", acct, r.Problem)
			}
			if _, present := r.AccountInfo["market_time"]; present != c.want {
				t.Errorf("market_time present %v in %s, want %v", present, acct, c.want)
			}
			got, ok := r.MarketTime()
			if ok != c.want || (c.want && (!got.Equal(market) || got.Location() != time.UTC)) {
				t.Errorf("MarketTime() = %s, %v; want %s, %v", got.Format(time.RFC3339Nano), ok, market.UTC().Format(time.RFC3339Nano), c.want)
			}
			if v := r.PortfolioValue(); !v.Valid || v.Decimal.String() != "100000.01" {
				t.Errorf("portfolio value %v beside market_time", v)
			}
		})
	}
	r := checkpoint.Decode(db.Checkpoint{AccountSnapshot: []byte(`{"market_time": "soon"}`)})
	if got, ok := r.MarketTime(); ok {
		t.Errorf("MarketTime() of a non-time = %s, want none", got)
	}
}

// TestSessionValueRoundTrip: the session's own value is stored beside the
// account's figures and read back exactly, on both stores.
func TestSessionValueRoundTrip(t *testing.T) {
	for _, h := range harnesses() {
		t.Run(h.Name, func(t *testing.T) {
			s := h.New(t)
			ctx := context.Background()
			sess := dbtest.SeedSession(t, s)
			d := decimal.RequireFromString
			in := checkpoint.SessionValue{Capital: decimal.NewNullDecimal(d("25000")), Equity: decimal.NewNullDecimal(d("25012.3456")),
				Realized: d("-7.5"), Unrealized: d("19.8456"), Prices: map[string]decimal.Decimal{"AAPL": d("187.1234")},
				PricesStale: true, Unpriced: []string{"MSFT"}}
			if _, err := checkpoint.Create(ctx, s, sess.ID, db.TriggerInterval, dbtest.BaseTime(), checkpoint.Account{
				PortfolioValue: d("100000.5"), Timestamp: dbtest.BaseTime(), Session: &in}); err != nil {
				t.Fatal(err)
			}
			r, err := checkpoint.Restore(ctx, s, sess.ID, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			got, ok := r.SessionValue()
			if !ok {
				t.Fatalf("no session value in %v", r.AccountInfo)
			}
			if fmt.Sprint(got) != fmt.Sprint(in) {
				t.Errorf("session value %+v, want %+v", got, in)
			}
			if pv := r.PortfolioValue(); !pv.Valid || !pv.Decimal.Equal(d("100000.5")) {
				t.Errorf("the account's portfolio_value became %v", pv)
			}
			// A checkpoint written before session values existed has none.
			if _, err := checkpoint.Create(ctx, s, sess.ID, db.TriggerInterval, dbtest.BaseTime().Add(time.Minute),
				checkpoint.Account{PortfolioValue: d("1"), Timestamp: dbtest.BaseTime()}); err != nil {
				t.Fatal(err)
			}
			if r, err = checkpoint.Restore(ctx, s, sess.ID, zerolog.Nop()); err != nil {
				t.Fatal(err)
			}
			if v, ok := r.SessionValue(); ok {
				t.Errorf("a checkpoint without session values gave %+v", v)
			}
		})
	}
}
