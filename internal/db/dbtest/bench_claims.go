package dbtest

import (
	"fmt"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
)

// BenchTickReads measures the two per-tick journal reads that a long
// session's history could slow down: releasing idle symbol claims and
// listing the open orders. The session's journal holds journalRows orders
// over ten symbols; five symbols are claimed, each with one order still
// open, so nothing is released (the steady state). Each runs with the
// partial index of open orders (order_journal_open_idx) and without it.
func BenchTickReads(b *testing.B, h Harness, journalRows int) {
	for _, withIndex := range []bool{true, false} {
		name := "open_idx"
		if !withIndex {
			name = "no_open_idx"
		}
		b.Run(name, func(b *testing.B) {
			s, sessionID := longJournal(b, h, journalRows, withIndex)
			b.Run("ReleaseIdleClaims", func(b *testing.B) {
				for b.Loop() {
					released, err := s.ReleaseIdleClaims(b.Context(), sessionID)
					if err != nil || len(released) != 0 {
						b.Fatalf("release idle claims: %v released, %v", released, err)
					}
				}
			})
			b.Run("OpenOrders", func(b *testing.B) {
				for b.Loop() {
					open, err := s.SessionOrders(b.Context(), sessionID, true)
					if err != nil || len(open) != 5 {
						b.Fatalf("open orders: %d, %v", len(open), err)
					}
				}
			})
		})
	}
}

func longJournal(b *testing.B, h Harness, rows int, withIndex bool) (db.Store, string) {
	s := h.New(b)
	sess := SeedSession(b, s)
	fill := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO order_journal (session_id, client_order_id, seq, symbol, side, qty, status)
		SELECT '%s', 'bench-' || i, i, 'SYM' || (i %% 10), 'buy', 1,
			CASE WHEN i > %d AND i %% 10 < 5 THEN 'new' ELSE 'filled' END FROM n`,
		rows, sess.ID, rows-10)
	must(b, h.Exec(b, s, fill), "fill the journal")
	if !withIndex {
		must(b, h.Exec(b, s, "DROP INDEX order_journal_open_idx"), "drop the open-orders index")
	}
	must(b, h.Exec(b, s, "ANALYZE"), "analyze")
	for i := range 5 {
		must(b, s.ClaimSymbol(b.Context(), sess.ID, fmt.Sprintf("SYM%d", i), BaseTime()), "claim")
	}
	return s, sess.ID
}
