package dbopen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// opened checks s is a migrated store of the given driver and closes it at
// cleanup.
func opened(t *testing.T, s db.Store, err error, driver string) db.Store {
	t.Helper()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if s.Driver() != driver {
		t.Errorf("Driver() = %q, want %q", s.Driver(), driver)
	}
	v, err := s.SchemaVersion(t.Context())
	if err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v; want migrations applied on open", v, err)
	}
	// The store is usable, not just connected.
	dbtest.SeedSession(t, s)
	return s
}

func wantPrivateDir(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("data directory: %v", err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory %s mode = %v, want a 0700 directory", dir, fi.Mode())
	}
}

func TestOpenDefaultFromEnv(t *testing.T) {
	xdg := filepath.Join(t.TempDir(), "xdg")
	getenv := func(k string) string {
		if k == "XDG_DATA_HOME" {
			return xdg
		}
		return ""
	}
	s, err := dbopen.Open(t.Context(), "", getenv)
	opened(t, s, err, "sqlite")
	wantPrivateDir(t, filepath.Join(xdg, "gambler"))
	if _, err := os.Stat(filepath.Join(xdg, "gambler", "gambler.db")); err != nil {
		t.Errorf("default database file: %v", err)
	}
}

func TestOpenDefaultFromDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := dbopen.Open(t.Context(), "", func() (string, error) { return dir, nil })
	opened(t, s, err, "sqlite")
	wantPrivateDir(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "gambler.db")); err != nil {
		t.Errorf("default database file: %v", err)
	}

	_, err = dbopen.Open(t.Context(), "", func() (string, error) { return "", errors.New("no data dir here") })
	if err == nil || !strings.Contains(err.Error(), "no data dir here") {
		t.Errorf("Open with a failing data directory = %v", err)
	}
}

func TestOpenSQLiteURLAndPath(t *testing.T) {
	noDefault := func() (string, error) { return "", errors.New("default must not be used") }
	dir := t.TempDir()
	for _, c := range []struct{ url, file string }{
		{"sqlite://" + filepath.Join(dir, "url.db"), filepath.Join(dir, "url.db")},
		{filepath.Join(dir, "plain.db"), filepath.Join(dir, "plain.db")},
	} {
		s, err := dbopen.Open(t.Context(), c.url, noDefault)
		opened(t, s, err, "sqlite")
		if _, err := os.Stat(c.file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", c.url, c.file, err)
		}
	}
}

func TestOpenPostgres(t *testing.T) {
	u := dbtest.CreatePostgresDB(t)
	s, err := dbopen.Open(t.Context(), u, os.Getenv)
	opened(t, s, err, "postgres")
}

func TestOpenErrorsHidePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for _, u := range []string{
		"postgres://trader:s3cretpw@127.0.0.1:1/gambler?sslmode=disable&connect_timeout=5", // nothing listens on port 1
		"postgres://trader:s3cretpw@db:5x/gambler",
		"mysql://trader:s3cretpw@db/gambler",
		"host=127.0.0.1 port=1 user=trader password=s3cretpw dbname=gambler connect_timeout=5",
	} {
		s, err := dbopen.Open(ctx, u, os.Getenv)
		if err == nil {
			_ = s.Close()
			t.Errorf("Open(%s) succeeded", dbopen.Redact(u))
			continue
		}
		if strings.Contains(err.Error(), "s3cretpw") {
			t.Errorf("Open error reveals the password: %v", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Open error is not one line: %q", err)
		}
	}
}
