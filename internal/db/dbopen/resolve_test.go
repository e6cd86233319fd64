package dbopen

import (
	"errors"
	"strings"
	"testing"
)

func fixedDefault() (string, error) { return "/data/gambler/gambler.db", nil }

func TestResolve(t *testing.T) {
	cases := []struct {
		in   string
		want Target
	}{
		{"postgres://trader:s3cret@db:5432/gambler?sslmode=disable", Target{Driver: Postgres, DSN: "postgres://trader:s3cret@db:5432/gambler?sslmode=disable"}},
		{"postgresql://db/gambler", Target{Driver: Postgres, DSN: "postgresql://db/gambler"}},
		{"POSTGRES://db/gambler", Target{Driver: Postgres, DSN: "POSTGRES://db/gambler"}},
		{"host=db user=trader dbname=gambler sslmode=disable", Target{Driver: Postgres, DSN: "host=db user=trader dbname=gambler sslmode=disable"}},
		{"sqlite:///var/lib/gambler/g.db", Target{Driver: SQLite, DSN: "/var/lib/gambler/g.db"}},
		{"sqlite://state/g.db", Target{Driver: SQLite, DSN: "state/g.db"}},
		{"sqlite:g.db", Target{Driver: SQLite, DSN: "g.db"}},
		{"SQLite:///g.db", Target{Driver: SQLite, DSN: "/g.db"}},
		{"/tmp/gambler.db", Target{Driver: SQLite, DSN: "/tmp/gambler.db"}},
		{"relative/my=file.db", Target{Driver: SQLite, DSN: "relative/my=file.db"}},
		{"  ./gambler.db ", Target{Driver: SQLite, DSN: "./gambler.db"}},
		{"", Target{Driver: SQLite, DSN: "/data/gambler/gambler.db", Default: true}},
		{"   ", Target{Driver: SQLite, DSN: "/data/gambler/gambler.db", Default: true}},
	}
	for _, c := range cases {
		got, err := Resolve(c.in, fixedDefault)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Resolve(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestResolveDefaultNeedsLocation(t *testing.T) {
	_, err := Resolve("", func() (string, error) { return "", errors.New("no home directory") })
	if err == nil || !strings.Contains(err.Error(), "no home directory") {
		t.Errorf("Resolve(\"\") with a failing default = %v, want that failure", err)
	}
	// A URL does not need the default location at all.
	if _, err := Resolve("/tmp/x.db", func() (string, error) { t.Fatal("default consulted"); return "", nil }); err != nil {
		t.Errorf("Resolve of a path: %v", err)
	}
}

func TestResolveErrors(t *testing.T) {
	cases := []struct {
		in      string
		secrets []string // substrings that must not appear
		says    []string // substrings the error must contain
	}{
		{"mysql://trader:s3cret@db/gambler", []string{"s3cret"}, []string{`scheme "mysql"`, "postgres://", "sqlite://"}},
		{"http://db/gambler", nil, []string{`scheme "http"`}},
		{"postgres://trader:se/cret@db/gambler", []string{"se/cret", "cret"}, []string{"malformed", "percent-encoded", "postgres://"}},
		{"postgres://trader:p%zzw@db/gambler", []string{"p%zzw", "%zz"}, []string{"malformed", "%25"}},
		{"postgres://trader:s3cret@db:54x2/gambler", []string{"s3cret"}, []string{"invalid port"}},
		{"postgres://trader:s3cret@db/gambler?password=%zz", []string{"s3cret"}, []string{"malformed"}},
		{"postgres:db/gambler", nil, []string{"malformed", "postgres://"}},
		{"://db", nil, []string{"malformed", "no scheme"}},
		{"sqlite://", nil, []string{"no file path"}},
		{"sqlite:///tmp/g.db?mode=ro", nil, []string{"without ?query"}},
	}
	for _, c := range cases {
		_, err := Resolve(c.in, fixedDefault)
		if err == nil {
			t.Errorf("Resolve(%q) succeeded, want an error", c.in)
			continue
		}
		msg := err.Error()
		for _, s := range c.secrets {
			if strings.Contains(strings.ReplaceAll(msg, "xxxxx", ""), s) {
				t.Errorf("Resolve(%q) error %q reveals %q", c.in, msg, s)
			}
		}
		for _, s := range c.says {
			if !strings.Contains(msg, s) {
				t.Errorf("Resolve(%q) error %q does not say %q", c.in, msg, s)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("Resolve(%q) error is not one line: %q", c.in, msg)
		}
	}
}

func TestTargetString(t *testing.T) {
	pg := Target{Driver: Postgres, DSN: "postgres://trader:s3cret@db/gambler"}
	if got := pg.String(); got != "postgres://trader:xxxxx@db/gambler" {
		t.Errorf("String() = %q", got)
	}
	if got := (Target{Driver: SQLite, DSN: "/tmp/g.db"}).String(); got != "sqlite:/tmp/g.db" {
		t.Errorf("String() = %q", got)
	}
}
