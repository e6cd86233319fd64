package dbtest

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func sessionTests() []suiteTest {
	return []suiteTest{
		{"Session/CreateGetRoundTrip", testSessionRoundTrip},
		{"Session/DuplicateIDConflicts", testSessionDuplicate},
		{"Session/UnknownIDNotFound", testSessionNotFound},
		{"Session/Latest", testLatestSession},
		{"Session/LatestResumable", testLatestResumable},
		{"Session/ListFilterLimitOrder", testListSessions},
		{"Session/ListAggregates", testListSessionAggregates},
		{"Session/SetStatusAndSettings", testSetSessionStatus},
		{"Session/End", testEndSession},
	}
}

func testSessionRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	want := db.Session{
		ID:                    "4b0c7a52-3f7e-4d43-9d1e-2f7c1b9a0c11",
		InstanceID:            3,
		StrategyName:          "momentum",
		StartTime:             BaseTime(),
		Status:                db.StatusActive,
		Symbols:               []string{"AAPL", "MSFT", "NVDA"},
		DurationMinutes:       390,
		ScanIntervalSeconds:   30,
		InitialPortfolioValue: nullDec("100000.25"),
		TotalTrades:           0,
		AllocatedCapital:      nullDec("25000.5"),
		CreatedAt:             BaseTime(),
		UpdatedAt:             BaseTime().Add(time.Second),
		Settings:              json.RawMessage(`{"symbols":["AAPL","MSFT","NVDA"],"checkpoint_interval":"60s"}`),
	}
	must(t, s.CreateSession(t.Context(), want), "create session")
	got, err := s.GetSession(t.Context(), want.ID)
	must(t, err, "get session")
	eqSession(t, got, want)
	if got.EndTime != nil {
		t.Errorf("EndTime = %v, want nil for a running session", got.EndTime)
	}
	eqNullDec(t, "FinalPortfolioValue", got.FinalPortfolioValue, want.FinalPortfolioValue)
	eqNullDec(t, "PnL", got.PnL, want.PnL)
	eqNullDec(t, "PnLPct", got.PnLPct, want.PnLPct)
	eqJSON(t, "Settings", got.Settings, want.Settings)
}

