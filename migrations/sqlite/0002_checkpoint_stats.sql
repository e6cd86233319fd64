-- +goose Up
-- Checkpoint stats in constant time (BENCHMARKS.md). The same per-session running aggregates
-- as PostgreSQL's 0002, kept by row triggers (SQLite has no statement-level
-- ones), so rows written by any tool are counted. First and last checkpoint
-- times are two probes of position_checkpoints_session_time_idx.
--
-- The longest creation time stays exact: max_count is how many rows have
-- duration_ms = max_duration_ms; a delete that takes it to zero recomputes
-- the maximum from the session's remaining rows.
CREATE TABLE IF NOT EXISTS checkpoint_stats (
    session_id      text PRIMARY KEY REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    total           integer NOT NULL DEFAULT 0,
    duration_count  integer NOT NULL DEFAULT 0,
    duration_sum    real NOT NULL DEFAULT 0,
    max_duration_ms real,
    max_count       integer NOT NULL DEFAULT 0,
    total_bytes     integer NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS checkpoint_stats_insert
    AFTER INSERT ON position_checkpoints
BEGIN
    INSERT OR IGNORE INTO checkpoint_stats (session_id) VALUES (NEW.session_id);
    -- SET expressions all see the row as it was before this UPDATE.
    UPDATE checkpoint_stats SET
        total          = total + 1,
        duration_count = duration_count + (NEW.duration_ms IS NOT NULL),
        duration_sum   = duration_sum + coalesce(NEW.duration_ms, 0),
        total_bytes    = total_bytes + coalesce(NEW.size_bytes, 0),
        max_count = CASE
            WHEN NEW.duration_ms IS NULL THEN max_count
            WHEN max_duration_ms IS NULL OR NEW.duration_ms > max_duration_ms THEN 1
            WHEN NEW.duration_ms = max_duration_ms THEN max_count + 1
            ELSE max_count END,
        max_duration_ms = CASE
            WHEN NEW.duration_ms IS NOT NULL AND (max_duration_ms IS NULL OR NEW.duration_ms > max_duration_ms)
                THEN NEW.duration_ms
            ELSE max_duration_ms END
    WHERE session_id = NEW.session_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS checkpoint_stats_delete
    AFTER DELETE ON position_checkpoints
BEGIN
    UPDATE checkpoint_stats SET
        total          = total - 1,
        duration_count = duration_count - (OLD.duration_ms IS NOT NULL),
        duration_sum   = duration_sum - coalesce(OLD.duration_ms, 0),
        total_bytes    = total_bytes - coalesce(OLD.size_bytes, 0),
        max_count      = max_count - coalesce(OLD.duration_ms = max_duration_ms, 0)
    WHERE session_id = OLD.session_id;
    UPDATE checkpoint_stats SET
        max_duration_ms = (SELECT max(duration_ms) FROM position_checkpoints WHERE session_id = OLD.session_id),
        max_count = (SELECT count(*) FROM position_checkpoints WHERE session_id = OLD.session_id
            AND duration_ms = (SELECT max(duration_ms) FROM position_checkpoints WHERE session_id = OLD.session_id))
    WHERE session_id = OLD.session_id AND max_count <= 0 AND max_duration_ms IS NOT NULL;
END;
-- +goose StatementEnd

DELETE FROM checkpoint_stats;
INSERT INTO checkpoint_stats (session_id, total, duration_count, duration_sum, max_duration_ms, max_count,
        total_bytes)
    SELECT c.session_id, count(*), count(c.duration_ms), coalesce(sum(c.duration_ms), 0), m.top,
        sum(c.duration_ms = m.top), coalesce(sum(c.size_bytes), 0)
    FROM position_checkpoints c
    JOIN (SELECT session_id, max(duration_ms) AS top FROM position_checkpoints GROUP BY session_id) m
        ON m.session_id = c.session_id
    GROUP BY c.session_id;

-- New checkpoints are the newest; with a descending key each one landed at
-- the left end of its session's range, which splits pages instead of
-- appending to them. Newest-first reads scan the ascending index backwards.
DROP INDEX IF EXISTS position_checkpoints_session_time_idx;
CREATE INDEX position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time, id);

-- +goose Down
DROP INDEX IF EXISTS position_checkpoints_session_time_idx;
CREATE INDEX position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time DESC, id DESC);
DROP TRIGGER IF EXISTS checkpoint_stats_delete;
DROP TRIGGER IF EXISTS checkpoint_stats_insert;
DROP TABLE IF EXISTS checkpoint_stats;
