package dbtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// summaryTests check that CheckpointStats stays equal to the aggregates of
// the rows that exist, whoever wrote or deleted them and however many rows
// one statement touched: a store may keep the aggregates incrementally.
func summaryTests() []suiteTest {
	return []suiteTest{
		{"Stats/LegacyInserts", testStatsLegacyInserts},
		{"Stats/AfterBatchedDelete", testStatsAfterBatchedDelete},
		{"Position/OpenKeepsExitFields", testPositionOpenKeepsExitFields},
	}
}

// statsOracle computes what CheckpointStats must say from every listed row.
func statsOracle(t testing.TB, s db.Store, sessionID string) db.CheckpointStats {
	t.Helper()
	var (
		want  db.CheckpointStats
		sum   float64
		count int
	)
	for _, m := range listCheckpoints(t, s, sessionID, 0) {
		want.Total++
		at := m.CheckpointTime
		if want.First == nil || at.Before(*want.First) {
			want.First = &at
		}
		if want.Last == nil || at.After(*want.Last) {
			want.Last = &at
		}
		want.TotalBytes += deref(m.SizeBytes)
		if m.DurationMS != nil {
			count++
			sum += *m.DurationMS
			if want.MaxDurationMS == nil || *m.DurationMS > *want.MaxDurationMS {
				d := *m.DurationMS
				want.MaxDurationMS = &d
			}
		}
	}
	if count > 0 {
		avg := sum / float64(count)
		want.AvgDurationMS = &avg
	}
	return want
}

func eqStats(t testing.TB, what string, got, want db.CheckpointStats) {
	t.Helper()
	eq(t, what+": Total", got.Total, want.Total)
	eq(t, what+": TotalBytes", got.TotalBytes, want.TotalBytes)
	eqOptTime(t, what+": First", got.First, want.First)
	eqOptTime(t, what+": Last", got.Last, want.Last)
	if (got.MaxDurationMS == nil) != (want.MaxDurationMS == nil) ||
		(got.MaxDurationMS != nil && *got.MaxDurationMS != *want.MaxDurationMS) {
		t.Errorf("%s: MaxDurationMS = %v, want %v", what, fmtPtr(got.MaxDurationMS), fmtPtr(want.MaxDurationMS))
	}
	if (got.AvgDurationMS == nil) != (want.AvgDurationMS == nil) ||
		(got.AvgDurationMS != nil && !closeTo(*got.AvgDurationMS, *want.AvgDurationMS)) {
		t.Errorf("%s: AvgDurationMS = %v, want %v", what, fmtPtr(got.AvgDurationMS), fmtPtr(want.AvgDurationMS))
	}
}

func eqOptTime(t testing.TB, what string, got, want *time.Time) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s = %s, want nil", what, got)
		}
		return
	}
	eqTimePtr(t, what, got, *want)
}

