package dbtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func fenceTests() []suiteTest {
	return []suiteTest{
		{"Fence/EveryAcquireMovesTheEpoch", testFenceEpoch},
		{"Fence/StaleWritesRefusedFreshWritesRun", testFenceWrites},
		{"Fence/MissingSessionRefused", testFenceMissingSession},
		{"Lease/AliveSeesTheRowTakenOver", testLeaseAliveRowTakenOver},
	}
}

func testFenceEpoch(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, holderB := holders()
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	l1 := acquire(t, s, sess.ID, holderA)
	must(t, l1.Release(t.Context()), "release")
	l2 := acquire(t, s, sess.ID, holderB)
	if l2.Epoch() != l1.Epoch()+1 {
		t.Errorf("epochs of two successive leases = %d, %d; want one apart", l1.Epoch(), l2.Epoch())
	}
	eq(t, "Epoch after Release", l1.Epoch(), l2.Epoch()-1)
	// A refused acquire does not move the epoch.
	if l, err := s.AcquireLease(t.Context(), sess.ID, holderA); err == nil {
		_ = l.Release(t.Context())
		t.Fatal("second holder acquired a held lease")
	}
	must(t, l2.Release(t.Context()), "release")
	l3 := acquire(t, s, sess.ID, holderA)
	eq(t, "epoch after a refused acquire", l3.Epoch(), l2.Epoch()+1)
	eq(t, "epoch of another session's first lease", acquire(t, s, other.ID, holderB).Epoch(), l1.Epoch())
}

// fencedWrite is one write that matters, against the fixture of
// testFenceWrites.
type fencedWrite struct {
	name  string
	write func(ctx context.Context, s db.Store) error
}

func fencedWrites(sessionID, donorID string, pA, pM int64) []fencedWrite {
	at := BaseTime().Add(time.Hour)
	fillEffect := entryEffect(sessionID, "exec-fence", "gmb-fence-2", at)
	fillEffect.Open.Symbol = "TSLA"
	return []fencedWrite{
		{"InsertOrder", func(ctx context.Context, s db.Store) error {
			_, err := s.InsertOrder(ctx, order(sessionID, "gmb-fence-new", 10))
			return err
		}},
		{"UpdateOrder", func(ctx context.Context, s db.Store) error {
			return s.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: "gmb-fence-1", Status: "accepted",
				BrokerOrderID: "b-1", FilledQty: dec("0"), UpdatedAt: at})
		}},
		{"ApplyFill", func(ctx context.Context, s db.Store) error { _, err := s.ApplyFill(ctx, fillEffect); return err }},
		{"OpenPosition", func(ctx context.Context, s db.Store) error {
			_, err := s.OpenPosition(ctx, position(sessionID, "GOOG", time.Hour))
			return err
		}},
		{"ClosePosition", func(ctx context.Context, s db.Store) error {
			return s.ClosePosition(ctx, db.PositionClose{PositionID: pA, ExitTime: at, ExitPrice: nullDec("151"),
				ExitReason: "stop_loss"})
		}},
		{"SetPositionQty", func(ctx context.Context, s db.Store) error { return s.SetPositionQty(ctx, pM, dec("3"), at) }},
		{"IncrementRepairCount", func(ctx context.Context, s db.Store) error { _, err := s.IncrementRepairCount(ctx, pM); return err }},
		{"ClaimSymbol", func(ctx context.Context, s db.Store) error { return s.ClaimSymbol(ctx, sessionID, "META", at) }},
		{"TakeOverClaim", func(ctx context.Context, s db.Store) error {
			return s.TakeOverClaim(ctx, "NVDA", donorID, sessionID, at)
		}},
		{"ReleaseIdleClaims", func(ctx context.Context, s db.Store) error {
			released, err := s.ReleaseIdleClaims(ctx, sessionID)
			if err == nil && len(released) == 0 {
				return errors.New("released nothing")
			}
			return err
		}},
		{"CreateCheckpoint", func(ctx context.Context, s db.Store) error {
			_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: sessionID, CheckpointTime: at,
				Trigger: db.TriggerInterval, AccountSnapshot: accountJSON(1)})
			return err
		}},
		{"AppendValuePoint", func(ctx context.Context, s db.Store) error {
			_, err := s.AppendValuePoint(ctx, valuePoint(sessionID, time.Hour, db.ValueCheckpoint, "50001"))
			return err
		}},
		{"SetSessionSettings", func(ctx context.Context, s db.Store) error {
			return s.SetSessionSettings(ctx, sessionID, []byte(`{"fenced":true}`), at)
		}},
		{"SetSessionStatus", func(ctx context.Context, s db.Store) error {
			return s.SetSessionStatus(ctx, sessionID, db.StatusCrashed, at)
		}},
		{"EndSession", func(ctx context.Context, s db.Store) error {
			return s.EndSession(ctx, sessionID, db.SessionEnd{Status: db.StatusCompleted, EndTime: at,
				PnL: nullDec("1"), TotalTrades: 2})
		}},
	}
}

