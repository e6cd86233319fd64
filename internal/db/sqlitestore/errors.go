package sqlitestore

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gambler-trader/gambler/internal/db"
)

// mapErr turns SQLite errors into the contract's sentinel errors, keeping
// the driver error in the chain for its message. An error mapped already
// is passed on as it is.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	if k := kind(se); k != nil && !errors.Is(err, k) {
		return fmt.Errorf("%w: %w", k, err)
	}
	return err
}

// kind is the contract's sentinel for a SQLite error, nil for none.
func kind(se *sqlite.Error) error {
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return db.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return db.ErrNotFound // every foreign key points at trading_sessions
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		if strings.Contains(se.Error(), db.ErrImmutable.Error()) {
			return db.ErrImmutable
		}
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return db.ErrCorrupt
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return db.ErrBusy
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
		return db.ErrPermission
	}
	return nil
}

// mapErr is the package's mapErr with what only the store knows: the
// file a damaged database or a full disk is about.
func (s *Store) mapErr(err error) error {
	if isDiskFull(err) && !errors.Is(err, db.ErrDiskFull) {
		return fmt.Errorf("%w at %s: %w", db.ErrDiskFull, s.path, err)
	}
	return corruptAdvice(mapErr(err), s.path)
}

func isDiskFull(err error) bool { return primaryCode(err) == sqlite3.SQLITE_FULL }

// primaryCode is the primary result code of a SQLite error in err's chain,
// 0 when there is none.
func primaryCode(err error) int {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0
	}
	return se.Code() & 0xff
}

func isCantOpen(err error) bool { return primaryCode(err) == sqlite3.SQLITE_CANTOPEN }

// corruptAdvice says, for an error that a damaged file caused, how to
// check the file; other errors pass unchanged.
func corruptAdvice(err error, path string) error {
	if err == nil {
		return nil
	}
	if !errors.Is(err, db.ErrCorrupt) {
		if c := primaryCode(err); c != sqlite3.SQLITE_CORRUPT && c != sqlite3.SQLITE_NOTADB {
			return err
		}
		err = fmt.Errorf("%w: %w", db.ErrCorrupt, err)
	}
	if strings.Contains(err.Error(), "integrity_check") {
		return err
	}
	return fmt.Errorf("%w; check the file with: sqlite3 %s 'PRAGMA integrity_check' "+
		"and restore it from a backup (or save what sqlite3's .recover gets out of it) before gambler uses it again",
		err, shellQuote(path))
}

// shellQuote quotes a path for a command line a person may paste.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
