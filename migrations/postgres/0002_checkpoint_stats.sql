-- +goose Up
-- Checkpoint stats in constant time and fewer bytes per checkpoint row
-- (BENCHMARKS.md).
--
-- checkpoint_stats keeps one row of running aggregates per session,
-- maintained by statement-level triggers on position_checkpoints, so rows
-- written by any tool (the replaced system's original columns included) and
-- batched deletes are counted. First and last checkpoint times are not kept
-- here: they are two probes of position_checkpoints_session_time_idx.
--
-- The longest creation time stays exact: max_count is how many rows have
-- duration_ms = max_duration_ms; a delete that takes it to zero recomputes
-- the maximum from the session's remaining rows (one scan of that session,
-- only when its longest row is deleted, which ties and the usual spread of
-- durations make rare). duration_sum is numeric so that subtracting deleted
-- rows leaves no floating-point residue.
CREATE TABLE IF NOT EXISTS checkpoint_stats (
    session_id      text PRIMARY KEY REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    total           bigint NOT NULL DEFAULT 0,
    duration_count  bigint NOT NULL DEFAULT 0,
    duration_sum    numeric NOT NULL DEFAULT 0,
    max_duration_ms double precision,
    max_count       bigint NOT NULL DEFAULT 0,
    total_bytes     bigint NOT NULL DEFAULT 0
);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION checkpoint_stats_after_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO checkpoint_stats AS s (session_id, total, duration_count, duration_sum, max_duration_ms,
            max_count, total_bytes)
        SELECT session_id, count(*), count(duration_ms), coalesce(sum(duration_ms::numeric), 0),
            max(duration_ms), count(*) FILTER (WHERE duration_ms = top), coalesce(sum(size_bytes), 0)
        FROM (SELECT session_id, duration_ms, size_bytes,
                max(duration_ms) OVER (PARTITION BY session_id) AS top FROM new_rows) n
        GROUP BY session_id
        ORDER BY session_id
    ON CONFLICT (session_id) DO UPDATE SET
        total          = s.total + excluded.total,
        duration_count = s.duration_count + excluded.duration_count,
        duration_sum   = s.duration_sum + excluded.duration_sum,
        total_bytes    = s.total_bytes + excluded.total_bytes,
        max_count = CASE
            WHEN excluded.max_duration_ms IS NULL THEN s.max_count
            WHEN s.max_duration_ms IS NULL OR excluded.max_duration_ms > s.max_duration_ms THEN excluded.max_count
            WHEN excluded.max_duration_ms = s.max_duration_ms THEN s.max_count + excluded.max_count
            ELSE s.max_count END,
        max_duration_ms = CASE
            WHEN s.max_duration_ms IS NULL OR excluded.max_duration_ms > s.max_duration_ms
                THEN coalesce(excluded.max_duration_ms, s.max_duration_ms)
            ELSE s.max_duration_ms END;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION checkpoint_stats_after_delete() RETURNS trigger AS $$
DECLARE
    sid text;
