package sqlitestore

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// Benchmarks for the SQLite half of the performance issue. Run with
//   go test -run '^$' -bench . -benchmem ./internal/db/sqlitestore
// Every store uses the production settings (WAL, synchronous=FULL).

const benchSession = "bench"

// benchPayload is the positions and account JSON of n positions, as
// CreateCheckpoint would write them.
func benchPayload(b *testing.B, n int) (positions, account []byte) {
	b.Helper()
	ps := make([]db.Position, n)
	for i := range ps {
		ps[i] = db.Position{ID: int64(i + 1), Symbol: symbolN(i), EntryTime: base, EntryPrice: mustDec("101.25"),
			Qty: mustDec("10"), Direction: db.DirectionUp, Side: "buy", OrderID: "ord-" + symbolN(i), Status: db.PositionActive}
	}
	positions, err := db.PositionsSnapshot(ps)
	if err != nil {
		b.Fatal(err)
	}
	account = []byte(`{"portfolio_value":100000.5,"buying_power":200001,"cash":50000.25,"timestamp":"2026-03-04T14:30:00Z","strategy_params":{"lookback":20,"threshold":0.02}}`)
	return positions, account
}

// fillCheckpoints bulk-inserts rows checkpoints of a 10-position payload one
// second apart, in one transaction with a prepared statement.
func fillCheckpoints(b *testing.B, s *Store, rows int) {
	b.Helper()
	ctx := context.Background()
	positions, account := benchPayload(b, 10)
	sum := db.Checksum(positions, account)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	st, err := tx.PrepareContext(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
		positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, created_at,
		sequence, trigger, duration_ms, size_bytes, checksum) VALUES (?,?,?,?,10,0,?,?,'interval',0.5,?,?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		at := tsText(base.Add(time.Duration(i) * time.Second))
		if _, err := st.ExecContext(ctx, benchSession, at, string(positions), string(account), at, i+1,
			len(positions)+len(account), sum); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// filledStore is a store whose session has rows checkpoints.
func filledStore(b *testing.B, rows int) *Store {
	b.Helper()
	s := newStore(b)
	seedSession(b, s, benchSession)
	fillCheckpoints(b, s, rows)
	return s
}

func reportBytesPerRow(b *testing.B, s *Store, rows int) {
	b.Helper()
	var pages, pageSize int64
	if err := s.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		b.Fatal(err)
	}
	if err := s.w.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(pages*pageSize)/float64(rows), "dbbytes/row")
}

var historySizes = []int{1_000, 100_000}

func sizeName(n int) string {
	if n >= 1000 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func BenchmarkFloorInsert(b *testing.B) {
	s := newStore(b)
	seedSession(b, s, benchSession)
	positions, account := benchPayload(b, 10)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		at := tsText(base.Add(time.Duration(i) * time.Second))
		if _, err := s.w.ExecContext(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
			positions_snapshot, account_snapshot) VALUES (?,?,?,?)`,
			benchSession, at, string(positions), string(account)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateCheckpoint(b *testing.B) {
	_, account := benchPayload(b, 0)
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := newStore(b)
			seedSession(b, s, benchSession)
			seedPositions(b, s, benchSession, n)
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: benchSession,
					CheckpointTime: base.Add(time.Duration(i) * time.Second), Trigger: db.TriggerInterval,
					AccountSnapshot: account}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchHistory runs op against a session with 1k and with 100k checkpoints.
func benchHistory(b *testing.B, op func(ctx context.Context, s *Store, rows int) error) {
	for _, rows := range historySizes {
		b.Run(sizeName(rows), func(b *testing.B) {
			s := filledStore(b, rows)
			ctx := context.Background()
			for b.Loop() {
				if err := op(ctx, s, rows); err != nil {
					b.Fatal(err)
				}
			}
			reportBytesPerRow(b, s, rows)
		})
	}
}

func BenchmarkNewestCheckpoint(b *testing.B) {
	benchHistory(b, func(ctx context.Context, s *Store, _ int) error {
		c, err := s.NewestCheckpoint(ctx, benchSession, 0)
		if err == nil && !c.Verify() {
			err = fmt.Errorf("checkpoint %d fails its checksum", c.ID)
		}
		return err
	})
}

func BenchmarkListCheckpoints10(b *testing.B) {
	benchHistory(b, func(ctx context.Context, s *Store, _ int) error {
		ms, err := s.ListCheckpoints(ctx, benchSession, 10)
		if err == nil && len(ms) != 10 {
			err = fmt.Errorf("listed %d, want 10", len(ms))
		}
		return err
	})
}

func BenchmarkStats(b *testing.B) { benchHistory(b, stats) }

// BenchmarkStatsCoveringIndex measures the index proposed for migration
// 0002 (stats columns in the index, so SQLite never reads the payload rows).
func BenchmarkStatsCoveringIndex(b *testing.B) {
	benchHistory(b, func(ctx context.Context, s *Store, rows int) error {
		if _, err := s.w.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS bench_stats_idx ON position_checkpoints
			(session_id, checkpoint_time, duration_ms, size_bytes)`); err != nil {
			return err
		}
		return stats(ctx, s, rows)
	})
}

func stats(ctx context.Context, s *Store, rows int) error {
	st, err := s.CheckpointStats(ctx, benchSession)
	if err == nil && st.Total != int64(rows) {
		err = fmt.Errorf("total %d, want %d", st.Total, rows)
	}
	return err
}

// BenchmarkCleanupKeep100Of100k copies a filled template database for
// every iteration, outside the timer, so each run deletes 99,900 rows.
func BenchmarkCleanupKeep100Of100k(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	template := filepath.Join(dir, "template.db")
	ts, err := Open(context.Background(), template)
	if err != nil {
		b.Fatal(err)
	}
	seedSession(b, ts, benchSession)
	fillCheckpoints(b, ts, rows)
	if err := ts.Close(); err != nil { // checkpoints the WAL into the file
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("run%d.db", i))
		copyFile(b, template, path)
		s, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: benchSession, Keep: 100})
		b.StopTimer()
		if err != nil || n != rows-100 {
			b.Fatal(n, err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		_ = os.Remove(path)
		b.StartTimer()
	}
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

func tsText(t time.Time) string { return t.UTC().Format(db.TimeFormat) }
