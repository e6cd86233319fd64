package dbopen_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to build old schemas
	_ "modernc.org/sqlite"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/db/migrate"
)

func noDefault() (string, error) { return "", errors.New("default must not be used") }

// target is a fresh, empty database of one driver: its URL for dbopen, and
// how to reach it with database/sql.
type target struct {
	driver, url, sqlDriver, dsn, dialect string
}

func targets(t *testing.T) []target {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	pg := dbtest.CreatePostgresDB(t)
	return []target{
		{"sqlite", "sqlite://" + path, "sqlite", path, migrate.SQLite},
		{"postgres", pg, "pgx", pg, migrate.Postgres},
	}
}

// schemaAt applies the target's migrations up to version, as an older
// gambler left them.
func (tg target) schemaAt(t *testing.T, version int64) {
	t.Helper()
	conn, err := sql.Open(tg.sqlDriver, tg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := migrate.UpTo(t.Context(), conn, tg.dialect, version); err != nil {
		t.Fatal(err)
	}
}

func (tg target) applied(t *testing.T) int64 {
	t.Helper()
	conn, err := sql.Open(tg.sqlDriver, tg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	v, err := migrate.Applied(t.Context(), conn, tg.dialect)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenReadOnlyOfAMissingSQLiteFileCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nodir")
	path := filepath.Join(dir, "sub", "x.db")
	for _, u := range []string{"sqlite://" + path, path} {
		s, err := dbopen.OpenReadOnly(t.Context(), u, noDefault)
		if err == nil {
			_ = s.Close()
			t.Fatalf("OpenReadOnly(%s) of a missing file succeeded", u)
		}
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("OpenReadOnly(%s) = %v; want an error naming %s and wrapping fs.ErrNotExist", u, err, path)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s (stat: %v)", dir, err)
	}

	xdg := filepath.Join(t.TempDir(), "xdg")
	_, err := dbopen.OpenReadOnly(t.Context(), "", func(k string) string {
		if k == "XDG_DATA_HOME" {
			return xdg
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(xdg, "gambler", "gambler.db")) {
		t.Errorf("OpenReadOnly of a missing default = %v; want it named", err)
	}
	if _, err := os.Stat(xdg); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly created the data directory %s (stat: %v)", xdg, err)
	}
}

func TestOpenReadOnlyOfAMissingPostgresDatabase(t *testing.T) {
	u, err := url.Parse(dbtest.CreatePostgresDB(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path += "_missing"
	s, err := dbopen.OpenReadOnly(t.Context(), u.String(), noDefault)
	if err == nil {
		_ = s.Close()
		t.Fatal("OpenReadOnly of a missing PostgreSQL database succeeded")
	}
	if !strings.Contains(err.Error(), strings.TrimPrefix(u.Path, "/")) {
		t.Errorf("OpenReadOnly = %v; want the database named", err)
	}
}

// A database an older gambler migrated, or none ever did, is refused with
// the command that fixes it, and left as it was.
func TestOpenReadOnlyRefusesAnOldSchemaAndMigratesNothing(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.driver, func(t *testing.T) {
			if tg.driver == "sqlite" {
				// An empty file is a database without any schema.
				must(t, os.WriteFile(tg.dsn, nil, 0o600))
			}
			for _, version := range []int64{0, 2} {
				if version > 0 {
					tg.schemaAt(t, version)
				}
				s, err := dbopen.OpenReadOnly(t.Context(), tg.url, noDefault)
				if err == nil {
					_ = s.Close()
					t.Fatalf("OpenReadOnly of a schema at version %d succeeded", version)
				}
				if !errors.Is(err, migrate.ErrSchemaBehind) || !strings.Contains(err.Error(), "gambler migrate") {
					t.Errorf("OpenReadOnly at version %d = %v; want ErrSchemaBehind saying to run gambler migrate",
						version, err)
				}
				if got := tg.applied(t); got != version {
					t.Errorf("schema version after OpenReadOnly = %d, want %d: it must not migrate", got, version)
				}
			}
			s, err := dbopen.Migrate(t.Context(), tg.url, noDefault)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			_ = s.Close()
			s, err = dbopen.OpenReadOnly(t.Context(), tg.url, noDefault)
			if err != nil {
				t.Fatalf("OpenReadOnly after Migrate: %v", err)
			}
			_ = s.Close()
		})
	}
}

// A read-only store reads what is there, refuses writes, and takes no
// lease (which would create a lock file).
func TestOpenReadOnlyReadsAndRefusesWrites(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.driver, func(t *testing.T) {
			rw, err := dbopen.Open(t.Context(), tg.url, noDefault)
			if err != nil {
				t.Fatal(err)
			}
			sess := dbtest.SeedSession(t, rw)
			must(t, rw.Close())

			s, err := dbopen.OpenReadOnly(t.Context(), tg.url, noDefault)
			if err != nil {
				t.Fatalf("OpenReadOnly: %v", err)
			}
			defer func() { must(t, s.Close()) }()
			got, err := s.GetSession(t.Context(), sess.ID)
			if err != nil || got.ID != sess.ID {
				t.Fatalf("GetSession through the read-only store = %v, %v", got.ID, err)
			}
			if _, held, err := s.LeaseHolder(t.Context(), sess.ID); err != nil || held {
				t.Errorf("LeaseHolder = %v, %v; want not held", held, err)
			}
			if v, err := s.SchemaVersion(t.Context()); err != nil || v < 1 {
				t.Errorf("SchemaVersion = %d, %v", v, err)
			}
			if err := s.SetSessionStatus(t.Context(), sess.ID, db.StatusCrashed, dbtest.BaseTime()); err == nil {
				t.Error("SetSessionStatus through a read-only store succeeded")
			}
			if l, err := s.AcquireLease(t.Context(), sess.ID, db.Holder{Host: "h", PID: 1}); err == nil {
				_ = l.Release(t.Context())
				t.Error("AcquireLease through a read-only store succeeded")
			}
			if tg.driver == "sqlite" {
				locks, _ := filepath.Glob(tg.dsn + ".lease-*")
				if len(locks) > 0 {
					t.Errorf("the read-only store created lease files %v", locks)
				}
			}
			got, err = s.GetSession(t.Context(), sess.ID)
			if err != nil || got.Status != sess.Status {
				t.Errorf("status after the refused write = %q, %v; want %q", got.Status, err, sess.Status)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A damaged SQLite file is named as such, with how to check it, by a
// read-only open and by Migrate, which never calls it migrated.
func TestDamagedSQLiteFileGivesAdvice(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	must(t, os.WriteFile(junk, []byte(strings.Repeat("not a database, ", 20)), 0o600))
	for name, open := range map[string]func(context.Context, string, func() (string, error), ...dbopen.Option) (db.Store, error){
		"OpenReadOnly": dbopen.OpenReadOnly[func() (string, error)],
		"Migrate":      dbopen.Migrate[func() (string, error)],
	} {
		s, err := open(t.Context(), junk, noDefault)
		if err == nil {
			_ = s.Close()
			t.Fatalf("%s of a file that is not a database succeeded", name)
		}
		wantAdvice(t, name+" of junk", err, junk)
	}

	// A database whose header is fine and whose pages are not: Migrate
	// has nothing to apply, and still must not report it migrated.
	damaged := filepath.Join(dir, "damaged.db")
	s, err := dbopen.Open(t.Context(), damaged, noDefault)
	must(t, err)
	sess := dbtest.SeedSession(t, s)
	for i := range 200 {
		_, err := s.CreateCheckpoint(t.Context(), db.CheckpointInput{SessionID: sess.ID,
			CheckpointTime: dbtest.BaseTime().Add(time.Duration(i) * time.Minute), AccountSnapshot: []byte(`{"pad":"` +
				strings.Repeat("x", 2000) + `"}`)})
		must(t, err)
	}
	must(t, s.Close())
	damagePages(t, damaged)
	s, err = dbopen.Migrate(t.Context(), damaged, noDefault)
	if err == nil {
		_ = s.Close()
		t.Fatal("Migrate of a damaged file succeeded")
	}
	wantAdvice(t, "Migrate of a damaged file", err, damaged)
}

func wantAdvice(t *testing.T, what string, err error, path string) {
	t.Helper()
	if !errors.Is(err, db.ErrCorrupt) || !strings.Contains(err.Error(), "sqlite3 "+path+" 'PRAGMA integrity_check'") {
		t.Errorf("%s = %v; want db.ErrCorrupt and how to check %s", what, err, path)
	}
}

// damagePages overwrites the middle of the file, past the schema page.
func damagePages(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	defer func() { must(t, f.Close()) }()
	fi, err := f.Stat()
	must(t, err)
	const page = 16384
	if fi.Size() < 8*page {
		t.Fatalf("%s is only %d bytes; the test needs more pages", path, fi.Size())
	}
	garbage := []byte(strings.Repeat("\xff\x00garbage", 4*page/9))
	_, err = f.WriteAt(garbage, (fi.Size()/page/2)*page)
	must(t, err)
}
