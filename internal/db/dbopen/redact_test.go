package dbopen

import (
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct {
		in, want string
		secret   string // must not survive; "" when there is none
	}{
		{"postgres://trader:s3cret@db.example:5432/gambler?sslmode=require",
			"postgres://trader:xxxxx@db.example:5432/gambler?sslmode=require", "s3cret"},
		{"postgresql://trader:p%40ss%2Fw@db/gambler", "postgresql://trader:xxxxx@db/gambler", "p%40ss"},
		{"postgres://trader@db/gambler?password=s3cret&sslmode=disable",
			"postgres://trader@db/gambler?password=xxxxx&sslmode=disable", "s3cret"},
		{"postgres://db/gambler?sslmode=verify-full&sslpassword=k3y", "postgres://db/gambler?sslmode=verify-full&sslpassword=xxxxx", "k3y"},
		{"postgres://trader@db:5432/gambler", "postgres://trader@db:5432/gambler", ""},
		{"host=db user=trader password=s3cret dbname=gambler", "host=db user=trader password=xxxxx dbname=gambler", "s3cret"},
		{"host=db password='s3 cret' dbname=gambler", "host=db password=xxxxx dbname=gambler", "s3 cret"},
		{"host=db PASSWORD = s3cret", "host=db PASSWORD = xxxxx", "s3cret"},
		// Malformed: unescaped '/' and '@' in the password.
		{"postgres://trader:se/cr@t@db/gambler", "postgres://trader:xxxxx@db/gambler", "cr@t"},
		{"postgres://trader:p%zzw@db/gambler", "postgres://trader:xxxxx@db/gambler", "p%zzw"},
		{"/var/lib/gambler/gambler.db", "/var/lib/gambler/gambler.db", ""},
		{"sqlite:///var/lib/gambler.db", "sqlite:///var/lib/gambler.db", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		got := Redact(c.in)
		if got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
		if c.secret != "" && strings.Contains(got, c.secret) {
			t.Errorf("Redact(%q) = %q still holds the password", c.in, got)
		}
	}
}

func TestScrub(t *testing.T) {
	raw := "postgres://trader:s3cret@db/gambler"
	plain := errors.New("dial tcp: connection refused")
	if got := scrub(plain, raw); !errors.Is(got, plain) {
		t.Errorf("scrub changed an error without a password: %v", got)
	}
	leaky := errors.New(`failed to connect to "postgres://trader:s3cret@db/gambler": refused`)
	got := scrub(leaky, raw)
	if strings.Contains(got.Error(), "s3cret") {
		t.Errorf("scrub left the password in %q", got)
	}
	if errors.Unwrap(got) != nil || errors.Is(got, leaky) {
		t.Error("a scrubbed error unwraps to the original, whose text holds the password")
	}
	if got := scrub(errors.New("auth failed for s3 cret"), "host=db password='s3 cret'"); strings.Contains(got.Error(), "s3 cret") {
		t.Errorf("scrub left a DSN password in %q", got)
	}
	if scrub(nil, raw) != nil {
		t.Error("scrub(nil) is not nil")
	}
}

func TestMask(t *testing.T) {
	const url = "postgres://trader:p%40ss@db/gambler?sslpassword=k3y"
	text := "dial db: password authentication failed for trader (p@ss, p%40ss), sslpassword k3y"
	got := Mask(text, url)
	for _, secret := range []string{"p@ss", "p%40ss", "k3y"} {
		if strings.Contains(got, secret) {
			t.Errorf("Mask left %q in %q", secret, got)
		}
	}
	if !strings.HasPrefix(got, "dial db: password authentication failed for trader") {
		t.Errorf("Mask changed the rest of the text: %q", got)
	}
	if got := Mask("no secrets here", "/var/lib/gambler.db"); got != "no secrets here" {
		t.Errorf("Mask without a password = %q", got)
	}
	// A one-letter password is masked as a whole token, not in every word.
	const short = "postgres://trader:a@db.example:5432/gambler"
	want := "connect to db.example:5432 as trader with password xxxxx: refused"
	if got := Mask("connect to db.example:5432 as trader with password a: refused", short); got != want {
		t.Errorf("Mask with a one-letter password = %q, want %q", got, want)
	}
}
