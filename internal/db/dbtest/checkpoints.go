package dbtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func checkpointTests() []suiteTest {
	return []suiteTest{
		{"Checkpoint/CreateChangeCreateList", testCheckpointList},
		{"Checkpoint/NewestGetVerify", testCheckpointNewest},
		{"Checkpoint/PositionsSnapshotLayout", testCheckpointLayout},
		{"Checkpoint/AccountSnapshotByteForByte", testCheckpointAccountBytes},
		{"Checkpoint/UnknownSession", testCheckpointUnknownSession},
		{"Checkpoint/Stats", testCheckpointStats},
		{"Checkpoint/RowsImmutable", testCheckpointImmutable},
		{"Checkpoint/CorruptPayloadFailsVerify", testCheckpointCorrupt},
	}
}

// accountJSON is an account snapshot with deliberately odd spacing and key
// order, so that a store that re-renders JSON is caught.
func accountJSON(n int) []byte {
	return fmt.Appendf(nil, `{"portfolio_value": 100000.50,"cash":"50000.25" , "buying_power":2e5,`+
		`"timestamp":"2026-01-02T03:04:05Z","strategy_params":{"z":1,"a":[1, 2]},"n":%d}`, n)
}

func createCheckpoint(t testing.TB, s db.Store, sessionID string, at time.Time) db.CheckpointMeta {
	t.Helper()
	m, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
		SessionID: sessionID, CheckpointTime: at, Trigger: db.TriggerInterval, AccountSnapshot: accountJSON(1),
	})
	must(t, err, "create checkpoint")
	return m
}

// createCheckpoints writes n checkpoints one minute apart from BaseTime and
// returns their ids, oldest first.
func createCheckpoints(t testing.TB, s db.Store, sessionID string, n int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	for i := range n {
		ids = append(ids, createCheckpoint(t, s, sessionID, BaseTime().Add(time.Duration(i)*time.Minute)).ID)
	}
	return ids
}

func listCheckpoints(t testing.TB, s db.Store, sessionID string, limit int) []db.CheckpointMeta {
	t.Helper()
	ms, err := s.ListCheckpoints(t.Context(), sessionID, limit)
	must(t, err, "list checkpoints")
	return ms
}

func checkpointIDs(ms []db.CheckpointMeta) []int64 {
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func newest(t testing.TB, s db.Store, sessionID string, offset int) db.Checkpoint {
	t.Helper()
	c, err := s.NewestCheckpoint(t.Context(), sessionID, offset)
	must(t, err, fmt.Sprintf("newest checkpoint at offset %d", offset))
	return c
}

func testCheckpointList(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	openPosition(t, s, position(sess.ID, "AAPL", 0))
	msft := openPosition(t, s, position(sess.ID, "MSFT", time.Minute))
	t1 := BaseTime().Add(5 * time.Minute)
	acc := accountJSON(1)
	first, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
		SessionID: sess.ID, CheckpointTime: t1, Trigger: db.TriggerResume, AccountSnapshot: acc})
	must(t, err, "first checkpoint")

	closePosition(t, s, msft, t1.Add(time.Minute))
	t2 := t1.Add(time.Minute + 30*time.Second)
	second, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
		SessionID: sess.ID, CheckpointTime: t2, Trigger: db.TriggerShutdown, AccountSnapshot: acc})
	must(t, err, "second checkpoint")

	for _, c := range []struct {
		name           string
		m              db.CheckpointMeta
		at             time.Time
		trigger        string
		active, closed int
	}{{"first", first, t1, db.TriggerResume, 2, 0}, {"second", second, t2, db.TriggerShutdown, 1, 1}} {
		eq(t, c.name+" SessionID", c.m.SessionID, sess.ID)
		eqTime(t, c.name+" CheckpointTime", c.m.CheckpointTime, c.at)
		eq(t, c.name+" Trigger", c.m.Trigger, c.trigger)
		eq(t, c.name+" ActivePositionsCount", c.m.ActivePositionsCount, c.active)
		eq(t, c.name+" ClosedTradesCount", c.m.ClosedTradesCount, c.closed)
		if c.m.Sequence == nil || c.m.DurationMS == nil || c.m.SizeBytes == nil || c.m.Checksum == "" {
			t.Errorf("%s checkpoint lacks sequence/duration/size/checksum: %+v", c.name, c.m)
		} else if *c.m.DurationMS < 0 {
			t.Errorf("%s DurationMS = %v, want >= 0", c.name, *c.m.DurationMS)
		}
	}
	if first.Sequence != nil && second.Sequence != nil && *second.Sequence <= *first.Sequence {
		t.Errorf("sequences %d then %d, want strictly increasing", *first.Sequence, *second.Sequence)
	}

	list := listCheckpoints(t, s, sess.ID, 10)
	eqSlice(t, "ListCheckpoints ids (newest first)", checkpointIDs(list), []int64{second.ID, first.ID})
	for i, want := range []db.CheckpointMeta{second, first} {
		if i < len(list) {
			eqMeta(t, fmt.Sprintf("ListCheckpoints[%d]", i), list[i], want)
		}
	}
	eqSlice(t, "ListCheckpoints limit 1", checkpointIDs(listCheckpoints(t, s, sess.ID, 1)), []int64{second.ID})
	eqSlice(t, "ListCheckpoints of a session without any", checkpointIDs(listCheckpoints(t, s, SeedSession(t, s).ID, 10)), nil)
}