// eqSession compares the fields a caller sets at creation.
func eqSession(t testing.TB, got, want db.Session) {
	t.Helper()
	eq(t, "ID", got.ID, want.ID)
	eq(t, "InstanceID", got.InstanceID, want.InstanceID)
	eq(t, "StrategyName", got.StrategyName, want.StrategyName)
	eqTime(t, "StartTime", got.StartTime, want.StartTime)
	eq(t, "Status", got.Status, want.Status)
	eqSlice(t, "Symbols", got.Symbols, want.Symbols)
	eq(t, "DurationMinutes", got.DurationMinutes, want.DurationMinutes)
	eq(t, "ScanIntervalSeconds", got.ScanIntervalSeconds, want.ScanIntervalSeconds)
	eqNullDec(t, "InitialPortfolioValue", got.InitialPortfolioValue, want.InitialPortfolioValue)
	eq(t, "TotalTrades", got.TotalTrades, want.TotalTrades)
	eqNullDec(t, "AllocatedCapital", got.AllocatedCapital, want.AllocatedCapital)
	eqTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	eqTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func testSessionDuplicate(t *testing.T, h Harness) {
	s := h.New(t)
	first := SeedSession(t, s)
	err := s.CreateSession(t.Context(), db.Session{ID: first.ID, InstanceID: 2, Status: db.StatusActive,
		StartTime: BaseTime().Add(time.Hour), CreatedAt: BaseTime(), UpdatedAt: BaseTime()})
	wantErrIs(t, err, db.ErrConflict, "second session with the same id")
	got, err := s.GetSession(t.Context(), first.ID)
	must(t, err, "get session after conflict")
	eq(t, "InstanceID after conflict", got.InstanceID, first.InstanceID)
}

func testSessionNotFound(t *testing.T, h Harness) {
	s := h.New(t)
	const missing = "00000000-0000-0000-0000-000000000000"
	_, err := s.GetSession(t.Context(), missing)
	wantErrIs(t, err, db.ErrNotFound, "GetSession of an unknown id")
	_, err = s.LatestSession(t.Context())
	wantErrIs(t, err, db.ErrNotFound, "LatestSession on an empty store")
	_, err = s.LatestResumable(t.Context(), 0)
	wantErrIs(t, err, db.ErrNotFound, "LatestResumable on an empty store")
	wantErrIs(t, s.SetSessionStatus(t.Context(), missing, db.StatusCrashed, BaseTime()), db.ErrNotFound,
		"SetSessionStatus of an unknown id")
	wantErrIs(t, s.SetSessionSettings(t.Context(), missing, []byte(`{}`), BaseTime()), db.ErrNotFound,
		"SetSessionSettings of an unknown id")
	wantErrIs(t, s.EndSession(t.Context(), missing, db.SessionEnd{Status: db.StatusCompleted, EndTime: BaseTime()}),
		db.ErrNotFound, "EndSession of an unknown id")
}

func testLatestSession(t *testing.T, h Harness) {
	s := h.New(t)
	// Created out of start-time order: "latest" means started last, not
	// inserted last.
	mid := SeedSession(t, s, startedAt(BaseTime().Add(time.Hour)), withStatus(db.StatusCompleted))
	SeedSession(t, s, startedAt(BaseTime()))
	got, err := s.LatestSession(t.Context())
	must(t, err, "latest session")
	eq(t, "LatestSession", got.ID, mid.ID)

	newest := SeedSession(t, s, startedAt(BaseTime().Add(2*time.Hour)), withInstance(2))
	got, err = s.LatestSession(t.Context())
	must(t, err, "latest session")
	eq(t, "LatestSession after a newer start", got.ID, newest.ID)

	// Equal start times: the one created later is the latest.
	tieStart := BaseTime().Add(3 * time.Hour)
	created := SeedSession(t, s, startedAt(tieStart), func(x *db.Session) { x.CreatedAt = tieStart.Add(time.Second) })
	SeedSession(t, s, startedAt(tieStart))
	got, err = s.LatestSession(t.Context())
	must(t, err, "latest session")
	eq(t, "LatestSession among equal start times", got.ID, created.ID)
}

func testLatestResumable(t *testing.T, h Harness) {
	s := h.New(t)
	crashed1 := SeedSession(t, s, startedAt(BaseTime()), withStatus(db.StatusCrashed))
	active2 := SeedSession(t, s, startedAt(BaseTime().Add(time.Hour)), withInstance(2))
	SeedSession(t, s, startedAt(BaseTime().Add(2*time.Hour)), withStatus(db.StatusCompleted))
	SeedSession(t, s, startedAt(BaseTime().Add(3*time.Hour)), withStatus(db.StatusCompleted), withInstance(2))

	for _, c := range []struct {
		instance int
		want     string
	}{{0, active2.ID}, {1, crashed1.ID}, {2, active2.ID}} {
		got, err := s.LatestResumable(t.Context(), c.instance)
		must(t, err, "latest resumable")
		eq(t, "LatestResumable(instance "+strconv.Itoa(c.instance)+")", got.ID, c.want)
	}
	_, err := s.LatestResumable(t.Context(), 3)
	wantErrIs(t, err, db.ErrNotFound, "LatestResumable of an instance with no sessions")
}

func testListSessions(t *testing.T, h Harness) {
	s := h.New(t)
	var ids []string // in start order
	statuses := []string{db.StatusCompleted, db.StatusActive, db.StatusCrashed, db.StatusCompleted, db.StatusActive}
	for i, st := range statuses {
		ids = append(ids, SeedSession(t, s, startedAt(BaseTime().Add(time.Duration(i)*time.Hour)),
			withStatus(st), withInstance(1+i%2)).ID)
	}
	list := func(f db.SessionFilter) []string {
		t.Helper()
		rows, err := s.ListSessions(t.Context(), f)
		must(t, err, "list sessions")
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
		}
		return got
	}
	eqSlice(t, "ListSessions{} (newest first)", list(db.SessionFilter{}), []string{ids[4], ids[3], ids[2], ids[1], ids[0]})
	eqSlice(t, "ListSessions{Limit: 2}", list(db.SessionFilter{Limit: 2}), []string{ids[4], ids[3]})
	eqSlice(t, "ListSessions{Status: completed}", list(db.SessionFilter{Status: db.StatusCompleted}), []string{ids[3], ids[0]})
	eqSlice(t, "ListSessions{Status: active, Limit: 1}", list(db.SessionFilter{Status: db.StatusActive, Limit: 1}), []string{ids[4]})
	eqSlice(t, "ListSessions{InstanceID: 2}", list(db.SessionFilter{InstanceID: 2}), []string{ids[3], ids[1]})
	eqSlice(t, "ListSessions{Status: crashed, InstanceID: 2}", list(db.SessionFilter{Status: db.StatusCrashed, InstanceID: 2}), nil)
}

