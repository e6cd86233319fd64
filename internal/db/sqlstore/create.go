package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// How a checkpoint is created.
//
// The row must agree with the positions table at one instant: its
// snapshot, its active count and its closed count. On a fenced view it
// must be refused, changing nothing, once the lease epoch has moved on,
// and a takeover must not slip in between that check and the commit.
//
// Where the driver has no RowVersion (SQLite), one transaction checks the
// fence, reads the positions and inserts: the write transaction excludes
// every other writer, and statements cost no round trips.
//
// Where it has one (PostgreSQL), every statement is a round trip, and
// BEGIN, fence, read, insert and COMMIT cost twice a plain INSERT
// (BENCHMARKS.md). There one statement writes the row. It carries the
// snapshot, rendered in Go, and a guard: the closed count and the active
// positions' ids and row versions the snapshot was rendered from. Within
// that statement, and so in one snapshot of the tables, it locks the
// session row as every fenced write does (a takeover's epoch increment
// waits for its commit, or it waits for the takeover's and then sees the
// new epoch), checks the epoch, checks the guard and inserts; it returns
// the epoch it found, which tells a refusal from a failed guard. A failed
// guard writes nothing: the positions are read again and the insert is
// retried. The snapshot of each session's previous checkpoint is kept, so
// when no position changed since (between most checkpoints) the guarded
// insert is the only round trip; after a change it is a read and the
// insert. The store's own position writes forget the kept snapshots, so
// only another process's changes cost a failed attempt.

// createAttempts bounds the retries of a create whose sequence number a
// concurrent create of the same session took first, or whose positions
// kept changing under it.
const createAttempts = 10

// errPositionsChanged is a guarded insert that wrote nothing because the
// positions were no longer those its snapshot was rendered from.
var errPositionsChanged = errors.New("positions changed while the checkpoint was being written")

// snapshot is a session's active positions as a checkpoint stores them.
type snapshot struct {
	positions      []byte
	active, closed int
	// fingerprint is "id:version,..." of the active positions in the
	// order snapshotQuery reads them, nil when none are active; only
	// where the driver has a RowVersion.
	fingerprint *string
}

// createSQL are the statements of a create, built once from the driver's
// fragments.
type createSQL struct {
	snapshot, guarded, guardedFenced string
}

// The columns every create writes, in the order of checkpointArgs.
const insertCols = `INSERT INTO position_checkpoints (session_id, checkpoint_time, positions_snapshot,
		account_snapshot, active_positions_count, closed_trades_count, created_at, sequence, trigger,
		duration_ms, size_bytes, checksum)`

// nextSequence is the session's next checkpoint sequence number; the
// unique index on (session_id, sequence) refuses a concurrent duplicate.
const nextSequence = `(SELECT coalesce(max(sequence), 0) + 1 FROM position_checkpoints
			WHERE session_id = $1 AND sequence IS NOT NULL)`

// insertCheckpoint is the create of one transaction. RETURNING gives the
// times back as the database keeps them (PostgreSQL to the microsecond).
const insertCheckpoint = insertCols + ` VALUES ($1, $2, $3, $4, $5, $6, $7, ` + nextSequence + `, $8, $9, $10, $11)
	RETURNING id, sequence, checkpoint_time, created_at`

func newCreateSQL(d Driver) createSQL {
	version := "CAST(NULL AS text)"
	if d.RowVersion != "" {
		version = "CAST(p." + d.RowVersion + " AS text)"
	}
	// The closed count and the active positions in one statement, so both
	// come from one snapshot of the table even where each statement of a
	// transaction sees its own (PostgreSQL's read committed). The LEFT JOIN
	// yields one row with null position columns when nothing is open.
	// Decimals are read as text, which is all the snapshot needs and, on
	// PostgreSQL, far cheaper to decode than binary numeric.
	c := createSQL{snapshot: `SELECT c.closed, p.id, ` + version + `, p.symbol, p.entry_time,
			CAST(p.entry_price AS text), CAST(p.qty AS text), p.direction, p.side, CAST(p.stop_loss AS text),
			CAST(p.take_profit AS text), p.order_id, p.status
		FROM (SELECT count(*) AS closed FROM positions WHERE session_id = $1 AND status = 'closed') c
		LEFT JOIN positions p ON p.session_id = $1 AND p.status = 'active'
		ORDER BY p.entry_time, p.id`}
	if d.RowVersion == "" {
		return c
	}
	c.guarded = guardedInsert(d.RowVersion, "")
	c.guardedFenced = guardedInsert(d.RowVersion, d.LockShared)
	return c
}

