package dbopen

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/gambler-trader/gambler/internal/redact"
)

// mask replaces a password wherever one is hidden.
const mask = "xxxxx"

var (
	// queryPassword matches password (and sslpassword) parameters of a URL
	// query, which pgx accepts as well as the userinfo password.
	queryPassword = regexp.MustCompile(`(?i)((?:^|&)(?:ssl)?password=)[^&#]*`)
	// dsnPassword matches password=... in a key=value DSN, quoted or not.
	dsnPassword = regexp.MustCompile(`(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)`)
)

// Redact returns rawURL with every password replaced by xxxxx, for logs
// and error messages. It handles URLs (userinfo and query parameters),
// strings that do not parse as URLs, and key=value DSNs.
func Redact(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return dsnPassword.ReplaceAllString(rawURL, "${1}"+mask)
	}
	if u, err := url.Parse(rawURL); err == nil {
		if _, hasPW := u.User.Password(); hasPW {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
		u.RawQuery = queryPassword.ReplaceAllString(u.RawQuery, "${1}"+mask)
		return u.String()
	}
	// Unparsable: the password may hold an unescaped '@', '/' or '?', so
	// everything before the last '@' counts as userinfo. That can mask
	// more than the password, never less.
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPW := strings.Cut(rest[:at], ":"); hasPW {
			rest = user + ":" + mask + rest[at:]
		}
	}
	if before, q, ok := strings.Cut(rest, "?"); ok {
		rest = before + "?" + queryPassword.ReplaceAllString(q, "${1}"+mask)
	}
	return scheme + "://" + rest
}

// secrets lists the password texts rawURL carries, in the forms a driver
// might echo them (raw and escaped), so they can be scrubbed from errors.
func secrets(rawURL string) []string {
	var out []string
	add := func(pw string) {
		if pw == "" || pw == mask {
			return
		}
		out = append(out, pw)
		if u, err := url.PathUnescape(pw); err == nil && u != pw {
			out = append(out, u)
		}
		if e := url.QueryEscape(pw); e != pw {
			out = append(out, e)
		}
	}
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, hasPW := strings.Cut(rest[:at], ":"); hasPW {
				add(pw)
			}
		}
		if _, q, ok := strings.Cut(rest, "?"); ok {
			for _, m := range queryPassword.FindAllStringSubmatch(q, -1) {
				add(strings.TrimPrefix(m[0], m[1]))
			}
		}
		if u, err := url.Parse(rawURL); err == nil {
			if pw, ok := u.User.Password(); ok {
				add(pw)
			}
		}
		return out
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(rawURL, -1) {
		add(strings.Trim(m[2], "'"))
	}
	return out
}

// scrub returns err unchanged when its text holds none of rawURL's
// passwords; otherwise a flattened copy with them masked, which
// deliberately does not unwrap to the original.
func scrub(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Mask(msg, rawURL)
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// Mask replaces in text every password that rawURL carries, for messages
// that may echo the connection string (a driver error, a health reason).
// A password is masked where it stands as a whole token, so a one-letter
// password does not shred every word holding that letter.
func Mask(text, rawURL string) string {
	return redact.Tokens(text, mask, secrets(rawURL)...)
}