func testListSessionAggregates(t *testing.T, h Harness) {
	s := h.New(t)
	busy := SeedSession(t, s, startedAt(BaseTime().Add(time.Hour)))
	idle := SeedSession(t, s, startedAt(BaseTime()))
	openPosition(t, s, position(busy.ID, "AAPL", 0))
	msft := openPosition(t, s, position(busy.ID, "MSFT", time.Minute))
	openPosition(t, s, position(busy.ID, "NVDA", 2*time.Minute))
	closePosition(t, s, msft, BaseTime().Add(3*time.Minute))
	last := BaseTime().Add(10 * time.Minute)
	createCheckpoint(t, s, busy.ID, BaseTime().Add(5*time.Minute))
	createCheckpoint(t, s, busy.ID, last)

	rows, err := s.ListSessions(t.Context(), db.SessionFilter{})
	must(t, err, "list sessions")
	if len(rows) != 2 {
		t.Fatalf("ListSessions returned %d rows, want 2", len(rows))
	}
	b, i := rows[0], rows[1]
	eq(t, "first row", b.ID, busy.ID)
	eq(t, "busy ActivePositions", b.ActivePositions, 2)
	eq(t, "busy Checkpoints", b.Checkpoints, 2)
	eqTimePtr(t, "busy LastCheckpoint", b.LastCheckpoint, last)
	eqSession(t, b.Session, busy)

	eq(t, "second row", i.ID, idle.ID)
	eq(t, "idle ActivePositions", i.ActivePositions, 0)
	eq(t, "idle Checkpoints", i.Checkpoints, 0)
	if i.LastCheckpoint != nil {
		t.Errorf("idle LastCheckpoint = %v, want nil", i.LastCheckpoint)
	}
}

func testSetSessionStatus(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	at := BaseTime().Add(time.Hour)
	must(t, s.SetSessionStatus(t.Context(), sess.ID, db.StatusCrashed, at), "set status")
	got, err := s.GetSession(t.Context(), sess.ID)
	must(t, err, "get session")
	eq(t, "Status", got.Status, db.StatusCrashed)
	eqTime(t, "UpdatedAt", got.UpdatedAt, at)
	if got.EndTime != nil {
		t.Errorf("SetSessionStatus set EndTime = %v; it changes status only", got.EndTime)
	}
	eqNullDec(t, "PnL", got.PnL, sess.PnL)
	sess.Status, sess.UpdatedAt = db.StatusCrashed, at
	eqSession(t, got, sess)

	settings := []byte(`{"symbols":["AAPL"],"scan_interval":"30s"}`)
	at2 := at.Add(time.Minute)
	must(t, s.SetSessionSettings(t.Context(), sess.ID, settings, at2), "set settings")
	got, err = s.GetSession(t.Context(), sess.ID)
	must(t, err, "get session")
	eqJSON(t, "Settings", got.Settings, settings)
	eq(t, "Status after SetSessionSettings", got.Status, db.StatusCrashed)
}

func testEndSession(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	end := db.SessionEnd{
		Status:              db.StatusCompleted,
		EndTime:             BaseTime().Add(390 * time.Minute),
		FinalPortfolioValue: nullDec("101234.56"),
		PnL:                 nullDec("1234.56"),
		PnLPct:              nullDec("1.2345"),
		TotalTrades:         17,
	}
	must(t, s.EndSession(t.Context(), sess.ID, end), "end session")
	got, err := s.GetSession(t.Context(), sess.ID)
	must(t, err, "get session")
	eq(t, "Status", got.Status, db.StatusCompleted)
	eqTimePtr(t, "EndTime", got.EndTime, end.EndTime)
	eqNullDec(t, "FinalPortfolioValue", got.FinalPortfolioValue, end.FinalPortfolioValue)
	eqNullDec(t, "PnL", got.PnL, end.PnL)
	eqNullDec(t, "PnLPct", got.PnLPct, end.PnLPct)
	eq(t, "TotalTrades", got.TotalTrades, end.TotalTrades)
	eqTime(t, "StartTime", got.StartTime, sess.StartTime)
	eqNullDec(t, "InitialPortfolioValue", got.InitialPortfolioValue, sess.InitialPortfolioValue)

	untouched, err := s.GetSession(t.Context(), other.ID)
	must(t, err, "get other session")
	eq(t, "other session Status", untouched.Status, db.StatusActive)
	if untouched.EndTime != nil {
		t.Errorf("other session EndTime = %v, want nil", untouched.EndTime)
	}
}