// guardedInsert is the one statement of a create where the driver has a
// RowVersion: $1-$11 as insertCheckpoint, $12 the fingerprint and, when
// fenced (lock is the fence's row lock), $13 and $14 the fence's session
// and epoch. Its one row is the epoch found (null when unfenced or the
// fence's session is gone) and the inserted row's id, sequence and times
// (null when the fence or the guard refused). The payloads are cast in the
// target list, so a refused insert does not parse them.
func guardedInsert(version, lock string) string {
	fence, from, check, found := "", "", "", "CAST(NULL AS bigint)"
	if lock != "" {
		fence = `fence AS (SELECT lease_epoch FROM trading_sessions WHERE session_id = $13` + lock + `), `
		from, check, found = ` FROM fence`, `fence.lease_epoch = $14 AND `, `(SELECT lease_epoch FROM fence)`
	}
	return `WITH ` + fence + `ins AS (` + insertCols + `
		SELECT $1, $2, CAST(CAST($3 AS text) AS json), CAST(CAST($4 AS text) AS json), $5, $6, $7, ` + nextSequence + `,
			$8, $9, $10, $11` + from + `
		WHERE ` + check + `(SELECT count(*) FROM positions WHERE session_id = $1 AND status = 'closed') = CAST($6 AS integer)
			AND (SELECT string_agg(CAST(id AS text) || ':' || CAST(` + version + ` AS text), ',' ORDER BY entry_time, id)
				FROM positions WHERE session_id = $1 AND status = 'active') IS NOT DISTINCT FROM $12
		RETURNING id, sequence, checkpoint_time, created_at)
	SELECT ` + found + `, ins.id, ins.sequence, ins.checkpoint_time, ins.created_at
	FROM (SELECT 1 AS one) one LEFT JOIN ins ON true`
}

// CreateCheckpoint implements db.Store. duration_ms covers reading,
// encoding and hashing, up to the insert: the row cannot record its own
// commit.
func (s *Store) CreateCheckpoint(ctx context.Context, in db.CheckpointInput) (db.CheckpointMeta, error) {
	account := bytes.TrimSpace(in.AccountSnapshot)
	if len(account) > 0 && !json.Valid(account) {
		return db.CheckpointMeta{}, fmt.Errorf("create checkpoint of session %s: the account snapshot is not valid JSON",
			in.SessionID)
	}
	create := s.createInTx
	if s.snaps != nil {
		create = s.createGuarded
	}
	start := time.Now()
	var (
		m   db.CheckpointMeta
		err error
	)
	for range createAttempts {
		m, err = create(ctx, in, account, start)
		// The only unique key a create can hit is the session's sequence.
		if !errors.Is(err, db.ErrConflict) && !errors.Is(err, errPositionsChanged) {
			break
		}
	}
	if err != nil {
		return db.CheckpointMeta{}, err
	}
	return m, nil
}

