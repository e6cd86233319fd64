package dbtest

import (
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func retentionTests() []suiteTest {
	return []suiteTest{
		{"Retention/KeepNewest", testDeleteKeep},
		{"Retention/OlderThan", testDeleteOlderThan},
		{"Retention/ProtectSurvivesKeepZero", testDeleteProtect},
		{"Retention/DryRunCounts", testDeleteDryRun},
		{"Retention/SmallBatches", testDeleteBatches},
		{"Retention/EqualTimesByID", testDeleteTies},
	}
}

func deleteCheckpoints(t testing.TB, s db.Store, d db.CheckpointDelete) int64 {
	t.Helper()
	n, err := s.DeleteCheckpoints(t.Context(), d)
	must(t, err, "delete checkpoints")
	return n
}

// newestFirst reverses ids written oldest first.
func newestFirst(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, ids[i])
	}
	return out
}

func remaining(t testing.TB, s db.Store, sessionID string) []int64 {
	t.Helper()
	return checkpointIDs(listCheckpoints(t, s, sessionID, 1000))
}

func testDeleteKeep(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	ids := createCheckpoints(t, s, sess.ID, 15)
	otherIDs := createCheckpoints(t, s, other.ID, 3)

	eq(t, "deleted with Keep 10 of 15", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 10}), 5)
	eqSlice(t, "remaining after Keep 10", remaining(t, s, sess.ID), newestFirst(ids[5:]))
	eqSlice(t, "another session's checkpoints", remaining(t, s, other.ID), newestFirst(otherIDs))
	eq(t, "deleted by a repeated Keep 10", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 10}), 0)
	eq(t, "deleted with Keep larger than the count", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: other.ID, Keep: 100}), 0)
	if st := stats(t, s, sess.ID); st.Total != 10 {
		t.Errorf("stats Total after cleanup = %d, want 10", st.Total)
	}
}

func testDeleteOlderThan(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	ids := createCheckpoints(t, s, sess.ID, 15) // minutes 0..14
	cutoff := BaseTime().Add(5 * time.Minute)
	// Keep 5 protects minutes 10..14; of the rest only minutes 0..4 are
	// strictly older than the cutoff.
	n := deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 5, OlderThan: &cutoff})
	eq(t, "deleted with Keep 5 and OlderThan minute 5", n, 5)
	eqSlice(t, "remaining", remaining(t, s, sess.ID), newestFirst(ids[5:]))

	// Keep wins over OlderThan: nothing among the newest is deleted.
	late := BaseTime().Add(time.Hour)
	n = deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 8, OlderThan: &late})
	eq(t, "deleted with Keep 8 and OlderThan after all", n, 2)
	eqSlice(t, "remaining", remaining(t, s, sess.ID), newestFirst(ids[7:]))
}

func testDeleteProtect(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	ids := createCheckpoints(t, s, sess.ID, 5)
	n := deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 0, Protect: ids[4]})
	eq(t, "deleted with Keep 0 protecting the newest", n, 4)
	eqSlice(t, "remaining", remaining(t, s, sess.ID), []int64{ids[4]})

	other := SeedSession(t, s).ID
	more := createCheckpoints(t, s, other, 4)
	old := BaseTime().Add(time.Hour)
	n = deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: other, Keep: 0, OlderThan: &old, Protect: more[1]})
	eq(t, "deleted with Keep 0 protecting an older row", n, 3)
	eqSlice(t, "remaining", remaining(t, s, other), []int64{more[1]})
}

func testDeleteDryRun(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	ids := createCheckpoints(t, s, sess.ID, 15)
	cutoff := BaseTime().Add(3 * time.Minute)
	for _, c := range []struct {
		d    db.CheckpointDelete
		want int64
	}{
		{db.CheckpointDelete{SessionID: sess.ID, Keep: 10, DryRun: true}, 5},
		{db.CheckpointDelete{SessionID: sess.ID, Keep: 10, OlderThan: &cutoff, DryRun: true}, 3},
		{db.CheckpointDelete{SessionID: sess.ID, Keep: 0, Protect: ids[14], DryRun: true, BatchSize: 4}, 14},
	} {
		eq(t, "dry-run count", deleteCheckpoints(t, s, c.d), c.want)
	}
	eqSlice(t, "remaining after dry runs", remaining(t, s, sess.ID), newestFirst(ids))
}

func testDeleteBatches(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	ids := createCheckpoints(t, s, sess.ID, 15)
	n := deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 3, BatchSize: 2})
	eq(t, "deleted with Keep 3 in batches of 2", n, 12)
	eqSlice(t, "remaining", remaining(t, s, sess.ID), newestFirst(ids[12:]))
}

func testDeleteTies(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	var ids []int64
	for range 4 {
		ids = append(ids, createCheckpoint(t, s, sess.ID, BaseTime()).ID)
	}
	eqSlice(t, "ListCheckpoints of equal times (id desc)", remaining(t, s, sess.ID), newestFirst(ids))
	eq(t, "deleted with Keep 1 among equal times", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 1}), 3)
	eqSlice(t, "remaining", remaining(t, s, sess.ID), []int64{ids[3]})
}
