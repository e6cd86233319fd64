package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/pgstore"
)

// pgTarget is pgstore on a database of its own, and a raw connection for
// COPY and the floor.
type pgTarget struct {
	dbase *pgDatabase
	s     *pgstore.Store
	raw   *pgx.Conn
}

func openPGTarget(ctx context.Context, adminURL string) (*pgTarget, error) {
	d, err := createPGDatabase(ctx, adminURL, "gambler_bench")
	if err != nil {
		return nil, err
	}
	t := &pgTarget{dbase: d}
	if t.s, err = pgstore.Open(ctx, d.URL); err == nil {
		t.raw, err = pgx.Connect(ctx, d.URL)
	}
	if err == nil {
		// The same TOAST compression the store's connections use.
		_, err = t.raw.Exec(ctx, `SET default_toast_compression = 'lz4'`)
	}
	if err != nil {
		return nil, errors.Join(err, t.close(ctx))
	}
	return t, nil
}

func (t *pgTarget) store() db.Store { return t.s }

const pgFloorInsert = `INSERT INTO %s (session_id, checkpoint_time, positions_snapshot,
	account_snapshot, active_positions_count, closed_trades_count) VALUES ($1, $2, $3, $4, $5, $6)`

func (t *pgTarget) floorInsert(ctx context.Context, sessionID string, i int, positions []byte) error {
	_, err := t.raw.Exec(ctx, fmt.Sprintf(pgFloorInsert, "position_checkpoints"), sessionID,
		t0.Add(time.Duration(i)*time.Second), positions, account, 10, 0)
	return err
}

// plainFloorInsert inserts into a copy of position_checkpoints with the
// same columns and indexes but without gambler's triggers, i.e. the table
// as the replaced system had it plus the added columns.
func (t *pgTarget) plainFloorInsert(ctx context.Context, sessionID string, i int, positions []byte) error {
	_, err := t.raw.Exec(ctx, fmt.Sprintf(pgFloorInsert, "floor_plain"), sessionID,
		t0.Add(time.Duration(i)*time.Second), positions, account, 10, 0)
	return err
}

func (t *pgTarget) createPlainTable(ctx context.Context) error {
	_, err := t.raw.Exec(ctx, `CREATE TABLE floor_plain (LIKE position_checkpoints INCLUDING ALL)`)
	return err
}

var copyColumns = []string{"session_id", "checkpoint_time", "positions_snapshot", "account_snapshot",
	"active_positions_count", "closed_trades_count", "created_at", "sequence", "trigger", "duration_ms",
	"size_bytes", "checksum"}

func (t *pgTarget) fill(ctx context.Context, sessionID string, from, n int, positions []byte) error {
	size := int64(len(positions) + len(account))
	sum := db.Checksum(positions, account)
	rows := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		at := t0.Add(time.Duration(from+i) * time.Minute)
		return []any{sessionID, at, positions, account, 10, 0, at, int64(from + i + 1), db.TriggerInterval,
			1.5 + float64(i%7)/10, size, sum}, nil
	})
	_, err := t.raw.CopyFrom(ctx, pgx.Identifier{"position_checkpoints"}, copyColumns, rows)
	return err
}

func (t *pgTarget) settle(ctx context.Context) error {
	_, err := t.raw.Exec(ctx, `VACUUM ANALYZE position_checkpoints`)
	return err
}

// checkpointBytes is pg_total_relation_size: heap, TOAST, every index and
// the free-space and visibility maps.
func (t *pgTarget) checkpointBytes(ctx context.Context) (int64, error) {
	var n int64
	err := t.raw.QueryRow(ctx, `SELECT pg_total_relation_size('position_checkpoints')`).Scan(&n)
	return n, err
}

func (t *pgTarget) close(ctx context.Context) error {
	var errs []error
	if t.raw != nil {
		errs = append(errs, t.raw.Close(ctx))
	}
	if t.s != nil {
		errs = append(errs, t.s.Close())
	}
	errs = append(errs, t.dbase.drop(ctx))
	return errors.Join(errs...)
}

// postgresTable measures the PostgreSQL column of the table, and
// the floor on a trigger-less copy of the table next to it.
func (r *runner) postgresTable(ctx context.Context) error {
	plain := &samples{}
	res, err := r.runTable(ctx, "PostgreSQL", func(ctx context.Context) (target, error) {
		return openPGTarget(ctx, r.cfg.AdminURL)
	}, func(ctx context.Context, tg target) error {
		t := tg.(*pgTarget)
		if err := t.createPlainTable(ctx); err != nil {
			return err
		}
		ten, err := payload(10)
		if err != nil {
			return err
		}
		i := 0
		ds, err := timeN(floorRuns, func() error {
			i++
			return t.plainFloorInsert(ctx, "plain", i, ten)
		})
		plain.addRep(ds)
		return err
	})
	if err != nil {
		return err
	}
	res.extraFloors["floor without gambler's triggers"] = plain
	r.report.postgres = res
	return nil
}
