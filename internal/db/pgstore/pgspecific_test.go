package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// These tests cover what is particular to PostgreSQL; the shared behaviour
// is in the dbtest conformance suite.

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// twoStores opens two stores on one fresh database, standing for two
// processes that share it.
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	u := dbtest.CreatePostgresDB(t)
	var out [2]*Store
	for i := range out {
		s, err := Open(context.Background(), u)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

func mustSession(t *testing.T, s *Store, id string) {
	t.Helper()
	if err := s.CreateSession(t.Context(), db.Session{ID: id, StartTime: t0, Symbols: []string{"AAPL"}}); err != nil {
		t.Fatalf("create session: %v", err)
	}
}

func mustOpen(t *testing.T, s *Store, p db.Position) int64 {
	t.Helper()
	id, err := s.OpenPosition(t.Context(), p)
	if err != nil {
		t.Fatalf("open position: %v", err)
	}
	return id
}

func mustCheckpoint(t *testing.T, s *Store, sessionID string) db.Checkpoint {
	t.Helper()
	m, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{SessionID: sessionID, CheckpointTime: t0,
		Trigger: db.TriggerManual, AccountSnapshot: []byte(`{"cash":1}`)})
	if err != nil {
		t.Fatalf("create checkpoint: %v", err)
	}
	c, err := s.GetCheckpoint(t.Context(), m.ID)
	if err != nil {
		t.Fatalf("get checkpoint: %v", err)
	}
	return c
}

func position(sessionID, symbol, price string) db.Position {
	return db.Position{SessionID: sessionID, Symbol: symbol, EntryTime: t0.Add(123456 * time.Microsecond),
		EntryPrice: decimal.RequireFromString(price), Qty: decimal.RequireFromString("10.500"),
		Direction: db.DirectionUp, Side: "buy", StopLoss: decimal.NewNullDecimal(decimal.RequireFromString("140.10"))}
}

// The snapshot must be exactly what the shared encoder makes of the stored
// positions, so SQLite and PostgreSQL rows checksum alike.
func TestCheckpointSnapshotIsSharedEncoding(t *testing.T) {
	s := openStore(t)
	mustSession(t, s, "s")
	mustOpen(t, s, position("s", "AAPL", "150.50"))
	msft := position("s", "MSFT", "410")
	msft.StopLoss = decimal.NullDecimal{}
	msft.OrderID = `o<&>"1`
	mustOpen(t, s, msft)

	c := mustCheckpoint(t, s, "s")
	active, err := s.ActivePositions(t.Context(), "s")
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.PositionsSnapshot(active)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.PositionsSnapshot) != string(want) {
		t.Fatalf("snapshot\n got %s\nwant %s", c.PositionsSnapshot, want)
	}
	if !c.Verify() || c.ActivePositionsCount != 2 || *c.SizeBytes != int64(len(want)+len(`{"cash":1}`)) {
		t.Fatalf("meta: %+v verify=%v", c.CheckpointMeta, c.Verify())
	}
}

// A checkpoint must reflect position changes made by another process since
// the previous checkpoint, whatever this process remembers.
func TestCheckpointSeesOtherProcessChanges(t *testing.T) {
	a, b := twoStores(t)
	mustSession(t, a, "s")
	aapl := mustOpen(t, a, position("s", "AAPL", "150"))
	msft := mustOpen(t, a, position("s", "MSFT", "410"))
	first := mustCheckpoint(t, a, "s")

	steps := []struct {
		name           string
		change         func() error
		active, closed int
		qty            string // AAPL's qty in the snapshot, "" when absent
	}{
		{"nothing", func() error { return nil }, 2, 0, "10.5"},
		{"qty", func() error { return b.SetPositionQty(t.Context(), aapl, decimal.RequireFromString("7"), t0) }, 2, 0, "7"},
		{"close", func() error {
			return b.ClosePosition(t.Context(), db.PositionClose{PositionID: aapl, ExitTime: t0, ExitReason: "tp"})
		}, 1, 1, ""},
		{"open", func() error { _, err := b.OpenPosition(t.Context(), position("s", "NVDA", "900")); return err }, 2, 1, ""},
		{"repair", func() error { _, err := b.IncrementRepairCount(t.Context(), msft); return err }, 2, 1, ""},
	}
	prev := first
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		c := mustCheckpoint(t, a, "s")
		var snap map[string]map[string]json.RawMessage
		if err := json.Unmarshal(c.PositionsSnapshot, &snap); err != nil {
			t.Fatal(err)
		}
		if c.ActivePositionsCount != st.active || c.ClosedTradesCount != st.closed || len(snap) != st.active {
			t.Fatalf("%s: active %d closed %d snapshot %s", st.name, c.ActivePositionsCount, c.ClosedTradesCount,
				c.PositionsSnapshot)
		}
		if got := string(snap["AAPL"]["qty"]); got != st.qty {
			t.Fatalf("%s: AAPL qty %q, want %q", st.name, got, st.qty)
		}
		if *c.Sequence != *prev.Sequence+1 {
			t.Fatalf("%s: sequence %d after %d", st.name, *c.Sequence, *prev.Sequence)
		}
		prev = c
	}
}

