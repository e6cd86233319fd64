package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/sqlitestore"
)

// sqliteDSN opens the store's file with the store's own durability
// settings (WAL, synchronous=FULL, 16 KiB pages), so the floor is measured
// under the same conditions.
const sqliteDSN = "?_pragma=page_size(16384)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)" +
	"&_pragma=synchronous(FULL)&_journal_mode=WAL&_txlock=immediate"

type sqliteTarget struct {
	dir string
	s   *sqlitestore.Store
	raw *sql.DB
}

func openSQLiteTarget(ctx context.Context, parent string) (*sqliteTarget, error) {
	dir, err := os.MkdirTemp(parent, "gambler-bench-sqlite-")
	if err != nil {
		return nil, err
	}
	t := &sqliteTarget{dir: dir}
	path := filepath.Join(dir, "bench.db")
	if t.s, err = sqlitestore.Open(ctx, path); err == nil {
		t.raw, err = sql.Open("sqlite", path+sqliteDSN)
	}
	if err != nil {
		return nil, errors.Join(err, t.close(ctx))
	}
	t.raw.SetMaxOpenConns(1)
	return t, nil
}

func (t *sqliteTarget) store() db.Store { return t.s }

func ts(at time.Time) string { return at.UTC().Format(db.TimeFormat) }

func (t *sqliteTarget) floorInsert(ctx context.Context, sessionID string, i int, positions []byte) error {
	_, err := t.raw.ExecContext(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
		positions_snapshot, account_snapshot, active_positions_count, closed_trades_count) VALUES (?,?,?,?,?,?)`,
		sessionID, ts(t0.Add(time.Duration(i)*time.Second)), string(positions), string(account), 10, 0)
	return err
}

func (t *sqliteTarget) fill(ctx context.Context, sessionID string, from, n int, positions []byte) error {
	size := int64(len(positions) + len(account))
	sum := db.Checksum(positions, account)
	tx, err := t.raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	st, err := tx.PrepareContext(ctx, `INSERT INTO position_checkpoints (session_id, checkpoint_time,
		positions_snapshot, account_snapshot, active_positions_count, closed_trades_count, created_at, sequence,
		trigger, duration_ms, size_bytes, checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	p, a := string(positions), string(account)
	for i := range n {
		at := ts(t0.Add(time.Duration(from+i) * time.Minute))
		if _, err := st.ExecContext(ctx, sessionID, at, p, a, 10, 0, at, from+i+1, db.TriggerInterval,
			1.5+float64(i%7)/10, size, sum); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (t *sqliteTarget) settle(ctx context.Context) error {
	_, err := t.raw.ExecContext(ctx, `ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// checkpointBytes sums the pages of position_checkpoints and its indexes
// (dbstat), or the whole file's used pages where dbstat is missing.
func (t *sqliteTarget) checkpointBytes(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := t.raw.QueryRowContext(ctx, `SELECT sum(pgsize) FROM dbstat WHERE name IN
		(SELECT name FROM sqlite_schema WHERE tbl_name = 'position_checkpoints')`).Scan(&n)
	if err == nil && n.Valid {
		return n.Int64, nil
	}
	var pages, free, size int64
	err = t.raw.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count()),
		(SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())`).
		Scan(&pages, &free, &size)
	if err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return (pages - free) * size, nil
}

func (t *sqliteTarget) close(context.Context) error {
	var errs []error
	if t.raw != nil {
		errs = append(errs, t.raw.Close())
	}
	if t.s != nil {
		errs = append(errs, t.s.Close())
	}
	errs = append(errs, os.RemoveAll(t.dir))
	return errors.Join(errs...)
}

// sqliteTable measures the SQLite column of the table.
func (r *runner) sqliteTable(ctx context.Context) error {
	res, err := r.runTable(ctx, "SQLite", func(ctx context.Context) (target, error) {
		return openSQLiteTarget(ctx, r.cfg.TempDir)
	}, nil)
	if err != nil {
		return err
	}
	r.report.sqlite = res
	return nil
}