// eqMeta compares what a listing returns with what creation returned.
func eqMeta(t testing.TB, what string, got, want db.CheckpointMeta) {
	t.Helper()
	eq(t, what+" ID", got.ID, want.ID)
	eq(t, what+" SessionID", got.SessionID, want.SessionID)
	eqTime(t, what+" CheckpointTime", got.CheckpointTime, want.CheckpointTime)
	eq(t, what+" ActivePositionsCount", got.ActivePositionsCount, want.ActivePositionsCount)
	eq(t, what+" ClosedTradesCount", got.ClosedTradesCount, want.ClosedTradesCount)
	eq(t, what+" Trigger", got.Trigger, want.Trigger)
	eq(t, what+" Checksum", got.Checksum, want.Checksum)
	eq(t, what+" Sequence", deref(got.Sequence), deref(want.Sequence))
	eq(t, what+" SizeBytes", deref(got.SizeBytes), deref(want.SizeBytes))
	if (got.DurationMS == nil) != (want.DurationMS == nil) {
		t.Errorf("%s DurationMS = %v, want %v", what, got.DurationMS, want.DurationMS)
	}
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func testCheckpointNewest(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	openPosition(t, s, position(sess.ID, "AAPL", 0))
	ids := createCheckpoints(t, s, sess.ID, 3)

	var seqs []int64
	for off := range 3 {
		c := newest(t, s, sess.ID, off)
		eq(t, fmt.Sprintf("NewestCheckpoint(%d) id", off), c.ID, ids[2-off])
		if !c.Verify() {
			t.Errorf("NewestCheckpoint(%d) of a fresh row fails Verify", off)
		}
		if c.Sequence == nil {
			t.Fatalf("NewestCheckpoint(%d) has no sequence", off)
		}
		seqs = append(seqs, *c.Sequence)
		eq(t, "SizeBytes", deref(c.SizeBytes), int64(len(c.PositionsSnapshot)+len(c.AccountSnapshot)))
		eq(t, "Checksum", c.Checksum, db.Checksum(c.PositionsSnapshot, c.AccountSnapshot))

		g, err := s.GetCheckpoint(t.Context(), c.ID)
		must(t, err, "get checkpoint")
		eqMeta(t, "GetCheckpoint", g.CheckpointMeta, c.CheckpointMeta)
		if !bytes.Equal(g.PositionsSnapshot, c.PositionsSnapshot) || !bytes.Equal(g.AccountSnapshot, c.AccountSnapshot) {
			t.Errorf("GetCheckpoint(%d) payload differs from NewestCheckpoint's", c.ID)
		}
	}
	if seqs[0] <= seqs[1] || seqs[1] <= seqs[2] {
		t.Errorf("sequences newest first = %v, want strictly decreasing", seqs)
	}
	_, err := s.NewestCheckpoint(t.Context(), sess.ID, 3)
	wantErrIs(t, err, db.ErrNotFound, "NewestCheckpoint past the end")
	_, err = s.NewestCheckpoint(t.Context(), SeedSession(t, s).ID, 0)
	wantErrIs(t, err, db.ErrNotFound, "NewestCheckpoint of a session without checkpoints")
	_, err = s.GetCheckpoint(t.Context(), ids[2]+1000)
	wantErrIs(t, err, db.ErrNotFound, "GetCheckpoint of an unknown id")

	// Equal times are ordered by id, newest id first.
	tie := createCheckpoint(t, s, sess.ID, BaseTime().Add(2*time.Minute))
	eq(t, "NewestCheckpoint(0) among equal times", newest(t, s, sess.ID, 0).ID, tie.ID)
	eq(t, "NewestCheckpoint(1) among equal times", newest(t, s, sess.ID, 1).ID, ids[2])
}

func testCheckpointLayout(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	long := position(sess.ID, "AAPL", 0)
	bare := position(sess.ID, "MSFT", time.Minute)
	bare.OrderID = ""
	bare.StopLoss.Valid, bare.TakeProfit.Valid = false, false
	closed := openPosition(t, s, position(sess.ID, "NVDA", 0))
	closePosition(t, s, closed, BaseTime().Add(time.Minute))
	longID, bareID := openPosition(t, s, long), openPosition(t, s, bare)

	createCheckpoint(t, s, sess.ID, BaseTime().Add(time.Hour))
	c := newest(t, s, sess.ID, 0)
	var snap map[string]map[string]json.RawMessage
	if err := json.Unmarshal(c.PositionsSnapshot, &snap); err != nil {
		t.Fatalf("positions_snapshot %s is not a JSON object of objects: %v", c.PositionsSnapshot, err)
	}
	var symbols []string
	for sym := range snap {
		symbols = append(symbols, sym)
	}
	slices.Sort(symbols)
	eqSlice(t, "positions_snapshot keys (active positions only)", symbols, []string{"AAPL", "MSFT"})
	wantKeys := []string{"direction", "entry_price", "entry_time", "id", "order_id", "qty", "side", "status", "stop_loss", "symbol", "take_profit"}
	for sym, entry := range snap {
		var keys []string
		for k := range entry {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		eqSlice(t, sym+" snapshot keys", keys, wantKeys)
	}
	for _, w := range []struct {
		sym    string
		id     int64
		fields map[string]string
	}{
		{"AAPL", longID, map[string]string{"symbol": `"AAPL"`, "entry_price": "150.25", "qty": "10", "direction": `"UP"`,
			"side": `"buy"`, "stop_loss": "145.5", "take_profit": "160.75", "order_id": `"broker-AAPL"`, "status": `"active"`,
			"entry_time": `"2026-01-02T03:04:05Z"`}},
		{"MSFT", bareID, map[string]string{"stop_loss": "null", "take_profit": "null", "order_id": "null",
			"entry_time": `"2026-01-02T03:05:05Z"`}},
	} {
		eqJSON(t, w.sym+" id", snap[w.sym]["id"], fmt.Append(nil, w.id))
		for k, v := range w.fields {
			eqJSON(t, w.sym+" "+k, snap[w.sym][k], []byte(v))
		}
	}
	eq(t, "ActivePositionsCount", c.ActivePositionsCount, 2)
	eq(t, "ClosedTradesCount", c.ClosedTradesCount, 1)
}

func testCheckpointAccountBytes(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	acc := accountJSON(7)
	m, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
		SessionID: sess.ID, CheckpointTime: BaseTime(), Trigger: db.TriggerManual, AccountSnapshot: acc})
	must(t, err, "create checkpoint")
	c, err := s.GetCheckpoint(t.Context(), m.ID)
	must(t, err, "get checkpoint")
	if !bytes.Equal(c.AccountSnapshot, acc) {
		t.Errorf("AccountSnapshot = %s\nwant byte for byte %s", c.AccountSnapshot, acc)
	}
	eqJSON(t, "PositionsSnapshot without positions", c.PositionsSnapshot, []byte(`{}`))
	eq(t, "SizeBytes", deref(m.SizeBytes), int64(len(c.PositionsSnapshot)+len(acc)))
	eq(t, "Checksum", m.Checksum, db.Checksum(c.PositionsSnapshot, acc))
	if !c.Verify() {
		t.Error("fresh checkpoint fails Verify")
	}
}

