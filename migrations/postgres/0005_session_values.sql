-- +goose Up
-- The session's own value over time, for the report's equity curve: the
-- trader appends the session's figures and the prices it valued its open
-- positions at when a run starts and at each checkpoint. With the fills
-- and positions they let the report value the session at every instant
-- of market time. Checkpoint cleanup deletes checkpoints and never these
-- rows, so the curve of an old session stays whole. market_time is the
-- broker's clock (fills carry it), recorded_at the wall clock; equity is
-- null when the session has no starting capital; prices is a JSON object
-- of symbol to decimal string, prices_stale 1 when some were carried over
-- from an earlier read.
CREATE TABLE IF NOT EXISTS session_values (
    id             bigserial PRIMARY KEY,
    session_id     text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    market_time    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    source         text NOT NULL,
    equity         numeric,
    realized_pnl   numeric NOT NULL,
    unrealized_pnl numeric NOT NULL,
    prices         jsonb,
    prices_stale   integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS session_values_session_idx ON session_values (session_id, market_time, id);

-- +goose Down
DROP TABLE IF EXISTS session_values;
