package sqlitestore

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gambler-trader/gambler/internal/db"
)

// mapErr turns SQLite constraint failures into the contract's sentinel
// errors, keeping the driver error in the chain for its message.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", db.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// Every foreign key points at trading_sessions.
		return fmt.Errorf("session: %w: %w", db.ErrNotFound, err)
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		if strings.Contains(se.Error(), db.ErrImmutable.Error()) {
			return fmt.Errorf("%w: %w", db.ErrImmutable, err)
		}
	}
	return err
}