func testCheckpointUnknownSession(t *testing.T, h Harness) {
	s := h.New(t)
	_, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
		SessionID: "00000000-0000-0000-0000-000000000000", CheckpointTime: BaseTime(),
		Trigger: db.TriggerManual, AccountSnapshot: accountJSON(1)})
	wantErrIs(t, err, db.ErrNotFound, "CreateCheckpoint for an unknown session")
}

func stats(t testing.TB, s db.Store, sessionID string) db.CheckpointStats {
	t.Helper()
	st, err := s.CheckpointStats(t.Context(), sessionID)
	must(t, err, "checkpoint stats")
	return st
}

func testCheckpointStats(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	openPosition(t, s, position(sess.ID, "AAPL", 0))

	zero := stats(t, s, sess.ID)
	eq(t, "Total of none", zero.Total, 0)
	eq(t, "TotalBytes of none", zero.TotalBytes, 0)
	if zero.First != nil || zero.Last != nil {
		t.Errorf("First/Last of none = %v/%v, want nil", zero.First, zero.Last)
	}

	m := createCheckpoint(t, s, sess.ID, BaseTime())
	one := stats(t, s, sess.ID)
	eq(t, "Total of one", one.Total, 1)
	eqTimePtr(t, "First of one", one.First, BaseTime())
	eqTimePtr(t, "Last of one", one.Last, BaseTime())
	eq(t, "TotalBytes of one", one.TotalBytes, deref(m.SizeBytes))
	if one.AvgDurationMS == nil || one.MaxDurationMS == nil {
		t.Errorf("durations of one = %v/%v, want set", one.AvgDurationMS, one.MaxDurationMS)
	} else if *one.AvgDurationMS != *m.DurationMS || *one.MaxDurationMS != *m.DurationMS {
		t.Errorf("durations of one = %v/%v, want %v", *one.AvgDurationMS, *one.MaxDurationMS, *m.DurationMS)
	}

	total, maxD, sumD := deref(m.SizeBytes), *m.DurationMS, *m.DurationMS
	for i := 1; i < 5; i++ {
		mi := createCheckpoint(t, s, sess.ID, BaseTime().Add(time.Duration(i)*time.Minute))
		total += deref(mi.SizeBytes)
		maxD = max(maxD, *mi.DurationMS)
		sumD += *mi.DurationMS
	}
	createCheckpoint(t, s, SeedSession(t, s).ID, BaseTime().Add(time.Hour)) // another session's
	many := stats(t, s, sess.ID)
	eq(t, "Total of many", many.Total, 5)
	eqTimePtr(t, "First of many", many.First, BaseTime())
	eqTimePtr(t, "Last of many", many.Last, BaseTime().Add(4*time.Minute))
	eq(t, "TotalBytes of many", many.TotalBytes, total)
	if many.MaxDurationMS == nil || *many.MaxDurationMS != maxD {
		t.Errorf("MaxDurationMS = %v, want %v", many.MaxDurationMS, maxD)
	}
	if many.AvgDurationMS == nil || !closeTo(*many.AvgDurationMS, sumD/5) {
		t.Errorf("AvgDurationMS = %v, want %v", many.AvgDurationMS, sumD/5)
	}
}