BEGIN
    -- Lock the summaries first: the next statement then counts the deleted
    -- rows at the maximum against the value a concurrent insert may have
    -- just raised (each statement of this function takes a new snapshot).
    PERFORM 1 FROM checkpoint_stats
        WHERE session_id IN (SELECT DISTINCT session_id FROM old_rows)
        ORDER BY session_id FOR UPDATE;
    UPDATE checkpoint_stats s SET
        total          = s.total - d.n,
        duration_count = s.duration_count - d.dn,
        duration_sum   = s.duration_sum - d.dsum,
        total_bytes    = s.total_bytes - d.bytes,
        max_count      = s.max_count - d.at_max
    FROM (SELECT o.session_id, count(*) AS n, count(o.duration_ms) AS dn,
                coalesce(sum(o.duration_ms::numeric), 0) AS dsum, coalesce(sum(o.size_bytes), 0) AS bytes,
                count(*) FILTER (WHERE o.duration_ms = st.max_duration_ms) AS at_max
            FROM old_rows o JOIN checkpoint_stats st ON st.session_id = o.session_id
            GROUP BY o.session_id) d
    WHERE s.session_id = d.session_id;
    FOR sid IN SELECT session_id FROM checkpoint_stats
            WHERE max_count <= 0 AND max_duration_ms IS NOT NULL
                AND session_id IN (SELECT DISTINCT session_id FROM old_rows) LOOP
        UPDATE checkpoint_stats s SET max_duration_ms = m.top, max_count = m.n
        FROM (SELECT max(duration_ms) AS top,
                    count(*) FILTER (WHERE duration_ms = (SELECT max(duration_ms) FROM position_checkpoints
                        WHERE session_id = sid)) AS n
                FROM position_checkpoints WHERE session_id = sid) m
        WHERE s.session_id = sid;
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION checkpoint_stats_after_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM checkpoint_stats;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- Creating the triggers locks out writers until this migration commits, so
-- the backfill below sees every row that the triggers will not.
DROP TRIGGER IF EXISTS checkpoint_stats_insert ON position_checkpoints;
CREATE TRIGGER checkpoint_stats_insert AFTER INSERT ON position_checkpoints
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoint_stats_after_insert();
DROP TRIGGER IF EXISTS checkpoint_stats_delete ON position_checkpoints;
CREATE TRIGGER checkpoint_stats_delete AFTER DELETE ON position_checkpoints
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoint_stats_after_delete();
DROP TRIGGER IF EXISTS checkpoint_stats_truncate ON position_checkpoints;
CREATE TRIGGER checkpoint_stats_truncate AFTER TRUNCATE ON position_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoint_stats_after_truncate();

DELETE FROM checkpoint_stats;
INSERT INTO checkpoint_stats (session_id, total, duration_count, duration_sum, max_duration_ms, max_count,
        total_bytes)
    SELECT session_id, count(*), count(duration_ms), coalesce(sum(duration_ms::numeric), 0), max(duration_ms),
        count(*) FILTER (WHERE duration_ms = top), coalesce(sum(size_bytes), 0)
    FROM (SELECT session_id, duration_ms, size_bytes,
            max(duration_ms) OVER (PARTITION BY session_id) AS top FROM position_checkpoints) c
    GROUP BY session_id;

-- Stats no longer read the index, and list fetches its ten heap rows, so
-- the covering columns only cost bytes on every row. The key is ascending
-- now: new checkpoints are the newest, and with a descending key each one
-- landed at the left end of its session's range, where every page split is
-- a 50/50 split that leaves pages half empty; appended at the right end they
-- fill pages. Newest-first reads scan the same index backwards. Rows are
-- immutable, so the indexes are also built full (fillfactor 100) instead of
-- leaving 10% of every leaf free for updates that never come.
DROP INDEX IF EXISTS position_checkpoints_session_time_idx;
CREATE INDEX position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time, id) WITH (fillfactor = 100);
ALTER INDEX position_checkpoints_session_seq_idx SET (fillfactor = 100);
ALTER INDEX position_checkpoints_pkey SET (fillfactor = 100);

-- +goose Down
ALTER INDEX position_checkpoints_pkey RESET (fillfactor);
ALTER INDEX position_checkpoints_session_seq_idx RESET (fillfactor);
DROP INDEX IF EXISTS position_checkpoints_session_time_idx;
CREATE INDEX position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time DESC, id DESC)
    INCLUDE (sequence, trigger, active_positions_count, closed_trades_count, size_bytes, duration_ms, created_at, checksum);
DROP TRIGGER IF EXISTS checkpoint_stats_truncate ON position_checkpoints;
DROP TRIGGER IF EXISTS checkpoint_stats_delete ON position_checkpoints;
DROP TRIGGER IF EXISTS checkpoint_stats_insert ON position_checkpoints;
DROP FUNCTION IF EXISTS checkpoint_stats_after_truncate();
DROP FUNCTION IF EXISTS checkpoint_stats_after_delete();
DROP FUNCTION IF EXISTS checkpoint_stats_after_insert();
DROP TABLE IF EXISTS checkpoint_stats;
