-- +goose Up
-- Several instances trade one broker account, which nets positions
-- per symbol. A session claims a symbol before it enters; the primary key
-- lets one session at a time hold it. Deleting a session drops its claims.
CREATE TABLE IF NOT EXISTS symbol_claims (
    symbol      text PRIMARY KEY,
    session_id  text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    instance_id integer NOT NULL,
    claimed_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS symbol_claims_session_idx ON symbol_claims (session_id);
-- The session's open orders: releasing idle claims asks, every tick and for
-- each claimed symbol, whether one is open, and the trader reads them all
-- every tick. Open orders are a handful however long the journal grows, so
-- this partial index keeps both lookups from reading the whole journal. Its
-- predicate is the stores' list of terminal statuses, written the same way,
-- so that the planners can match it.
CREATE INDEX IF NOT EXISTS order_journal_open_idx ON order_journal (session_id, symbol)
    WHERE status NOT IN ('filled', 'canceled', 'expired', 'rejected', 'abandoned', 'replaced', 'done_for_day');

-- +goose Down
DROP INDEX IF EXISTS order_journal_open_idx;
DROP TABLE IF EXISTS symbol_claims;