func fmtPtr[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// rawCheckpoints renders one multi-row INSERT, as another tool might send.
// duration and size "NULL" leave the gambler columns out of play.
type rawCheckpoint struct {
	session        string
	minute         int
	duration, size string
}

func insertRaw(t testing.TB, h Harness, s db.Store, rows ...rawCheckpoint) {
	t.Helper()
	vals := make([]string, 0, len(rows))
	for _, r := range rows {
		at := BaseTime().Add(time.Duration(r.minute) * time.Minute).Format("2006-01-02T15:04:05Z")
		vals = append(vals, fmt.Sprintf(`('%s', '%s', '{}', 0, 0, '%s', %s, %s)`,
			r.session, at, at, r.duration, r.size))
	}
	must(t, h.Exec(t, s, `INSERT INTO position_checkpoints (session_id, checkpoint_time, positions_snapshot,
		active_positions_count, closed_trades_count, created_at, duration_ms, size_bytes)
		VALUES `+strings.Join(vals, ", ")), "insert raw checkpoints")
}

func testStatsLegacyInserts(t *testing.T, h Harness) {
	s := h.New(t)
	must(t, h.Exec(t, s, legacySession), "insert legacy session")
	must(t, h.Exec(t, s, legacyCheckpoint), "insert legacy checkpoint")
	st := stats(t, s, legacySessionID)
	eqStats(t, "one legacy row", st, statsOracle(t, s, legacySessionID))
	eq(t, "Total of one legacy row", st.Total, 1)
	if st.AvgDurationMS != nil || st.MaxDurationMS != nil {
		t.Errorf("durations of a legacy row = %v/%v, want nil", fmtPtr(st.AvgDurationMS), fmtPtr(st.MaxDurationMS))
	}

	// Then gambler's own rows and a multi-row statement spanning two
	// sessions, one of whose rows has no duration.
	openPosition(t, s, position(legacySessionID, "TSLA", 0))
	createCheckpoint(t, s, legacySessionID, BaseTime().Add(time.Hour))
	other := SeedSession(t, s)
	insertRaw(t, h, s,
		rawCheckpoint{legacySessionID, 70, "12.5", "300"},
		rawCheckpoint{other.ID, 1, "40", "10"},
		rawCheckpoint{legacySessionID, 71, "NULL", "NULL"},
		rawCheckpoint{legacySessionID, 72, "12.5", "7"})
	eqStats(t, "legacy, own and batched rows", stats(t, s, legacySessionID), statsOracle(t, s, legacySessionID))
	eqStats(t, "the other session", stats(t, s, other.ID), statsOracle(t, s, other.ID))
}

func testStatsAfterBatchedDelete(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	// The longest durations are the oldest rows, so the cleanup deletes the
	// maximum (and its tie) and the store must find the next one.
	var rows []rawCheckpoint
	for i, d := range []string{"90", "90", "80", "12.25", "NULL", "3.5", "70", "1", "2", "70", "4", "5"} {
		rows = append(rows, rawCheckpoint{sess.ID, i, d, fmt.Sprint(100 + i)})
	}
	insertRaw(t, h, s, rows...)
	insertRaw(t, h, s, rawCheckpoint{other.ID, 0, "500", "1"})
	eqStats(t, "before cleanup", stats(t, s, sess.ID), statsOracle(t, s, sess.ID))

	eq(t, "deleted keeping 5 in batches of 2",
		deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 5, BatchSize: 2}), 7)
	after := stats(t, s, sess.ID)
	eqStats(t, "after cleanup", after, statsOracle(t, s, sess.ID))
	if after.MaxDurationMS == nil || *after.MaxDurationMS != 70 {
		t.Errorf("MaxDurationMS after the maximum was deleted = %v, want 70", fmtPtr(after.MaxDurationMS))
	}
	eqStats(t, "another session after cleanup", stats(t, s, other.ID), statsOracle(t, s, other.ID))

	eq(t, "deleted keeping 1", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID, Keep: 1}), 4)
	eqStats(t, "after keeping 1", stats(t, s, sess.ID), statsOracle(t, s, sess.ID))
	createCheckpoint(t, s, sess.ID, BaseTime().Add(time.Hour))
	eqStats(t, "a new row after cleanup", stats(t, s, sess.ID), statsOracle(t, s, sess.ID))
}

// testPositionOpenKeepsExitFields: reconcile adopts broker positions with
// ExitReason "adopted", and a closed position may be recorded in one write.
func testPositionOpenKeepsExitFields(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	adopted := position(sess.ID, "AAPL", 0)
	adopted.ExitReason = "adopted"
	closed := position(sess.ID, "MSFT", time.Minute)
	exit := BaseTime().Add(time.Hour)
	closed.Status, closed.ExitTime, closed.ExitPrice = db.PositionClosed, &exit, nullDec("151")
	closed.ExitReason, closed.PnL, closed.PnLPct, closed.DurationMinutes =
		"take_profit", nullDec("7.5"), nullDec("0.5"), nullDec("59")
	ids := []int64{openPosition(t, s, adopted), openPosition(t, s, closed)}

	all := allPositions(t, s, sess.ID)
	eqSlice(t, "positions", positionIDs(all), ids)
	eqPosition(t, all[0], adopted)
	eq(t, "ExitReason of an adopted position", all[0].ExitReason, "adopted")
	eqPosition(t, all[1], closed)
	eq(t, "ExitReason of a closed position", all[1].ExitReason, "take_profit")
	eqTimePtr(t, "ExitTime", all[1].ExitTime, exit)
	eqNullDec(t, "ExitPrice", all[1].ExitPrice, closed.ExitPrice)
	eqNullDec(t, "PnL", all[1].PnL, closed.PnL)
	eqNullDec(t, "PnLPct", all[1].PnLPct, closed.PnLPct)
	eqNullDec(t, "DurationMinutes", all[1].DurationMinutes, closed.DurationMinutes)
}
