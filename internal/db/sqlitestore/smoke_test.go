package sqlitestore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// Driver-specific behaviour the conformance suite cannot see: text
// encodings of SQLite and the error mapping of its constraint failures.

func TestReadsRowsWrittenByOtherTools(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	execSQL(t, s, `INSERT INTO trading_sessions (session_id, start_time, status, symbols, pnl)
		VALUES ('legacy', '2026-03-04 14:30:00', 'completed', 'AAPL, MSFT,TSLA', '12.50')`)
	got, err := s.GetSession(ctx, "legacy")
	if err != nil {
		t.Fatalf("get legacy session: %v", err)
	}
	if !got.StartTime.Equal(base) {
		t.Errorf("start time = %v, want %v", got.StartTime, base)
	}
	if want := []string{"AAPL", "MSFT", "TSLA"}; len(got.Symbols) != 3 || got.Symbols[0] != want[0] || got.Symbols[2] != want[2] {
		t.Errorf("symbols = %q, want %q", got.Symbols, want)
	}
	if !got.PnL.Valid || got.PnL.Decimal.String() != "12.5" {
		t.Errorf("pnl = %v, want 12.5", got.PnL)
	}
	if got.InstanceID != 1 || got.CreatedAt.IsZero() {
		t.Errorf("defaults not read: instance %d, created %v", got.InstanceID, got.CreatedAt)
	}
}

func TestStoresFixedWidthUTCTextAndJSONSymbols(t *testing.T) {
	s := newStore(t)
	seedSession(t, s, "s1")
	var start, symbols string
	if err := s.r.QueryRow(`SELECT start_time, symbols FROM trading_sessions WHERE session_id = 's1'`).
		Scan(&start, &symbols); err != nil {
		t.Fatal(err)
	}
	if start != "2026-03-04T14:30:00.000000000Z" {
		t.Errorf("start_time text = %q", start)
	}
	if symbols != `["AAPL","MSFT"]` {
		t.Errorf("symbols text = %q", symbols)
	}
}

func TestConstraintErrorsMapToContract(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedSession(t, s, "s1")
	if err := s.CreateSession(ctx, db.Session{ID: "s1", StartTime: base}); !errors.Is(err, db.ErrConflict) {
		t.Errorf("duplicate session: %v, want ErrConflict", err)
	}
	seedPositions(t, s, "s1", 1)
	if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "s1", CheckpointTime: base}); err != nil {
		t.Fatal(err)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE position_checkpoints SET trigger = 'manual'`)
	if err = mapErr(err); !errors.Is(err, db.ErrImmutable) {
		t.Errorf("update checkpoint: %v, want ErrImmutable", err)
	}
	if _, err := s.OpenPosition(ctx, db.Position{SessionID: "nope", Symbol: "X", EntryTime: base}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("position of unknown session: %v, want ErrNotFound", err)
	}
}

func TestDeleteCheckpointsInSmallBatches(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedSession(t, s, "s1")
	for i := range 15 {
		if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "s1",
			CheckpointTime: base.Add(time.Duration(i) * time.Minute), Trigger: db.TriggerInterval}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: "s1", Keep: 4, BatchSize: 2, DryRun: true})
	if err != nil || n != 11 {
		t.Fatalf("dry run = %d, %v; want 11", n, err)
	}
	n, err = s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: "s1", Keep: 4, BatchSize: 2})
	if err != nil || n != 11 {
		t.Fatalf("delete = %d, %v; want 11", n, err)
	}
	left, err := s.ListCheckpoints(ctx, "s1", 0)
	if err != nil || len(left) != 4 {
		t.Fatalf("left = %d, %v; want 4", len(left), err)
	}
	if !left[3].CheckpointTime.Equal(base.Add(11*time.Minute)) || *left[0].Sequence != 15 {
		t.Errorf("kept the wrong rows: oldest %v, newest seq %d", left[3].CheckpointTime, *left[0].Sequence)
	}
}

func TestOpenAppliesDurabilitySettings(t *testing.T) {
	s := newStore(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "2000", "page_size": "16384",
		"journal_size_limit": "1048576", "wal_autocheckpoint": "64",
	} {
		var got string
		if err := s.w.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if v, err := s.SchemaVersion(context.Background()); err != nil || v < 1 {
		t.Errorf("schema version = %d, %v", v, err)
	}
}