func TestConcurrentCheckpointsGetDistinctSequences(t *testing.T) {
	a, b := twoStores(t)
	mustSession(t, a, "s")
	mustOpen(t, a, position("s", "AAPL", "150"))
	const each = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, s := range []*Store{a, b} {
		wg.Go(func() {
			for range each {
				_, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{SessionID: "s", AccountSnapshot: []byte(`{}`)})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := a.ListCheckpoints(t.Context(), "s", 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, m := range list {
		seen[*m.Sequence] = true
	}
	for i := int64(1); i <= 2*each; i++ {
		if !seen[i] {
			t.Fatalf("sequence %d missing among %d checkpoints", i, len(list))
		}
	}
}

// Rows written by the old system hold a comma-separated symbols list.
func TestSymbolsColumnFormats(t *testing.T) {
	s := openStore(t)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO trading_sessions (session_id, symbols)
		VALUES ('legacy', 'AAPL, MSFT,NVDA'), ('blank', '')`); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(t.Context(), "legacy")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Symbols, "|") != "AAPL|MSFT|NVDA" {
		t.Fatalf("legacy symbols %q", got.Symbols)
	}
	if got, err := s.GetSession(t.Context(), "blank"); err != nil || got.Symbols != nil {
		t.Fatalf("blank symbols %q %v", got.Symbols, err)
	}
	mustSession(t, s, "new")
	var raw string
	if err := s.pool.QueryRow(t.Context(), `SELECT symbols FROM trading_sessions WHERE session_id = 'new'`).
		Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != `["AAPL"]` {
		t.Fatalf("symbols written as %q, want a JSON array", raw)
	}
}

func TestOpenErrorsHidePassword(t *testing.T) {
	for _, u := range []string{
		"postgres://trader:s3cr3t-pw@127.0.0.1:1/gambler?connect_timeout=2",
		"postgres://trader:s3cr3t-pw@127.0.0.1:notaport/gambler",
		"postgresql://127.0.0.1:1/gambler?password=s3cr3t-pw&connect_timeout=2",
		"host=127.0.0.1 port=1 password=s3cr3t-pw connect_timeout=2",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s, err := Open(ctx, u)
		cancel()
		if err == nil {
			_ = s.Close()
			t.Fatalf("%s: opened", u)
		}
		msg := err.Error()
		if strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "\n") {
			t.Fatalf("error leaks the password or spans lines: %q", msg)
		}
	}
}

// The lease lives exactly as long as its connection: a process killed
// without releasing loses it when the server notices the dead session.
func TestLeaseDiesWithItsConnection(t *testing.T) {
	a, b := twoStores(t)
	mustSession(t, a, "s")
	l, err := a.AcquireLease(t.Context(), "s", db.Holder{Host: "alpha", PID: 11})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.AcquireLease(t.Context(), "s", db.Holder{Host: "beta", PID: 22})
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.Host != "alpha" || held.Holder.PID != 11 {
		t.Fatalf("second process: %v", err)
	}
	if h, ok, err := b.LeaseHolder(t.Context(), "s"); err != nil || !ok || h.PID != 11 {
		t.Fatalf("holder seen by the other process: %+v %v %v", h, ok, err)
	}
	pid := lockBackend(t, b, "s")
	if _, err := b.pool.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok, err := b.LeaseHolder(t.Context(), "s"); err != nil || !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lease still held after its connection was terminated")
		}
		time.Sleep(10 * time.Millisecond)
	}
	l2, err := b.AcquireLease(t.Context(), "s", db.Holder{Host: "beta", PID: 22})
	if err != nil {
		t.Fatalf("take over: %v", err)
	}
	if err := l2.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	_ = l.Release(t.Context()) // the dead lease's release must not panic
}

// The lease key must never change between releases: two versions of gambler
// sharing a database must contend for the same lock.
func TestLeaseKeyIsStable(t *testing.T) {
	const want int64 = 3731333358880676607
	if got := leaseKey("00000000-0000-4000-8000-000000000000"); got != want {
		t.Fatalf("leaseKey changed: %d, want %d", got, want)
	}
}
