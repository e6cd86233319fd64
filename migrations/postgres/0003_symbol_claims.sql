-- +goose Up
-- Issue 8: several instances trade one broker account, which nets positions
-- per symbol. A session claims a symbol before it enters; the primary key
-- lets one session at a time hold it. Deleting a session drops its claims.
CREATE TABLE IF NOT EXISTS symbol_claims (
    symbol      text PRIMARY KEY,
    session_id  text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    instance_id integer NOT NULL,
    claimed_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS symbol_claims_session_idx ON symbol_claims (session_id);

-- +goose Down
DROP TABLE IF EXISTS symbol_claims;
