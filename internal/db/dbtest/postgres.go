package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db"
)

// PostgresURLEnv names the variable that points the PostgreSQL tests at an
// admin connection (a role that may create and drop databases).
const PostgresURLEnv = "GAMBLER_TEST_POSTGRES_URL"

const defaultPostgresAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresAdminURL returns the admin URL for PostgreSQL tests. When the
// server cannot be reached the test is skipped, except under CI=true where
// a missing server is a failure: CI must never pass by skipping.
func PostgresAdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresURLEnv)
	if u == "" {
		u = defaultPostgresAdminURL
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL is unreachable at %s (%v); start it or set %s to an admin URL",
			redactURL(u), err, PostgresURLEnv)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

// CreatePostgresDB creates a uniquely named, empty database and drops it
// (forcibly, so leaked connections cannot block it) when the test ends. It
// returns a URL for the new database with the admin URL's credentials.
func CreatePostgresDB(t testing.TB) string {
	t.Helper()
	admin := PostgresAdminURL(t)
	name := "gambler_test_" + randomHex(t, 8)
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		t.Fatalf("%s must be a postgres:// URL to derive test databases from: %s", PostgresURLEnv, redactURL(admin))
	}
	u.Path = "/" + name

	adminExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		adminExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return u.String()
}

func adminExec(t testing.TB, admin, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := execPostgres(ctx, admin, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// execPostgres runs stmt on its own connection. Without arguments pgx uses
// the simple protocol, so stmt may hold several statements.
func execPostgres(ctx context.Context, u, stmt string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redactURL(u), err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}

// PostgresHarness builds the suite's harness for a PostgreSQL driver from
// its constructor; every New gets its own database.
func PostgresHarness(open func(ctx context.Context, url string) (db.Store, error)) Harness {
	return targetHarness("postgres", CreatePostgresDB, open, execPostgres)
}

// targetHarness builds a harness whose New opens a store on a fresh target
// (a URL or a file) and whose Exec reaches that target directly.
func targetHarness(name string, fresh func(testing.TB) string,
	open func(ctx context.Context, target string) (db.Store, error),
	exec func(ctx context.Context, target, stmt string) error,
) Harness {
	targets := &storeURLs{m: map[db.Store]string{}}
	return Harness{
		Name: name,
		New: func(t testing.TB) db.Store {
			t.Helper()
			target := fresh(t)
			s, err := open(t.Context(), target)
			if err != nil {
				t.Fatalf("open %s store: %v", name, err)
			}
			targets.put(t, s, target)
			return s
		},
		Exec: func(t testing.TB, s db.Store, stmt string) error {
			t.Helper()
			return exec(t.Context(), targets.get(t, s), stmt)
		},
	}
}

// storeURLs remembers which database each store of a harness was opened
// on, so Exec can reach around the store to the same database.
type storeURLs struct {
	mu sync.Mutex
	m  map[db.Store]string
}

// put records s and closes it at cleanup; cleanups run last-in first-out,
// so the store closes before its database is dropped.
func (u *storeURLs) put(t testing.TB, s db.Store, target string) {
	u.mu.Lock()
	u.m[s] = target
	u.mu.Unlock()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
		u.mu.Lock()
		delete(u.m, s)
		u.mu.Unlock()
	})
}

func (u *storeURLs) get(t testing.TB, s db.Store) string {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	target, ok := u.m[s]
	if !ok {
		t.Fatalf("dbtest: Exec on a store this harness did not create")
	}
	return target
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	return hex.EncodeToString(b)
}

// redactURL hides a URL's password for test messages. (dbopen.Redact is
// the full version; dbtest cannot import dbopen, which imports the
// drivers whose tests import dbtest.)
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
