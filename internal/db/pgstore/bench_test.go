package pgstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Benchmarks of the checkpoint figures in BENCHMARKS.md. History rows are bulk-filled with COPY and carry a
// 10-position payload; only the newest row of a restore benchmark carries
// the payload size being measured, since restore reads that row alone.

var benchAccount = []byte(`{"portfolio_value":100000.25,"buying_power":200000.5,"cash":50000,` +
	`"timestamp":"2026-01-02T03:04:05Z","strategy_params":{"lookback":20,"threshold":1.5}}`)

func benchStore(b *testing.B) *Store {
	b.Helper()
	if testing.Short() {
		b.Skip("PostgreSQL benchmark skipped under -short")
	}
	return openStore(b)
}

func benchSession(b *testing.B, s *Store, id string) {
	b.Helper()
	err := s.CreateSession(context.Background(), db.Session{ID: id, StartTime: t0, Symbols: []string{"AAPL"}})
	if err != nil {
		b.Fatal(err)
	}
}

func benchPosition(sessionID string, i int) db.Position {
	return db.Position{
		ID: int64(i + 1), SessionID: sessionID, Symbol: fmt.Sprintf("SYM%04d", i),
		EntryTime: t0.Add(time.Duration(i) * time.Second), EntryPrice: decimal.RequireFromString("187.4321"),
		Qty: decimal.NewFromInt(int64(10 + i%90)), Direction: db.DirectionUp, Side: "buy",
		StopLoss:   decimal.NewNullDecimal(decimal.RequireFromString("180.12")),
		TakeProfit: decimal.NewNullDecimal(decimal.RequireFromString("199.99")),
		OrderID:    fmt.Sprintf("3f9c1e2a-0000-4000-8000-%012d", i), Status: db.PositionActive,
	}
}

func benchPayload(b *testing.B, n int) []byte {
	b.Helper()
	ps := make([]db.Position, n)
	for i := range ps {
		ps[i] = benchPosition("bench", i)
	}
	p, err := db.PositionsSnapshot(ps)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func openBenchPositions(b *testing.B, s *Store, sessionID string, n int) {
	b.Helper()
	for i := range n {
		if _, err := s.OpenPosition(context.Background(), benchPosition(sessionID, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// fillCheckpoints bulk-loads n checkpoints one minute apart with COPY, then
// vacuums so the visibility map allows index-only scans, as autovacuum
// would on a live database.
func fillCheckpoints(b *testing.B, s *Store, sessionID string, n int, positions []byte) {
	b.Helper()
	ctx := context.Background()
	size := int64(len(positions) + len(benchAccount))
	sum := db.Checksum(positions, benchAccount)
	rows := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		at := t0.Add(time.Duration(i) * time.Minute)
		return []any{sessionID, at, positions, benchAccount, 10, 0, at, int64(i + 1), db.TriggerInterval,
			1.5, size, sum}, nil
	})
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"position_checkpoints"}, []string{"session_id",
		"checkpoint_time", "positions_snapshot", "account_snapshot", "active_positions_count",
		"closed_trades_count", "created_at", "sequence", "trigger", "duration_ms", "size_bytes", "checksum"}, rows)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `VACUUM ANALYZE position_checkpoints`); err != nil {
		b.Fatal(err)
	}
}

// measure runs op b.N times and reports the median and p99 latency next to
// the mean: BENCHMARKS.md states its figures as medians, and a shared 2-core
// machine adds outliers that move the mean.
func measure(b *testing.B, op func() error) {
	b.Helper()
	measurePrepared(b, nil, op)
}

// measurePrepared is measure with an untimed prepare step before each op.
func measurePrepared(b *testing.B, prepare, op func() error) {
	b.Helper()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		if prepare != nil {
			b.StopTimer()
			if err := prepare(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, "", ds)
}

func reportLatency(b *testing.B, prefix string, ds []time.Duration) {
	b.Helper()
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, prefix+"p99-ms")
}

