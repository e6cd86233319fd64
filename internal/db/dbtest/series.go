package dbtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

func seriesTests() []suiteTest {
	return []suiteTest{
		{"Series/OrderedExactValues", testSeriesOrdered},
		{"Series/OddSnapshots", testSeriesOddSnapshots},
		{"Series/MarketTime", testSeriesMarketTime},
		{"Series/SessionEquity", testSeriesSessionEquity},
	}
}

func series(t testing.TB, s db.Store, sessionID string) []db.CheckpointPoint {
	t.Helper()
	ps, err := s.CheckpointSeries(t.Context(), sessionID)
	must(t, err, "checkpoint series")
	return ps
}

// testSeriesOrdered writes checkpoints out of time order, two at the same
// instant, with values no float64 holds, and expects them back in
// (checkpoint_time, id) order with every digit.
func testSeriesOrdered(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	other := SeedSession(t, s)
	createCheckpoint(t, s, other.ID, BaseTime())

	type want struct {
		offset      time.Duration
		value, cash string // as written in the snapshot
	}
	writes := []want{
		{3 * time.Minute, `100000.123456789012345678`, `"50000.25"`},
		{time.Minute, `99999.99`, `12.5`},
		{2 * time.Minute, `100123.4500`, `0`},
		{2 * time.Minute, `-5.01`, `1e3`},
	}
	ids := make([]int64, len(writes))
	seqs := make([]int64, len(writes))
	for i, w := range writes {
		m, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{
			SessionID: sess.ID, CheckpointTime: BaseTime().Add(w.offset), Trigger: db.TriggerInterval,
			AccountSnapshot: fmt.Appendf(nil, `{"portfolio_value": %s, "buying_power": 1, "cash":%s, "timestamp": "x"}`, w.value, w.cash),
		})
		must(t, err, fmt.Sprintf("create checkpoint %d", i))
		ids[i], seqs[i] = m.ID, deref(m.Sequence)
	}
	got := series(t, s, sess.ID)
	order := []int{1, 2, 3, 0} // by time, then id for the two at +2m
	if len(got) != len(order) {
		t.Fatalf("CheckpointSeries returned %d points, want %d: %+v", len(got), len(order), got)
	}
	wantValues := map[int][2]string{0: {"100000.123456789012345678", "50000.25"}, 1: {"99999.99", "12.5"},
		2: {"100123.45", "0"}, 3: {"-5.01", "1000"}}
	for k, i := range order {
		p, what := got[k], fmt.Sprintf("point %d", k)
		eq(t, what+" ID", p.ID, ids[i])
		eq(t, what+" Sequence", deref(p.Sequence), seqs[i])
		eqTime(t, what+" CheckpointTime", p.CheckpointTime, BaseTime().Add(writes[i].offset))
		eqNullDec(t, what+" PortfolioValue", p.PortfolioValue, nullDec(wantValues[i][0]))
		eqNullDec(t, what+" Cash", p.Cash, nullDec(wantValues[i][1]))
		if p.PortfolioValue.Valid && p.PortfolioValue.Decimal.String() != wantValues[i][0] {
			t.Errorf("%s PortfolioValue text = %s, want %s", what, p.PortfolioValue.Decimal, wantValues[i][0])
		}
	}
	if n := len(series(t, s, "00000000-0000-4000-8000-000000000000")); n != 0 {
		t.Errorf("CheckpointSeries of an unknown session has %d points, want 0", n)
	}
}

// testSeriesOddSnapshots inserts rows as other tools could have written
// them: no sequence, no snapshot, values as strings, missing or odd keys.
// Every row is a point; a value that is not a decimal is null, not an error.
func testSeriesOddSnapshots(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	type snapshot struct {
		account     string // SQL literal
		value, cash decimal.NullDecimal
	}
	snapshots := []snapshot{
		{`NULL`, decimal.NullDecimal{}, decimal.NullDecimal{}},
		{`'{"portfolio_value": "100010.5", "cash": 7}'`, nullDec("100010.5"), nullDec("7")},
		{`'{"cash": 7}'`, decimal.NullDecimal{}, nullDec("7")},
		{`'{"portfolio_value": null, "cash": "abc"}'`, decimal.NullDecimal{}, decimal.NullDecimal{}},
		{`'{"portfolio_value": {"x": 1}, "cash": [1]}'`, decimal.NullDecimal{}, decimal.NullDecimal{}},
		{`'[1, 2]'`, decimal.NullDecimal{}, decimal.NullDecimal{}},
		{`'{"portfolio_value": 100020.000000000000000000001}'`, nullDec("100020.000000000000000000001"), decimal.NullDecimal{}},
	}
	got := insertRawSeries(t, h, s, sess.ID, snapshots, func(r snapshot) string { return r.account })
	for i, snap := range snapshots {
		what := fmt.Sprintf("point %d (%s)", i, snap.account)
		eqTime(t, what+" CheckpointTime", got[i].CheckpointTime, BaseTime().Add(time.Duration(i)*time.Minute))
		if got[i].Sequence != nil {
			t.Errorf("%s Sequence = %d, want null for a row without one", what, *got[i].Sequence)
		}
		eqNullDec(t, what+" PortfolioValue", got[i].PortfolioValue, snap.value)
		eqNullDec(t, what+" Cash", got[i].Cash, snap.cash)
	}
}

