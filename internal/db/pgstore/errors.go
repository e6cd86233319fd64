package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gambler-trader/gambler/internal/db"
)

// SQLSTATE codes the store translates into the contract's errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeRaiseException      = "P0001"
)

// wrapErr adds context to err and translates driver errors into the
// contract's sentinel errors, so callers never need to know SQLSTATEs.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, db.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation:
			return fmt.Errorf("%s: %w: %s", what, db.ErrConflict, pgErr.Message)
		case codeForeignKeyViolation:
			// The referenced session (or order) does not exist.
			return fmt.Errorf("%s: %w: %s", what, db.ErrNotFound, pgErr.Detail)
		case codeRaiseException:
			return fmt.Errorf("%s: %w", what, db.ErrImmutable)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isUniqueViolationOn reports whether err is a unique violation of the named
// constraint or index.
func isUniqueViolationOn(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation && pgErr.ConstraintName == constraint
}
