-- +goose Up
-- Table and column names are those of the system gambler replaces; every
-- column added beyond them is nullable or has a default, so rows written with
-- only the original columns stay valid.
CREATE TABLE IF NOT EXISTS trading_sessions (
    session_id              text PRIMARY KEY,
    instance_id             integer NOT NULL DEFAULT 1,
    strategy_name           text,
    start_time              timestamptz NOT NULL DEFAULT now(),
    end_time                timestamptz,
    status                  text NOT NULL DEFAULT 'active',
    symbols                 text,
    duration_minutes        integer,
    scan_interval_seconds   integer,
    initial_portfolio_value numeric,
    final_portfolio_value   numeric,
    pnl                     numeric,
    pnl_pct                 numeric,
    total_trades            integer DEFAULT 0,
    allocated_capital       numeric,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    -- added by gambler
    settings                json,
    lease_host              text,
    lease_pid               integer,
    lease_since             timestamptz,
    lease_heartbeat         timestamptz
);
CREATE INDEX IF NOT EXISTS trading_sessions_start_idx ON trading_sessions (start_time DESC);
CREATE INDEX IF NOT EXISTS trading_sessions_status_idx ON trading_sessions (status, start_time DESC);

CREATE TABLE IF NOT EXISTS positions (
    id                    bigserial PRIMARY KEY,
    session_id            text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    symbol                text NOT NULL,
    entry_time            timestamptz NOT NULL,
    entry_price           numeric NOT NULL,
    exit_time             timestamptz,
    exit_price            numeric,
    qty                   numeric NOT NULL,
    direction             text NOT NULL,
    side                  text NOT NULL,
    stop_loss             numeric,
    take_profit           numeric,
    order_id              text,
    status                text NOT NULL DEFAULT 'active',
    exit_reason           text,
    pnl                   numeric,
    pnl_pct               numeric,
    duration_minutes      numeric,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- added by gambler
    entry_client_order_id text,
    repair_count          integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS positions_one_active_idx
    ON positions (session_id, symbol) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS positions_session_idx ON positions (session_id, status);

CREATE TABLE IF NOT EXISTS position_checkpoints (
    id                     bigserial PRIMARY KEY,
    session_id             text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    checkpoint_time        timestamptz NOT NULL DEFAULT now(),
    positions_snapshot     json NOT NULL,
    account_snapshot       json,
    active_positions_count integer NOT NULL DEFAULT 0,
    closed_trades_count    integer NOT NULL DEFAULT 0,
    created_at             timestamptz NOT NULL DEFAULT now(),
    -- added by gambler
    sequence               bigint,
    trigger                text,
    duration_ms            double precision,
    size_bytes             bigint,
    checksum               text
);
-- The covering columns let list and stats read the index, not the payloads.
CREATE INDEX IF NOT EXISTS position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time DESC, id DESC)
    INCLUDE (sequence, trigger, active_positions_count, closed_trades_count, size_bytes, duration_ms, created_at, checksum);
CREATE UNIQUE INDEX IF NOT EXISTS position_checkpoints_session_seq_idx
    ON position_checkpoints (session_id, sequence) WHERE sequence IS NOT NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION position_checkpoints_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'checkpoint rows are immutable' USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

DROP TRIGGER IF EXISTS position_checkpoints_no_update ON position_checkpoints;
CREATE TRIGGER position_checkpoints_no_update
    BEFORE UPDATE ON position_checkpoints
    FOR EACH ROW EXECUTE FUNCTION position_checkpoints_immutable();

CREATE TABLE IF NOT EXISTS order_journal (
    id                     bigserial PRIMARY KEY,
    session_id             text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    client_order_id        text NOT NULL UNIQUE,
    seq                    bigint,
    broker_order_id        text,
    parent_client_order_id text,
    symbol                 text NOT NULL,
    order_type             text NOT NULL DEFAULT 'market',
    order_class            text NOT NULL DEFAULT 'simple',
    side                   text NOT NULL,
    qty                    numeric NOT NULL,
    limit_price            numeric,
    stop_price             numeric,
    take_profit_price      numeric,
    stop_loss_price        numeric,
    status                 text NOT NULL DEFAULT 'intent',
    filled_qty             numeric NOT NULL DEFAULT 0,
    filled_avg_price       numeric,
    purpose                text,
    rejection_reason       text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    submitted_at           timestamptz,
    acknowledged_at        timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS order_journal_session_idx ON order_journal (session_id, seq);

CREATE TABLE IF NOT EXISTS fills (
    id              bigserial PRIMARY KEY,
    fill_id         text NOT NULL UNIQUE,
    session_id      text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    client_order_id text,
    broker_order_id text,
    symbol          text NOT NULL,
    side            text NOT NULL,
    qty             numeric NOT NULL,
    price           numeric NOT NULL,
    filled_at       timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fills_session_idx ON fills (session_id, id);

-- +goose Down
DROP TABLE IF EXISTS fills;
DROP TABLE IF EXISTS order_journal;
DROP TABLE IF EXISTS position_checkpoints;
DROP FUNCTION IF EXISTS position_checkpoints_immutable();
DROP TABLE IF EXISTS positions;
DROP TABLE IF EXISTS trading_sessions;