// insertRawSeries inserts one checkpoint row per case, a minute apart from
// BaseTime, with the account_snapshot SQL literal account gives, bypassing
// the store's encoding as other tools would, and returns the session's
// series.
func insertRawSeries[T any](t *testing.T, h Harness, s db.Store, sessionID string, cases []T, account func(T) string) []db.CheckpointPoint {
	t.Helper()
	for i, c := range cases {
		at := BaseTime().Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		must(t, h.Exec(t, s, fmt.Sprintf(`INSERT INTO position_checkpoints (session_id, checkpoint_time,
			positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, created_at)
			VALUES ('%s', '%s', '{}', %s, 0, 0, '%s')`, sessionID, at, account(c), at)), fmt.Sprintf("insert row %d", i))
	}
	got := series(t, s, sessionID)
	if len(got) != len(cases) {
		t.Fatalf("CheckpointSeries returned %d points, want %d", len(got), len(cases))
	}
	return got
}

// testSeriesMarketTime: market_time is an optional RFC 3339 string in
// account_snapshot. Rows without it (older sessions) or with something
// that is not a time give a null, never an error; a time with an offset
// comes back as the same instant in UTC, with its fraction of a second.
func testSeriesMarketTime(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	market := time.Date(2026, 3, 2, 15, 4, 5, 123456789, time.UTC)
	type marketRow struct {
		account string // SQL literal
		want    *time.Time
	}
	rows := []marketRow{
		{`'{"portfolio_value": 1, "market_time": "2026-03-02T15:04:05.123456789Z"}'`, &market},
		{`'{"portfolio_value": 1}'`, nil},
		{`'{"market_time": "2026-03-02T10:04:05.123456789-05:00"}'`, &market},
		{`'{"market_time": "yesterday"}'`, nil},
		{`'{"market_time": 1772463845}'`, nil},
		{`'{"market_time": null}'`, nil},
		{`NULL`, nil},
		{`'[1, 2]'`, nil},
	}
	got := insertRawSeries(t, h, s, sess.ID, rows, func(r marketRow) string { return r.account })
	for i, r := range rows {
		what := fmt.Sprintf("point %d (%s) MarketTime", i, r.account)
		switch {
		case r.want == nil && got[i].MarketTime != nil:
			t.Errorf("%s = %s, want null", what, got[i].MarketTime.Format(time.RFC3339Nano))
		case r.want != nil:
			eqTimePtr(t, what, got[i].MarketTime, *r.want)
			if got[i].MarketTime != nil && got[i].MarketTime.Location() != time.UTC {
				t.Errorf("%s is in %s, want UTC", what, got[i].MarketTime.Location())
			}
		}
	}
}

// testSeriesSessionEquity: session_equity is the session's own value, a
// decimal string as the trader writes it, and session_prices the prices it
// valued the open positions at; rows without them (older sessions), with a
// null (no starting capital) or with something that is not a decimal give
// a null, never an error.
func testSeriesSessionEquity(t *testing.T, h Harness) {
	s := h.New(t)
	sess := SeedSession(t, s)
	type equityRow struct {
		account string // SQL literal
		want    decimal.NullDecimal
		prices  map[string]decimal.Decimal
		stale   bool
	}
	rows := []equityRow{
		{`'{"portfolio_value": 100000, "session_equity": "25012.123456789012345678", "session_prices": {"AAPL": "187.25", "MSFT": "x"}}'`,
			nullDec("25012.123456789012345678"), map[string]decimal.Decimal{"AAPL": dec("187.25")}, false},
		{`'{"portfolio_value": 100000}'`, decimal.NullDecimal{}, nil, false},
		{`'{"session_equity": null, "session_realized_pnl": "0", "session_prices": {}}'`, decimal.NullDecimal{}, nil, false},
		{`'{"session_equity": 25000.5, "session_prices": {"TSLA": 250.5}, "session_prices_stale": true}'`,
			nullDec("25000.5"), map[string]decimal.Decimal{"TSLA": dec("250.5")}, true},
		{`'{"session_equity": "n/a", "session_prices": [1], "session_prices_stale": "yes"}'`, decimal.NullDecimal{}, nil, false},
		{`NULL`, decimal.NullDecimal{}, nil, false},
	}
	got := insertRawSeries(t, h, s, sess.ID, rows, func(r equityRow) string { return r.account })
	for i, r := range rows {
		what := fmt.Sprintf("point %d (%s)", i, r.account)
		eqNullDec(t, what+" SessionEquity", got[i].SessionEquity, r.want)
		eqPrices(t, what+" SessionPrices", got[i].SessionPrices, r.prices)
		eq(t, what+" SessionPricesStale", got[i].SessionPricesStale, r.stale)
	}
}