// BenchmarkFloorInsert is the floor BENCHMARKS.md compares with: one autocommit single-row
// INSERT of a 10-position checkpoint payload.
func BenchmarkFloorInsert(b *testing.B) {
	s := benchStore(b)
	benchSession(b, s, "floor")
	ctx := context.Background()
	positions := benchPayload(b, 10)
	b.ResetTimer()
	measure(b, func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
			positions_snapshot, account_snapshot, active_positions_count, closed_trades_count)
			VALUES ($1, $2, $3, $4, $5, $6)`, "floor", t0, positions, benchAccount, 10, 0)
		return err
	})
}

func BenchmarkCreateCheckpoint(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, n := range []int{1, 10, 100, 1000} {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n) // session ids are UUIDs
		benchSession(b, s, id)
		openBenchPositions(b, s, id, n)
		b.Run(fmt.Sprintf("positions=%d", n), func(b *testing.B) {
			measure(b, func() error {
				_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: id,
					Trigger: db.TriggerInterval, AccountSnapshot: benchAccount})
				return err
			})
			b.StopTimer()
			// Main forks of the heap, its TOAST table and every index, as the
			// old system's figure counted table plus index.
			var perRow float64
			err := s.pool.QueryRow(ctx, `SELECT (pg_relation_size(c.oid) + pg_relation_size(c.reltoastrelid)
					+ (SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index i
						WHERE i.indrelid IN (c.oid, c.reltoastrelid)))::float8
					/ greatest((SELECT count(*) FROM position_checkpoints), 1)
				FROM pg_class c WHERE c.oid = 'position_checkpoints'::regclass`).Scan(&perRow)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(perRow, "table+index-bytes/row")
			// Each size gets its own table contents so bytes/row is per size.
			if _, err := s.pool.Exec(ctx, `TRUNCATE position_checkpoints`); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkCreateCheckpointChanged measures the path taken when a position
// changed since the session's previous checkpoint: read the positions,
// render, then the guarded INSERT.
func BenchmarkCreateCheckpointChanged(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, n := range []int{10, 1000} {
		id := fmt.Sprintf("changed-%d", n)
		benchSession(b, s, id)
		openBenchPositions(b, s, id, n)
		active, err := s.ActivePositions(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("positions=%d", n), func(b *testing.B) {
			qty := int64(1)
			measurePrepared(b, func() error {
				qty++
				return s.SetPositionQty(ctx, active[0].ID, decimal.NewFromInt(qty), t0)
			}, func() error {
				_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: id,
					Trigger: db.TriggerInterval, AccountSnapshot: benchAccount})
				return err
			})
		})
	}
}

// overHistories gives run a session with 1k and then one with 100k
// checkpoints of 10 positions each, all in one database.
func overHistories(b *testing.B, name string, run func(b *testing.B, s *Store, id string, hist int)) {
	s := benchStore(b)
	ten := benchPayload(b, 10)
	for _, hist := range []int{1_000, 100_000} {
		id := fmt.Sprintf("%s-%d", name, hist)
		benchSession(b, s, id)
		fillCheckpoints(b, s, id, hist, ten)
		run(b, s, id, hist)
	}
}

func BenchmarkNewestCheckpoint(b *testing.B) {
	thousand := benchPayload(b, 1000)
	overHistories(b, "newest", func(b *testing.B, s *Store, id string, hist int) {
		b.Run(fmt.Sprintf("checkpoints=%d/positions=10", hist), func(b *testing.B) {
			benchNewest(b, s, id)
		})
		// A newer row with the large payload becomes the newest.
		fillNewest(b, s, id, hist, thousand)
		b.Run(fmt.Sprintf("checkpoints=%d/positions=1000", hist), func(b *testing.B) {
			benchNewest(b, s, id)
		})
	})
}

func benchNewest(b *testing.B, s *Store, id string) {
	ctx := context.Background()
	measure(b, func() error {
		c, err := s.NewestCheckpoint(ctx, id, 0)
		if err == nil && len(c.PositionsSnapshot) == 0 {
			err = fmt.Errorf("empty snapshot")
		}
		return err
	})
}

func fillNewest(b *testing.B, s *Store, id string, hist int, positions []byte) {
	b.Helper()
	at := t0.Add(time.Duration(hist) * time.Minute)
	_, err := s.pool.Exec(context.Background(), `INSERT INTO position_checkpoints (session_id, checkpoint_time,
		positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, sequence)
		VALUES ($1, $2, $3, $4, 1000, 0, $5)`, id, at, positions, benchAccount, hist+1)
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkListCheckpoints10(b *testing.B) {
	overHistories(b, "list", func(b *testing.B, s *Store, id string, hist int) {
		b.Run(fmt.Sprintf("checkpoints=%d", hist), func(b *testing.B) {
			measure(b, func() error {
				l, err := s.ListCheckpoints(context.Background(), id, 10)
				if err == nil && len(l) != 10 {
					err = fmt.Errorf("listed %d", len(l))
				}
				return err
			})
		})
	})
}

func BenchmarkStats(b *testing.B) {
	overHistories(b, "stats", func(b *testing.B, s *Store, id string, hist int) {
		b.Run(fmt.Sprintf("checkpoints=%d", hist), func(b *testing.B) {
			measure(b, func() error {
				st, err := s.CheckpointStats(context.Background(), id)
				if err == nil && st.Total != int64(hist) {
					err = fmt.Errorf("total %d", st.Total)
				}
				return err
			})
		})
	})
}

func BenchmarkCleanupKeep100Of100k(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	benchSession(b, s, "cleanup")
	ten := benchPayload(b, 10)
	benchSession(b, s, "trading")
	openBenchPositions(b, s, "trading", 10)
	var creates []time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := s.pool.Exec(ctx, `DELETE FROM position_checkpoints WHERE session_id = 'cleanup'`); err != nil {
			b.Fatal(err)
		}
		fillCheckpoints(b, s, "cleanup", 100_000, ten)
		b.StartTimer()
		// Another session keeps checkpointing while the cleanup runs, as a
		// trader would.
		done := make(chan struct{})
		createErr := make(chan error, 1)
		go func() {
			defer close(createErr)
			for {
				select {
				case <-done:
					return
				default:
				}
				start := time.Now()
				if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "trading",
					AccountSnapshot: benchAccount}); err != nil {
					createErr <- err
					return
				}
				creates = append(creates, time.Since(start))
				time.Sleep(5 * time.Millisecond)
			}
		}()
		n, err := s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: "cleanup", Keep: 100})
		close(done)
		if cerr := <-createErr; cerr != nil {
			b.Fatal(cerr)
		}
		if err != nil || n != 100_000-100 {
			b.Fatal(n, err)
		}
	}
	b.StopTimer()
	reportLatency(b, "concurrent-create-", creates)
}