// storeState renders everything a write could change, to compare.
func storeState(t testing.TB, s db.Store, sessionIDs ...string) string {
	t.Helper()
	out := ""
	for _, id := range sessionIDs {
		sess, err := s.GetSession(t.Context(), id)
		must(t, err, "get session")
		orders, err := s.SessionOrders(t.Context(), id, false)
		must(t, err, "orders")
		cps, err := s.ListCheckpoints(t.Context(), id, 0)
		must(t, err, "checkpoints")
		out += fmt.Sprintf("session %+v\norders %+v\npositions %+v\nfills %+v\ncheckpoints %d\nvalues %+v\n",
			sess, orders, allPositions(t, s, id), fills(t, s, id), len(cps), valueSeries(t, s, id))
	}
	claims, err := s.SymbolClaims(t.Context())
	must(t, err, "claims")
	return out + fmt.Sprintf("claims %+v\n", claims)
}

// Every write that matters, through a view fenced with an epoch a takeover
// has moved on, is refused with a *StaleLeaseError and changes nothing; a
// view fenced with the new epoch writes.
func testFenceWrites(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, holderB := holders()
	sess := SeedSession(t, s)
	donor := SeedSession(t, s)
	pA := openPosition(t, s, position(sess.ID, "AAPL", 0))
	pM := openPosition(t, s, position(sess.ID, "MSFT", time.Minute))
	insertOrder(t, s, order(sess.ID, "gmb-fence-1", 1))
	insertOrder(t, s, order(sess.ID, "gmb-fence-2", 2))
	must(t, s.ClaimSymbol(t.Context(), sess.ID, "AMD", BaseTime()), "claim AMD")
	must(t, s.ClaimSymbol(t.Context(), donor.ID, "NVDA", BaseTime()), "donor claims NVDA")
	writes := fencedWrites(sess.ID, donor.ID, pA, pM)

	old := acquire(t, s, sess.ID, holderA)
	stale := s.Fenced(db.Fence{SessionID: sess.ID, Epoch: old.Epoch()})
	must(t, old.Release(t.Context()), "release the old lease")
	taker := acquire(t, s, sess.ID, holderB)

	before := storeState(t, s, sess.ID, donor.ID)
	for _, w := range writes {
		err := w.write(t.Context(), stale)
		var se *db.StaleLeaseError
		switch {
		case !errors.Is(err, db.ErrFenced) || !errors.As(err, &se):
			t.Errorf("%s through a stale fence: error %v, want a *db.StaleLeaseError wrapping db.ErrFenced", w.name, err)
		default:
			eq(t, w.name+": StaleLeaseError.SessionID", se.SessionID, sess.ID)
			eq(t, w.name+": StaleLeaseError.Epoch", se.Epoch, old.Epoch())
			eq(t, w.name+": StaleLeaseError.Current", se.Current, taker.Epoch())
		}
	}
	if after := storeState(t, s, sess.ID, donor.ID); after != before {
		t.Errorf("refused writes changed the store:\nbefore %s\nafter  %s", before, after)
	}
	must(t, stale.Close(), "close the stale view")

	fresh := s.Fenced(db.Fence{SessionID: sess.ID, Epoch: taker.Epoch()})
	for _, w := range writes {
		if err := w.write(t.Context(), fresh); err != nil {
			t.Errorf("%s through the current fence: %v", w.name, err)
		}
	}
	must(t, fresh.Close(), "close the fresh view")
	if after := storeState(t, s, sess.ID, donor.ID); after == before {
		t.Error("writes through the current fence changed nothing")
	}
	got, err := s.GetSession(t.Context(), sess.ID)
	must(t, err, "get session")
	eq(t, "status after the fenced EndSession", got.Status, db.StatusCompleted)
	// The store the views came from is still open and unfenced.
	must(t, s.SetSessionStatus(t.Context(), sess.ID, db.StatusActive, BaseTime()), "unfenced write after the views")
}

func testFenceMissingSession(t *testing.T, h Harness) {
	s := h.New(t)
	const missing = "00000000-0000-0000-0000-000000000000"
	v := s.Fenced(db.Fence{SessionID: missing, Epoch: 1})
	err := v.SetSessionStatus(t.Context(), missing, db.StatusCrashed, BaseTime())
	var se *db.StaleLeaseError
	if !errors.As(err, &se) || se.Current != -1 {
		t.Errorf("fenced write of a missing session: %v, want a *db.StaleLeaseError with Current -1", err)
	}
}

// Alive checks the row too: a lease whose row another process rewrote (a
// takeover that got past the lock) is lost, for good.
func testLeaseAliveRowTakenOver(t *testing.T, h Harness) {
	s := h.New(t)
	holderA, _ := holders()
	sess := SeedSession(t, s)
	l := acquire(t, s, sess.ID, holderA)
	must(t, l.Alive(t.Context()), "alive")
	must(t, h.Exec(t, s, `UPDATE trading_sessions SET lease_epoch = lease_epoch + 1, lease_pid = 999,
		lease_host = 'host-z' WHERE session_id = '`+sess.ID+`'`), "take the row over")
	for range 2 {
		err := l.Alive(t.Context())
		var held *db.LeaseHeldError
		if !errors.As(err, &held) {
			t.Fatalf("Alive after the row was taken over: %v, want a *db.LeaseHeldError", err)
		}
		eq(t, "LeaseHeldError.Holder.PID", held.Holder.PID, 999)
		eq(t, "LeaseHeldError.Holder.Host", held.Holder.Host, "host-z")
	}
	must(t, l.Release(t.Context()), "release a lost lease")
	wantNoHolder(t, s, sess.ID)
}
