package dbtest

import (
	"errors"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
)

func leaseTests() []suiteTest {
	return []suiteTest{
		{"Lease/SecondHolderRefused", testLeaseSecondHolder},
		{"Lease/ReleaseFrees", testLeaseRelease},
		{"Lease/SessionsIndependent", testLeaseIndependent},
		{"Lease/UnknownSession", testLeaseUnknownSession},
		{"Lease/Alive", testLeaseAlive},
	}
}

// Two distinct lease holders, as two processes on two hosts would be.
func holders() (a, b db.Holder) {
	return db.Holder{Host: "host-a", PID: 4242, Since: BaseTime()},
		db.Holder{Host: "host-b", PID: 777, Since: BaseTime()}
}

func acquire(t testing.TB, s db.Store, sessionID string, h db.Holder) db.Lease {
	t.Helper()
	l, err := s.AcquireLease(t.Context(), sessionID, h)
	if err != nil {
		t.Fatalf("acquire lease on %s as %s/%d: %v", sessionID, h.Host, h.PID, err)
	}
	// Cleanup releases leases a failing test left behind; Release is
	// idempotent, so tests that release themselves are unaffected.
	t.Cleanup(func() { _ = l.Release(t.Context()) })
	return l
}

// FencedView takes sessionID's lease, released when the test ends, and
// returns s fenced by its epoch: the view the trader writes through.
func FencedView(t testing.TB, s db.Store, sessionID string) db.Store {
	t.Helper()
	l := acquire(t, s, sessionID, db.Holder{})
	return s.Fenced(db.Fence{SessionID: sessionID, Epoch: l.Epoch()})
}

func wantHolder(t testing.TB, s db.Store, sessionID string, want db.Holder) {
	t.Helper()
	got, held, err := s.LeaseHolder(t.Context(), sessionID)
	must(t, err, "lease holder")
	if !held {
		t.Fatalf("LeaseHolder(%s) reports no holder, want %s/%d", sessionID, want.Host, want.PID)
	}
	eq(t, "holder Host", got.Host, want.Host)
	eq(t, "holder PID", got.PID, want.PID)
}

func wantNoHolder(t testing.TB, s db.Store, sessionID string) {
	t.Helper()
	got, held, err := s.LeaseHolder(t.Context(), sessionID)
	must(t, err, "lease holder")
	if held {
		t.Errorf("LeaseHolder(%s) = %s/%d, want no holder", sessionID, got.Host, got.PID)
	}
}

func testLeaseSecondHolder(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, holderB := holders()
	sess := SeedSession(t, s)
	wantNoHolder(t, s, sess.ID)
	l := acquire(t, s, sess.ID, holderA)
	eq(t, "Lease.Holder().Host", l.Holder().Host, holderA.Host)
	eq(t, "Lease.Holder().PID", l.Holder().PID, holderA.PID)
	wantHolder(t, s, sess.ID, holderA)

	for _, second := range []db.Holder{holderB, holderA} {
		l2, err := s.AcquireLease(t.Context(), sess.ID, second)
		if err == nil {
			_ = l2.Release(t.Context())
			t.Fatalf("second AcquireLease as %s/%d succeeded while %s/%d holds the session",
				second.Host, second.PID, holderA.Host, holderA.PID)
		}
		var held *db.LeaseHeldError
		if !errors.As(err, &held) {
			t.Fatalf("second AcquireLease error %v does not wrap *db.LeaseHeldError", err)
		}
		eq(t, "LeaseHeldError.SessionID", held.SessionID, sess.ID)
		eq(t, "LeaseHeldError.Holder.Host", held.Holder.Host, holderA.Host)
		eq(t, "LeaseHeldError.Holder.PID", held.Holder.PID, holderA.PID)
	}
	// The refused attempt must not have displaced the holder.
	wantHolder(t, s, sess.ID, holderA)
}

func testLeaseRelease(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, holderB := holders()
	sess := SeedSession(t, s)
	l := acquire(t, s, sess.ID, holderA)
	must(t, l.Release(t.Context()), "release")
	wantNoHolder(t, s, sess.ID)
	must(t, l.Release(t.Context()), "second release of the same lease")

	l2 := acquire(t, s, sess.ID, holderB)
	wantHolder(t, s, sess.ID, holderB)
	// Releasing the old lease again must not free the new holder's lease.
	must(t, l.Release(t.Context()), "third release of the old lease")
	wantHolder(t, s, sess.ID, holderB)
	must(t, l2.Release(t.Context()), "release new lease")
	wantNoHolder(t, s, sess.ID)
}

func testLeaseIndependent(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, holderB := holders()
	one := SeedSession(t, s)
	two := SeedSession(t, s)
	acquire(t, s, one.ID, holderA)
	l2 := acquire(t, s, two.ID, holderB)
	wantHolder(t, s, one.ID, holderA)
	wantHolder(t, s, two.ID, holderB)
	must(t, l2.Release(t.Context()), "release second session")
	wantNoHolder(t, s, two.ID)
	wantHolder(t, s, one.ID, holderA)
}

func testLeaseUnknownSession(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, _ := holders()
	l, err := s.AcquireLease(t.Context(), "00000000-0000-0000-0000-000000000000", holderA)
	if err == nil {
		_ = l.Release(t.Context())
	}
	wantErrIs(t, err, db.ErrNotFound, "AcquireLease on an unknown session")
}

func testLeaseAlive(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, _ := holders()
	sess := SeedSession(t, s)
	l := acquire(t, s, sess.ID, holderA)
	must(t, l.Alive(t.Context()), "alive while held")
	wantHolder(t, s, sess.ID, holderA)
	must(t, l.Release(t.Context()), "release")
	if err := l.Alive(t.Context()); err == nil {
		t.Fatal("Alive after Release reports the lease held")
	}
}
