package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gambler-trader/gambler/internal/db"
)

// SQLSTATE codes the store translates into the contract's errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeRaiseException      = "P0001"
)

// mapErr translates PostgreSQL errors into the contract's sentinels,
// keeping the server's error in the chain for its message.
func mapErr(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case codeUniqueViolation:
		return fmt.Errorf("%w: %w", db.ErrConflict, err)
	case codeForeignKeyViolation:
		// The referenced session (or order) does not exist.
		return fmt.Errorf("%w: %w", db.ErrNotFound, err)
	case codeRaiseException:
		return fmt.Errorf("%w: %w", db.ErrImmutable, err)
	}
	return err
}
