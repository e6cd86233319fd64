package report_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
)

func TestRuns(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC)
	point := func(min int, source, equity string) db.ValuePoint {
		at := t0.Add(time.Duration(min) * time.Minute)
		return db.ValuePoint{MarketTime: at, RecordedAt: at.Add(time.Second), Source: source,
			Equity: decimal.NewNullDecimal(decimal.RequireFromString(equity))}
	}
	capital := decimal.NewNullDecimal(decimal.NewFromInt(100000))
	runs := report.Runs([]db.ValuePoint{
		point(0, db.ValueStart, "100000"),
		point(5, db.ValueCheckpoint, "100010"), // crashed after this
		point(9, db.ValueStart, "100010"),
		point(10, db.ValueCheckpoint, "100020"),
		point(12, db.ValueEnd, "100025"),
		point(60, db.ValueStart, "100025"),
		point(61, db.ValueCheckpoint, "99990"),
	}, capital)
	if len(runs) != 3 {
		t.Fatalf("%d runs, want 3: %+v", len(runs), runs)
	}
	want := []struct {
		how     string
		cleanly bool
		ended   int
		pnl     string
	}{{"start", false, 5, "10"}, {"resume", true, 12, "25"}, {"reopen", false, 61, "-10"}}
	for i, w := range want {
		r := runs[i]
		if r.N != i+1 || r.How != w.how || r.EndedCleanly != w.cleanly || !r.EndedMarket.Equal(t0.Add(time.Duration(w.ended)*time.Minute)) ||
			!r.PnL.Decimal.Equal(decimal.RequireFromString(w.pnl)) {
			t.Errorf("run %d: %+v, want %+v", i+1, r, w)
		}
	}
	if got := report.Runs(nil, capital); len(got) != 0 {
		t.Errorf("runs of an empty series: %+v", got)
	}
}
