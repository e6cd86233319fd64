package pgstore

import (
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/migrate"
	"github.com/gambler-trader/gambler/internal/redact"
)

// redactURL renders a connection URL for messages with its password masked.
// Strings that do not parse as URLs (key=value DSNs) are not echoed at all.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(connection string)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// redactErr flattens err to one line with every password found in raw
// replaced. The driver's own redaction is best effort, so this is the belt
// to its braces. The result does not unwrap to the original error, whose
// text could still hold the password, only to the sentinels it wrapped
// (redactedKinds), so callers can still classify it.
func redactErr(err error, raw string) error {
	if err == nil {
		return nil
	}
	msg := redact.Tokens(err.Error(), "xxxxx", passwords(raw)...)
	// pgconn reports each connection attempt (sslmode=prefer makes two) on
	// its own line; keep each distinct one, on one line.
	var parts []string
	for _, line := range strings.Split(msg, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" && !slices.Contains(parts, line) {
			parts = append(parts, line)
		}
	}
	r := &redacted{msg: strings.Join(parts, " ")}
	for _, k := range redactedKinds() {
		if errors.Is(err, k) {
			r.kinds = append(r.kinds, k)
		}
	}
	return r
}

// redactedKinds are the sentinels a redacted error keeps.
func redactedKinds() []error {
	return []error{migrate.ErrSchemaBehind, migrate.ErrSchemaAhead, db.ErrNotFound, db.ErrPermission, db.ErrBusy}
}

// redacted is an error's text without passwords, wrapping only the
// sentinels the error wrapped.
type redacted struct {
	msg   string
	kinds []error
}

func (r *redacted) Error() string   { return r.msg }
func (r *redacted) Unwrap() []error { return r.kinds }

func passwords(raw string) []string {
	var pws []string
	if u, err := url.Parse(raw); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			pws = append(pws, pw, url.PathEscape(pw), url.QueryEscape(pw))
		}
		if pw := u.Query().Get("password"); pw != "" {
			pws = append(pws, pw, url.QueryEscape(pw))
		}
	}
	// key=value form: password=secret
	for _, f := range strings.Fields(raw) {
		if v, ok := strings.CutPrefix(f, "password="); ok && v != "" {
			pws = append(pws, strings.Trim(v, "'"))
		}
	}
	return pws
}
