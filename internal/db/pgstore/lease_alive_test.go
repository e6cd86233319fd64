package pgstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// killLeaseBackend terminates the server process of the lease's connection,
// as a database restart or a network cut would.
func killLeaseBackend(t *testing.T, s *Store, sessionID string) {
	t.Helper()
	pid := lockBackend(t, s, sessionID)
	if _, err := s.pool.Exec(context.Background(), `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	// pg_terminate_backend only signals the backend; its advisory locks
	// are freed when it has exited, which on a busy machine is later.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var alive bool
		if err := s.pool.QueryRow(context.Background(),
			`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)`, pid).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if !alive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend %d still alive 10 s after pg_terminate_backend", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mustLease takes the session's lease for h, released when the test ends.
func mustLease(t *testing.T, s *Store, sessionID string, h db.Holder) db.Lease {
	t.Helper()
	l, err := s.AcquireLease(context.Background(), sessionID, h)
	if err != nil {
		t.Fatalf("lease of %s for %s/%d: %v", sessionID, h.Host, h.PID, err)
	}
	t.Cleanup(func() { l.Release(context.Background()) })
	return l
}

// lockBackend is the server process holding the session's lease lock.
func lockBackend(t *testing.T, s *Store, sessionID string) uint32 {
	t.Helper()
	key := leaseKey(sessionID)
	var pid uint32
	err := s.pool.QueryRow(context.Background(), `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		  AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
		int64(uint32(uint64(key)>>32)), int64(uint32(uint64(key)))).Scan(&pid)
	if err != nil {
		t.Fatalf("find the backend holding the lease of %s: %v", sessionID, err)
	}
	return pid
}

// TestLeaseAliveRetakesLostLock: an outage that kills the lease's connection
// frees the advisory lock; Alive takes it again, so a second process is
// still refused afterwards.
func TestLeaseAliveRetakesLostLock(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	sess := dbtest.SeedSession(t, s)
	me := db.Holder{Host: "a", PID: 11}
	l := mustLease(t, s, sess.ID, me)
	killLeaseBackend(t, s, sess.ID)
	if err := l.Alive(ctx); err != nil {
		t.Fatalf("Alive after the connection died: %v", err)
	}
	_, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "b", PID: 22})
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.PID != me.PID {
		t.Fatalf("second holder after Alive: %v", err)
	}
}

// TestLeaseAliveReportsTakeover: when another process took the session
// while the connection was down, Alive says so instead of writing on.
func TestLeaseAliveReportsTakeover(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	sess := dbtest.SeedSession(t, s)
	l := mustLease(t, s, sess.ID, db.Holder{Host: "a", PID: 11})
	killLeaseBackend(t, s, sess.ID)
	other, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "b", PID: 22})
	if err != nil {
		t.Fatalf("the lock should be free after the connection died: %v", err)
	}
	defer other.Release(ctx)
	var held *db.LeaseHeldError
	if err := l.Alive(ctx); !errors.As(err, &held) || held.Holder.PID != 22 {
		t.Fatalf("Alive after a takeover: %v, want the new holder named", err)
	}
}

// TestLeaseRefusalNamesLiveHolderNotStaleRow: the refusal names the process
// that holds the lock even when the row still names an older, dead holder
// (the window between a winner's lock and its row update).
func TestLeaseRefusalNamesLiveHolderNotStaleRow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	sess := dbtest.SeedSession(t, s)
	mustLease(t, s, sess.ID, db.Holder{Host: "live", PID: 33})
	// Make the row stale, as if the holder had not written it yet.
	if _, err := s.pool.Exec(ctx, `UPDATE trading_sessions SET lease_pid = 99, lease_host = 'dead' WHERE session_id = $1`, sess.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "b", PID: 22})
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.PID != 33 {
		t.Fatalf("refusal: %v, want pid 33 named", err)
	}
}

// TestLeaseAliveSeesATakeoverThatEnded: while the connection was down
// another process took the session and let it go again. The lock is free,
// but the epoch moved on: Alive must not take the session back, and must
// not keep the lock it briefly retook.
func TestLeaseAliveSeesATakeoverThatEnded(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	sess := dbtest.SeedSession(t, s)
	l := mustLease(t, s, sess.ID, db.Holder{Host: "a", PID: 11})
	killLeaseBackend(t, s, sess.ID)
	other, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "b", PID: 22})
	if err != nil {
		t.Fatalf("the lock should be free after the connection died: %v", err)
	}
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
	var held *db.LeaseHeldError
	if err := l.Alive(ctx); !errors.As(err, &held) {
		t.Fatalf("Alive after a takeover that ended: %v, want a *db.LeaseHeldError", err)
	}
	if _, running, err := s.LeaseHolder(ctx, sess.ID); err != nil || running {
		t.Fatalf("lease after the lost holder's Alive: running %v, %v; want free", running, err)
	}
	third, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "c", PID: 33})
	if err != nil {
		t.Fatalf("acquire after the lost holder's Alive: %v", err)
	}
	defer third.Release(ctx)
	if third.Epoch() != l.Epoch()+2 {
		t.Errorf("epoch of the third holder %d, want %d", third.Epoch(), l.Epoch()+2)
	}
}

// TestTakeoverOutwaitsFrozenFencedWrite: the holder froze (SIGSTOP) inside
// a fenced write, after its transaction locked the session row, and its
// lease connection died. The takeover's epoch bump waits for that row; the
// server ends the idle transaction, so the takeover lands instead of
// failing on lock_timeout, and the frozen transaction cannot commit.
func TestTakeoverOutwaitsFrozenFencedWrite(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	sess := dbtest.SeedSession(t, s)
	l := mustLease(t, s, sess.ID, db.Holder{Host: "a", PID: 11})
	frozen, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = frozen.Rollback(ctx) }()
	if _, err := frozen.Exec(ctx, `SELECT lease_epoch FROM trading_sessions WHERE session_id = $1 FOR SHARE`, sess.ID); err != nil {
		t.Fatal(err)
	}
	killLeaseBackend(t, s, sess.ID)
	other, err := s.AcquireLease(ctx, sess.ID, db.Holder{Host: "b", PID: 22})
	if err != nil {
		t.Fatalf("takeover behind a frozen transaction: %v", err)
	}
	defer other.Release(ctx)
	if other.Epoch() != l.Epoch()+1 {
		t.Fatalf("epoch after takeover = %d, want %d", other.Epoch(), l.Epoch()+1)
	}
	if err := frozen.Commit(ctx); err == nil {
		t.Fatal("the frozen transaction committed after the takeover")
	}
}
