// Package dbopen opens the store a database URL names: PostgreSQL for
// postgres:// URLs, SQLite for sqlite:// URLs, plain file paths and, when no
// URL is given, the embedded default file under the user's data directory.
package dbopen

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Drivers a Target can name; they match db.Store.Driver.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// accepted is the hint every URL error ends with.
const accepted = "use postgres://user:password@host:5432/dbname, sqlite:///absolute/path.db, sqlite://relative/path.db, " +
	"a file path, or nothing for the embedded default"

// Target is where a database URL points.
type Target struct {
	Driver string // Postgres or SQLite
	// DSN is the connection string for PostgreSQL (passed to the driver
	// unchanged) or the database file path for SQLite.
	DSN string
	// Default is set when no URL was given and DSN is the embedded
	// default file.
	Default bool
}

// String renders the target for logs, without any password.
func (t Target) String() string {
	if t.Driver == SQLite {
		return "sqlite:" + t.DSN
	}
	return Redact(t.DSN)
}

// keyValueDSN recognises libpq "host=... dbname=..." connection strings,
// which pgx accepts too. Without this such a string would be taken for a
// SQLite file name.
var keyValueDSN = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=.*\b(host|hostaddr|dbname|user|port|password)\s*=|^\s*(host|hostaddr|dbname|user|port|password)\s*=`)

// Resolve decides which driver rawURL selects and what it connects to,
// without touching the network or the file system. defaultPath supplies
// the embedded default file when rawURL is empty. Errors never contain a
// password.
func Resolve(rawURL string, defaultPath func() (string, error)) (Target, error) {
	raw := strings.TrimSpace(rawURL)
	if raw == "" {
		p, err := defaultPath()
		if err != nil {
			return Target{}, err
		}
		return Target{Driver: SQLite, DSN: p, Default: true}, nil
	}
	if keyValueDSN.MatchString(raw) {
		return Target{Driver: Postgres, DSN: raw}, nil
	}
	scheme, rest, hasAuthority := strings.Cut(raw, "://")
	if !hasAuthority {
		return resolveOpaque(raw)
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		if err := checkPostgresURL(raw); err != nil {
			return Target{}, err
		}
		return Target{Driver: Postgres, DSN: raw}, nil
	case "sqlite", "sqlite3":
		return sqlitePath(raw, rest)
	case "":
		return Target{}, fmt.Errorf("malformed database URL %q: no scheme before ://; %s", Redact(raw), accepted)
	default:
		return Target{}, fmt.Errorf("unsupported database URL scheme %q in %q; %s", scheme, Redact(raw), accepted)
	}
}

// resolveOpaque handles strings without "://": sqlite:PATH, a misspelt
// postgres URL, or a plain file path.
func resolveOpaque(raw string) (Target, error) {
	scheme, rest, _ := strings.Cut(raw, ":")
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return sqlitePath(raw, rest)
	case "postgres", "postgresql":
		return Target{}, fmt.Errorf("malformed database URL %q: expected %s://...; %s", Redact(raw), strings.ToLower(scheme), accepted)
	}
	return Target{Driver: SQLite, DSN: raw}, nil
}

func sqlitePath(raw, path string) (Target, error) {
	if path == "" {
		return Target{}, fmt.Errorf("malformed database URL %q: no file path; %s", Redact(raw), accepted)
	}
	if strings.ContainsAny(path, "?#") {
		return Target{}, fmt.Errorf("malformed database URL %q: sqlite URLs take a file path without ?query or #fragment; %s", Redact(raw), accepted)
	}
	return Target{Driver: SQLite, DSN: path}, nil
}

// checkPostgresURL rejects URLs the driver could not parse, with a reason
// that never echoes a part of the URL: net/url's messages quote pieces
// (the "port" of a password holding a '/', say) that may be secret.
func checkPostgresURL(raw string) error {
	u, err := url.Parse(raw)
	if err == nil && u.Opaque != "" {
		err = errors.New("opaque URL")
	}
	if err == nil {
		if _, perr := url.ParseQuery(u.RawQuery); perr != nil {
			err = perr
		}
	}
	if err == nil {
		return nil
	}
	reason := "it does not parse as a URL"
	var (
		esc  url.EscapeError
		host url.InvalidHostError
	)
	switch msg := err.Error(); {
	case errors.As(err, &esc):
		reason = "invalid %-escape (write a literal % in a password as %25)"
	case errors.As(err, &host):
		reason = "invalid character in the host name"
	case strings.Contains(msg, "invalid port"):
		reason = "invalid port (it must be a number; a password containing / ? # @ or : must be percent-encoded)"
	case strings.Contains(msg, "invalid userinfo"):
		reason = "invalid user or password (percent-encode special characters such as @ / ? #)"
	}
	return fmt.Errorf("malformed database URL %q: %s; %s", Redact(raw), reason, accepted)
}
