-- +goose Up
-- Fencing: every AcquireLease increments the session's lease epoch, and a
-- fenced write refuses to run unless the epoch it carries is still the
-- session's, so a process that lost its lease (a deleted lock file or
-- database, a pause) cannot write on after another took over.
ALTER TABLE trading_sessions ADD COLUMN lease_epoch integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE trading_sessions DROP COLUMN lease_epoch;
