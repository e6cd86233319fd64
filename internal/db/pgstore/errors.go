package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gambler-trader/gambler/internal/db"
)

// kind maps the SQLSTATE codes the store translates to the contract's
// sentinels.
func kind(code string) error {
	switch code {
	case "23505": // unique_violation
		return db.ErrConflict
	case "23503": // foreign_key_violation: the referenced session does not exist
		return db.ErrNotFound
	case "P0001": // raise_exception: the checkpoint immutability trigger
		return db.ErrImmutable
	case "55P03", // lock_not_available: lock_timeout
		"57014", // query_canceled: statement_timeout
		"40P01", // deadlock_detected
		"40001": // serialization_failure
		return db.ErrBusy
	case "42501", // insufficient_privilege
		"25006", // read_only_sql_transaction: a read-only store
		"28000", // invalid_authorization_specification
		"28P01": // invalid_password
		return db.ErrPermission
	case "53100": // disk_full
		return db.ErrDiskFull
	}
	return nil
}

// mapErr translates PostgreSQL errors into the contract's sentinels,
// keeping the server's error in the chain for its message. A statement
// cancelled because the caller's context ended is not the database being
// busy, and stays the context's error.
func mapErr(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if k := kind(pgErr.Code); k != nil && !errors.Is(err, k) {
		return fmt.Errorf("%w: %w", k, err)
	}
	return err
}
