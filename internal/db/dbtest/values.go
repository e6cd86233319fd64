package dbtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

func valueTests() []suiteTest {
	return []suiteTest{
		{"Values/OrderedExact", testValuesOrdered},
		{"Values/OddPrices", testValuesOddPrices},
		{"Values/UnknownSession", testValuesUnknownSession},
		{"Values/SurviveCheckpointCleanup", testValuesSurviveCleanup},
	}
}

func valueSeries(t testing.TB, s db.Store, sessionID string) []db.ValuePoint {
	t.Helper()
	ps, err := s.ValueSeries(t.Context(), sessionID)
	must(t, err, "value series")
	return ps
}

func appendValue(t testing.TB, s db.Store, p db.ValuePoint) int64 {
	t.Helper()
	id, err := s.AppendValuePoint(t.Context(), p)
	must(t, err, "append value point")
	return id
}

// valuePoint is a point of sessionID at BaseTime()+offset of market time;
// an equity of "" is null.
func valuePoint(sessionID string, offset time.Duration, source, equity string) db.ValuePoint {
	p := db.ValuePoint{SessionID: sessionID, MarketTime: BaseTime().Add(offset), RecordedAt: BaseTime().Add(time.Hour),
		Source: source, Realized: dec("0"), Unrealized: dec("0")}
	if equity != "" {
		p.Equity = nullDec(equity)
	}
	return p
}

// testValuesOrdered appends points out of market-time order, two at the
// same instant, with values no float64 holds, and expects them back in
// (market_time, id) order with every field as written; another session's
// points stay apart.
func testValuesOrdered(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	appendValue(t, s, valuePoint(other.ID, 0, db.ValueStart, "1"))

	// PostgreSQL keeps times to the microsecond.
	priced := valuePoint(sess.ID, 2*time.Minute+123456*time.Microsecond, db.ValueCheckpoint, "50012.123456789012345678")
	priced.Realized, priced.Unrealized = dec("12.5"), dec("-0.376543210987654322")
	priced.Prices = map[string]decimal.Decimal{"AAPL": dec("187.123456789"), "AT&T": dec("0.0001")}
	stale := valuePoint(sess.ID, 3*time.Minute, db.ValueCheckpoint, "")
	stale.Realized, stale.Unrealized, stale.PricesStale = dec("-3.25"), dec("0.0001"), true
	stale.Prices = map[string]decimal.Decimal{"MSFT": dec("410")}
	start := valuePoint(sess.ID, 0, db.ValueStart, "50000")
	start.RecordedAt = time.Time{} // the store's now
	sameInstant := valuePoint(sess.ID, 2*time.Minute+123456*time.Microsecond, db.ValueCheckpoint, "50013")
	sameInstant.Unrealized = dec("13")

	writes := []db.ValuePoint{stale, priced, start, sameInstant}
	ids := make([]int64, len(writes))
	for i, p := range writes {
		ids[i] = appendValue(t, s, p)
	}
	got := valueSeries(t, s, sess.ID)
	order := []int{2, 1, 3, 0} // by market time, then id for the two at +2m
	if len(got) != len(order) {
		t.Fatalf("ValueSeries returned %d points, want %d: %+v", len(got), len(order), got)
	}
	for k, i := range order {
		g, w, what := got[k], writes[i], fmt.Sprintf("point %d", k)
		eq(t, what+" ID", g.ID, ids[i])
		eq(t, what+" SessionID", g.SessionID, sess.ID)
		eqTime(t, what+" MarketTime", g.MarketTime, w.MarketTime)
		if !w.RecordedAt.IsZero() {
			eqTime(t, what+" RecordedAt", g.RecordedAt, w.RecordedAt)
		} else if g.RecordedAt.IsZero() {
			t.Errorf("%s RecordedAt is zero, want the store's now", what)
		}
		eq(t, what+" Source", g.Source, w.Source)
		eqNullDec(t, what+" Equity", g.Equity, w.Equity)
		eqDec(t, what+" Realized", g.Realized, w.Realized)
		eqDec(t, what+" Unrealized", g.Unrealized, w.Unrealized)
		eq(t, what+" PricesStale", g.PricesStale, w.PricesStale)
		eqPrices(t, what+" Prices", g.Prices, w.Prices)
		if g.MarketTime.Location() != time.UTC {
			t.Errorf("%s MarketTime is in %s, want UTC", what, g.MarketTime.Location())
		}
	}
	if e := got[1].Equity.Decimal.String(); e != "50012.123456789012345678" {
		t.Errorf("equity text %s, want every digit of 50012.123456789012345678", e)
	}
	eq(t, "points of the other session", len(valueSeries(t, s, other.ID)), 1)
}

func eqPrices(t testing.TB, what string, got, want map[string]decimal.Decimal) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for sym, px := range want {
		if g, ok := got[sym]; !ok || !g.Equal(px) || g.String() != px.String() {
			t.Errorf("%s[%s] = %v, want %s", what, sym, got[sym], px)
		}
	}
}

func testValuesUnknownSession(t *testing.T, h Harness) {
	s := h.New(t)
	unknown := "00000000-0000-4000-8000-000000000000"
	_, err := s.AppendValuePoint(t.Context(), valuePoint(unknown, 0, db.ValueStart, "1"))
	wantErrIs(t, err, db.ErrNotFound, "append a value point to an unknown session")
	eq(t, "points of an unknown session", len(valueSeries(t, s, unknown)), 0)
}

// testValuesSurviveCleanup: deleting every checkpoint of a session, as
// `checkpoints cleanup --keep 0` would, leaves its value series whole.
func testValuesSurviveCleanup(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	createCheckpoints(t, s, sess.ID, 5)
	for i := range 5 {
		appendValue(t, s, valuePoint(sess.ID, time.Duration(i)*time.Minute, db.ValueCheckpoint, fmt.Sprint(50000+i)))
	}
	eq(t, "checkpoints deleted", deleteCheckpoints(t, s, db.CheckpointDelete{SessionID: sess.ID}), 5)
	got := valueSeries(t, s, sess.ID)
	eq(t, "value points after the cleanup", len(got), 5)
	for i, p := range got {
		eqNullDec(t, fmt.Sprintf("point %d equity", i), p.Equity, nullDec(fmt.Sprint(50000+i)))
	}
}

// testValuesOddPrices: prices as another tool could have written them (a
// number, a string that is not a decimal, not an object) are read as far
// as they are decimals, never as an error.
func testValuesOddPrices(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	for i, prices := range []string{`'{"AAPL": 187.5, "MSFT": "x", "TSLA": null}'`, `'[1, 2]'`, `NULL`} {
		at := BaseTime().Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		must(t, h.Exec(t, s, fmt.Sprintf(`INSERT INTO session_values (session_id, market_time, recorded_at, source,
			realized_pnl, unrealized_pnl, prices) VALUES ('%s', '%s', '%s', 'checkpoint', '0', '0', %s)`,
			sess.ID, at, at, prices)), fmt.Sprintf("insert row %d", i))
	}
	got := valueSeries(t, s, sess.ID)
	if len(got) != 3 {
		t.Fatalf("ValueSeries returned %d points, want 3", len(got))
	}
	eqPrices(t, "prices of a number, a non-decimal and a null", got[0].Prices, map[string]decimal.Decimal{"AAPL": dec("187.5")})
	eqPrices(t, "prices that are not an object", got[1].Prices, nil)
	eqPrices(t, "null prices", got[2].Prices, nil)
	eq(t, "stale by default", got[0].PricesStale, false)
	eqNullDec(t, "equity left out", got[0].Equity, decimal.NullDecimal{})
}