// createInTx reads the positions and inserts in one transaction.
func (s *Store) createInTx(ctx context.Context, in db.CheckpointInput, account []byte,
	start time.Time) (db.CheckpointMeta, error) {
	what := "create checkpoint of session " + in.SessionID
	var m db.CheckpointMeta
	err := s.fencedTx(ctx, what, func(q Querier) error {
		snap, err := s.readSnapshot(ctx, q, in.SessionID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		m = s.checkpointRow(in, snap, account, start)
		var seq int64
		if err := s.queryRow(ctx, q, what, insertCheckpoint, s.checkpointArgs(m, snap, account),
			&m.ID, scanInt(&seq), scanTime(&m.CheckpointTime), scanTime(&m.CreatedAt)); err != nil {
			return err
		}
		m.Sequence = &seq
		return nil
	})
	return m, err
}

// createGuarded writes the row with the guarded statement, from the
// session's kept snapshot or, when there is none, one read now.
func (s *Store) createGuarded(ctx context.Context, in db.CheckpointInput, account []byte,
	start time.Time) (db.CheckpointMeta, error) {
	what := "create checkpoint of session " + in.SessionID
	snap, kept := s.snaps.get(in.SessionID)
	if !kept {
		var err error
		if snap, err = s.readSnapshot(ctx, s.d.Read, in.SessionID); err != nil {
			return db.CheckpointMeta{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	m := s.checkpointRow(in, snap, account, start)
	sql, args := s.create.guarded, append(s.checkpointArgs(m, snap, account), snap.fingerprint)
	if s.fence != nil {
		sql, args = s.create.guardedFenced, append(args, s.fence.SessionID, s.fence.Epoch)
	}
	var epoch, id, seq *int64
	err := s.queryRow(ctx, s.d.Write, what, sql, args, scanIntPtr(&epoch), scanIntPtr(&id), scanIntPtr(&seq),
		scanTime(&m.CheckpointTime), scanTime(&m.CreatedAt))
	switch {
	case err != nil:
		s.snaps.drop(in.SessionID)
		return db.CheckpointMeta{}, err
	case s.fence != nil && (epoch == nil || *epoch != s.fence.Epoch):
		return db.CheckpointMeta{}, fmt.Errorf("%s: %w", what, s.staleFence(epoch))
	case id == nil:
		s.snaps.drop(in.SessionID)
		return db.CheckpointMeta{}, fmt.Errorf("%s: %w", what, errPositionsChanged)
	}
	s.snaps.put(in.SessionID, snap)
	m.ID, m.Sequence = *id, seq
	return m, nil
}

// checkpointRow is the row a create writes, but for what the insert
// returns.
func (s *Store) checkpointRow(in db.CheckpointInput, snap snapshot, account []byte,
	start time.Time) db.CheckpointMeta {
	size := int64(len(snap.positions) + len(account))
	m := db.CheckpointMeta{
		SessionID: in.SessionID, CheckpointTime: s.orNow(in.CheckpointTime), ActivePositionsCount: snap.active,
		ClosedTradesCount: snap.closed, CreatedAt: s.now(), Trigger: in.Trigger, SizeBytes: &size,
		Checksum: db.Checksum(snap.positions, account),
	}
	durationMS := float64(time.Since(start).Microseconds()) / 1000
	m.DurationMS = &durationMS
	return m
}

// checkpointArgs are $1-$11 of insertCheckpoint and guardedInsert.
func (s *Store) checkpointArgs(m db.CheckpointMeta, snap snapshot, account []byte) []any {
	return []any{m.SessionID, s.time(m.CheckpointTime), s.d.JSON(snap.positions), s.json(account),
		m.ActivePositionsCount, m.ClosedTradesCount, s.time(m.CreatedAt), nullStr(m.Trigger), *m.DurationMS,
		*m.SizeBytes, m.Checksum}
}

// readSnapshot reads the session's closed count and active positions and
// renders the snapshot.
func (s *Store) readSnapshot(ctx context.Context, q Querier, sessionID string) (snapshot, error) {
	var (
		snap        snapshot
		active      []db.Position
		fingerprint []byte
	)
	_, err := collect(ctx, s, q, "read positions", func(rows Rows) (struct{}, error) {
		var (
			p       = db.Position{SessionID: sessionID}
			id      *int64
			version string
		)
		err := rows.Scan(scanInt(&snap.closed), scanIntPtr(&id), scanStr(&version), scanStr(&p.Symbol),
			scanTime(&p.EntryTime), scanDec(&p.EntryPrice), scanDec(&p.Qty), scanStr(&p.Direction),
			scanStr(&p.Side), scanNullDec(&p.StopLoss), scanNullDec(&p.TakeProfit), scanStr(&p.OrderID),
			scanStr(&p.Status))
		if err != nil || id == nil {
			return struct{}{}, err
		}
		p.ID = *id
		active = append(active, p)
		if s.d.RowVersion != "" {
			if len(fingerprint) > 0 {
				fingerprint = append(fingerprint, ',')
			}
			fingerprint = append(strconv.AppendInt(fingerprint, p.ID, 10), ':')
			fingerprint = append(fingerprint, version...)
		}
		return struct{}{}, nil
	}, s.create.snapshot, sessionID)
	if err != nil {
		return snapshot{}, err
	}
	if snap.positions, err = db.PositionsSnapshot(active); err != nil {
		return snapshot{}, err
	}
	snap.active = len(active)
	if s.d.RowVersion != "" && len(active) > 0 {
		f := string(fingerprint)
		snap.fingerprint = &f
	}
	return snap, nil
}
