package dbopen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the embedded database's file name inside the data directory.
const FileName = "gambler.db"

// DefaultDataDir is gambler's data directory: $XDG_DATA_HOME/gambler, or
// ~/.local/share/gambler when that variable is unset. A relative
// XDG_DATA_HOME is ignored, as the XDG specification requires.
func DefaultDataDir(getenv func(string) string, home func() (string, error)) (string, error) {
	if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "gambler"), nil
	}
	h, err := home()
	if err == nil && h == "" {
		err = errors.New("empty home directory")
	}
	if err != nil {
		return "", fmt.Errorf("locate the default database: %w; set XDG_DATA_HOME or give a database URL", err)
	}
	return filepath.Join(h, ".local", "share", "gambler"), nil
}

// DefaultPath is the embedded default database file,
// $XDG_DATA_HOME/gambler/gambler.db or ~/.local/share/gambler/gambler.db.
func DefaultPath(getenv func(string) string, home func() (string, error)) (string, error) {
	dir, err := DefaultDataDir(getenv, home)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, FileName), nil
}

// Locator tells Open where the embedded default database lives when no URL
// is given: either a getenv function (the XDG rules of DefaultPath, with
// the process's home directory) or a function that returns the data
// directory to put gambler.db in.
type Locator interface {
	func(string) string | func() (string, error)
}

// defaultPathFunc turns a Locator into a function that returns the default
// database file. A nil locator means the process environment.
func defaultPathFunc[L Locator](where L) func() (string, error) {
	switch f := any(where).(type) {
	case func() (string, error):
		if f != nil {
			return func() (string, error) {
				dir, err := f()
				if err != nil {
					return "", fmt.Errorf("locate the data directory: %w", err)
				}
				if dir == "" {
					return "", errors.New("locate the data directory: empty path; give a database URL")
				}
				return filepath.Join(dir, FileName), nil
			}
		}
	case func(string) string:
		if f != nil {
			return func() (string, error) { return DefaultPath(f, os.UserHomeDir) }
		}
	}
	return func() (string, error) { return DefaultPath(os.Getenv, os.UserHomeDir) }
}
