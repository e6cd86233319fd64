package pgstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// A takeover and a fenced write that overlap are serialized by the session
// row's lock: whichever commits its claim on the row first wins, and the
// write never lands after the takeover.

// leased opens a store and a raw connection, standing for another
// process, on one fresh database, seeds a session and takes its lease.
func leased(t *testing.T) (*Store, *pgx.Conn, db.Session, db.Lease) {
	t.Helper()
	s, raw := storeAndRaw(t)
	sess := dbtest.SeedSession(t, s)
	l, err := s.AcquireLease(context.Background(), sess.ID, db.Holder{Host: "old", PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Release(context.Background()) })
	return s, raw, sess, l
}

func storeAndRaw(t *testing.T) (*Store, *pgx.Conn) {
	t.Helper()
	u := dbtest.CreatePostgresDB(t)
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	raw, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close(context.Background()) })
	return s, raw
}

// waitBlocked waits until n backends of the database wait for a lock.
func waitBlocked(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends wait for a lock after 30 s, want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fencedPGWrite is a fenced write and, for the second test, a way to hold
// it up after it has locked the session row: block runs in a transaction
// of another connection.
type fencedPGWrite struct {
	name  string
	write func(ctx context.Context, s db.Store, sessionID, symbol string) error
	block func(ctx context.Context, tx pgx.Tx, sessionID string) error
}

var fencedPGWrites = []fencedPGWrite{
	{
		name: "OpenPosition",
		write: func(ctx context.Context, s db.Store, sessionID, symbol string) error {
			_, err := s.OpenPosition(ctx, db.Position{SessionID: sessionID, Symbol: symbol,
				EntryTime: dbtest.BaseTime(), Direction: db.DirectionUp, Side: "buy"})
			return err
		},
		// The fence's SELECT runs first; the INSERT then waits for the
		// table.
		block: func(ctx context.Context, tx pgx.Tx, _ string) error {
			_, err := tx.Exec(ctx, `LOCK TABLE positions IN ACCESS EXCLUSIVE MODE`)
			return err
		},
	},
	{
		name: "CreateCheckpoint",
		write: func(ctx context.Context, s db.Store, sessionID, _ string) error {
			_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: sessionID,
				Trigger: db.TriggerInterval, AccountSnapshot: []byte(`{"cash":1}`)})
			return err
		},
		// One statement locks the session row and inserts; then its
		// trigger waits for the session's summary row. (A table lock would
		// hold the statement up before it starts: it takes those first.)
		block: func(ctx context.Context, tx pgx.Tx, sessionID string) error {
			_, err := tx.Exec(ctx, `INSERT INTO checkpoint_stats (session_id) VALUES ($1)
				ON CONFLICT (session_id) DO UPDATE SET total = checkpoint_stats.total`, sessionID)
			return err
		},
	},
}

// written counts what the writes of fencedPGWrites left: positions and
// checkpoints of the session.
func written(t *testing.T, s *Store, sessionID string) (positions, checkpoints int) {
	t.Helper()
	ps, err := s.Positions(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.ListCheckpoints(context.Background(), sessionID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(ps), len(cs)
}

// The takeover's epoch increment is in flight (not committed) when the
// fenced write starts: the write waits for it, then sees the new epoch and
// refuses.
func TestFencedWriteWaitsForAnInFlightTakeover(t *testing.T) {
	for _, w := range fencedPGWrites {
		t.Run(w.name, func(t *testing.T) {
			ctx := context.Background()
			s, raw, sess, l := leased(t)
			tx, err := raw.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `UPDATE trading_sessions SET lease_epoch = lease_epoch + 1, lease_pid = 2
				WHERE session_id = $1`, sess.ID); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				done <- w.write(ctx, s.Fenced(db.Fence{SessionID: sess.ID, Epoch: l.Epoch()}), sess.ID, "AAPL")
			}()
			waitBlocked(t, s, 1)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			err = <-done
			var se *db.StaleLeaseError
			if !errors.As(err, &se) || se.Current != l.Epoch()+1 {
				t.Fatalf("fenced write behind a takeover: %v, want a *db.StaleLeaseError at epoch %d", err,
					l.Epoch()+1)
			}
			if ps, cs := written(t, s, sess.ID); ps != 0 || cs != 0 {
				t.Fatalf("the refused write left %d positions, %d checkpoints", ps, cs)
			}
		})
	}
}

// The fenced write is in flight (holding the session row, blocked on a
// lock another transaction holds) when a takeover starts: the takeover
// waits for the write to commit, and only then moves the epoch on.
func TestTakeoverWaitsForAnInFlightFencedWrite(t *testing.T) {
	for _, w := range fencedPGWrites {
		t.Run(w.name, func(t *testing.T) {
			ctx := context.Background()
			s, raw, sess, l := leased(t)
			fenced := s.Fenced(db.Fence{SessionID: sess.ID, Epoch: l.Epoch()})
			// The old holder lost its lock (as to a dropped connection) but
			// still writes.
			if err := l.Release(ctx); err != nil {
				t.Fatal(err)
			}
			tx, err := raw.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.block(ctx, tx, sess.ID); err != nil {
				t.Fatal(err)
			}
			wrote := make(chan error, 1)
			go func() { wrote <- w.write(ctx, fenced, sess.ID, "AAPL") }()
			waitBlocked(t, s, 1)
			took := make(chan db.Lease, 1)
			go func() {
				taker, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "new", PID: 2})
				if err != nil {
					t.Error(err)
				}
				took <- taker
			}()
			waitBlocked(t, s, 2)
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-wrote; err != nil {
				t.Fatalf("the fenced write that started before the takeover: %v", err)
			}
			taker := <-took
			if taker == nil {
				t.FailNow()
			}
			defer taker.Release(ctx)
			if taker.Epoch() != l.Epoch()+1 {
				t.Errorf("takeover epoch %d, want %d", taker.Epoch(), l.Epoch()+1)
			}
			if err := w.write(ctx, fenced, sess.ID, "MSFT"); !errors.Is(err, db.ErrFenced) {
				t.Errorf("fenced write after the takeover: %v, want ErrFenced", err)
			}
			if ps, cs := written(t, s, sess.ID); ps+cs != 1 {
				t.Errorf("%d positions and %d checkpoints; want the one write made before the takeover", ps, cs)
			}
		})
	}
}
