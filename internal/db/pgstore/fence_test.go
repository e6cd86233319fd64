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

// The takeover's epoch increment is in flight (not committed) when the
// fenced write starts: the write waits for it, then sees the new epoch and
// refuses.
func TestFencedWriteWaitsForAnInFlightTakeover(t *testing.T) {
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
		_, err := s.Fenced(db.Fence{SessionID: sess.ID, Epoch: l.Epoch()}).
			OpenPosition(ctx, db.Position{SessionID: sess.ID, Symbol: "AAPL", EntryTime: dbtest.BaseTime(),
				Direction: db.DirectionUp, Side: "buy"})
		done <- err
	}()
	waitBlocked(t, s, 1)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var se *db.StaleLeaseError
	if !errors.As(err, &se) || se.Current != l.Epoch()+1 {
		t.Fatalf("fenced write behind a takeover: %v, want a *db.StaleLeaseError at epoch %d", err, l.Epoch()+1)
	}
	if ps, err := s.Positions(ctx, sess.ID); err != nil || len(ps) != 0 {
		t.Fatalf("positions after the refused write: %v, %v", ps, err)
	}
}

// The fenced write is in flight (holding the session row, blocked on a
// table another transaction locked) when a takeover starts: the takeover
// waits for the write to commit, and only then moves the epoch on.
func TestTakeoverWaitsForAnInFlightFencedWrite(t *testing.T) {
	ctx := context.Background()
	s, raw, sess, l := leased(t)
	fenced := s.Fenced(db.Fence{SessionID: sess.ID, Epoch: l.Epoch()})
	// The old holder lost its lock (as to a dropped connection) but still
	// writes.
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE positions IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := fenced.OpenPosition(ctx, db.Position{SessionID: sess.ID, Symbol: "AAPL",
			EntryTime: dbtest.BaseTime(), Direction: db.DirectionUp, Side: "buy"})
		wrote <- err
	}()
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
	if _, err := fenced.OpenPosition(ctx, db.Position{SessionID: sess.ID, Symbol: "MSFT",
		EntryTime: dbtest.BaseTime(), Direction: db.DirectionUp, Side: "buy"}); !errors.Is(err, db.ErrFenced) {
		t.Errorf("fenced write after the takeover: %v, want ErrFenced", err)
	}
	if ps, err := s.Positions(ctx, sess.ID); err != nil || len(ps) != 1 || ps[0].Symbol != "AAPL" {
		t.Errorf("positions = %+v, %v; want the one written before the takeover", ps, err)
	}
}