func closeTo(a, b float64) bool {
	d := a - b
	return d < 1e-6 && d > -1e-6
}

func testCheckpointImmutable(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	m := createCheckpoint(t, s, sess.ID, BaseTime())
	for _, stmt := range []string{
		fmt.Sprintf(`UPDATE position_checkpoints SET active_positions_count = 99 WHERE id = %d`, m.ID),
		fmt.Sprintf(`UPDATE position_checkpoints SET account_snapshot = '{"cash": 1}' WHERE id = %d`, m.ID),
	} {
		if err := h.Exec(t, s, stmt); err == nil {
			t.Errorf("%s succeeded; checkpoint rows must be immutable", stmt)
		}
	}
	c, err := s.GetCheckpoint(t.Context(), m.ID)
	must(t, err, "get checkpoint")
	eq(t, "ActivePositionsCount after refused UPDATE", c.ActivePositionsCount, 0)
	if !bytes.Equal(c.AccountSnapshot, accountJSON(1)) || !c.Verify() {
		t.Errorf("payload changed by a refused UPDATE: %s", c.AccountSnapshot)
	}
}

// corruptAccountSnapshot goes around the immutability trigger to damage a
// stored payload, as disk or a careless operator might.
func corruptAccountSnapshot(t testing.TB, h Harness, s db.Store, id int64) {
	t.Helper()
	update := fmt.Sprintf(`UPDATE position_checkpoints SET account_snapshot = '{"portfolio_value": 1}' WHERE id = %d`, id)
	var stmts []string
	switch s.Driver() {
	case "postgres":
		stmts = []string{
			`ALTER TABLE position_checkpoints DISABLE TRIGGER position_checkpoints_no_update`,
			update,
			`ALTER TABLE position_checkpoints ENABLE TRIGGER position_checkpoints_no_update`,
		}
	case "sqlite":
		stmts = []string{`DROP TRIGGER position_checkpoints_no_update`, update}
	default:
		t.Fatalf("corrupt payload: unknown driver %q", s.Driver())
	}
	for _, stmt := range stmts {
		must(t, h.Exec(t, s, stmt), stmt)
	}
}

func testCheckpointCorrupt(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	openPosition(t, s, position(sess.ID, "AAPL", 0))
	ids := createCheckpoints(t, s, sess.ID, 2)
	corruptAccountSnapshot(t, h, s, ids[1])
	bad := newest(t, s, sess.ID, 0)
	eq(t, "NewestCheckpoint(0)", bad.ID, ids[1])
	if bad.Verify() {
		t.Error("a checkpoint whose payload was altered still passes Verify")
	}
	good := newest(t, s, sess.ID, 1)
	eq(t, "NewestCheckpoint(1)", good.ID, ids[0])
	if !good.Verify() {
		t.Error("the untouched previous checkpoint fails Verify")
	}
}
