package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/e2e"
	"github.com/gambler-trader/gambler/internal/exchange"
)

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// passwordDB creates a PostgreSQL role with a password that owns a fresh
// database, and returns a URL that logs in as that role (through
// 127.0.0.1, whatever pg_hba asks there) and the password.
func passwordDB(t *testing.T) (string, string) {
	admin := dbtest.PostgresAdminURL(t)
	role, password := "chaos_"+randomHex(t, 6), "pw-"+randomHex(t, 12)
	adminExec := func(stmt string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close(context.Background()) }()
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	adminExec(fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD '%s'`, role, password))
	t.Cleanup(func() { adminExec("DROP ROLE IF EXISTS " + role) }) // runs after the database is dropped
	u, err := url.Parse(dbtest.CreatePostgresDB(t))
	if err != nil {
		t.Fatal(err)
	}
	adminExec(fmt.Sprintf(`ALTER DATABASE %s OWNER TO %s`, strings.TrimPrefix(u.Path, "/"), role))
	u.User = url.UserPassword(role, password)
	u.Host = "127.0.0.1:" + u.Port()
	return u.String(), password
}

// TestNoSecretsLeak: a full session with API keys and, on PostgreSQL, a
// database password, with a crash and a resume in the middle. The secret
// and the password appear in no log line of the trader or the exchange, no
// command output, and no table row (checkpoints included).
func TestNoSecretsLeak(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "secrets in logs, rows, checkpoints", driver)
		tl.Trials = 1
		keyID, secret := "PKCHAOS"+strings.ToUpper(randomHex(t, 5)), "sk-"+randomHex(t, 16)
		secrets := []string{secret}
		dbURL := filepath.Join(t.TempDir(), "gambler.db")
		if driver == "postgres" {
			var password string
			dbURL, password = passwordDB(t)
			secrets = append(secrets, password)
		}
		e := e2e.NewKeyedEnv(t, dbURL, keyID, secret)
		keys := e2e.KeyEnv(keyID, secret)
		var outputs []string
		p := e.Start(keys, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		e.WaitForPositions(s.ID, 1)
		p.Kill9()
		tl.Kills++
		outputs = append(outputs, p.Stdout(), p.Stderr())
		mover := moverFor(t, e)
		r := e.Start(keys, e.ResumeArgs()...)
		waitTrading(t, r)
		time.Sleep(2 * time.Second)
		mover.Stop()
		stop(t, r)
		if err := e.Exchange.CancelAllOrders(keyID, secret); err != nil {
			t.Fatal(err)
		}
		e.CheckAll()
		outputs = append(outputs, r.Stdout(), r.Stderr())
		for _, args := range [][]string{
			{"sessions", "list", "-o", "json"}, {"checkpoints", "list", "-o", "json"},
			{"checkpoints", "show", "-o", "json"}, {"checkpoints", "stats"}, {"--log-level", "debug", "sessions", "list"},
		} {
			c, code := e.Run(keys, args...)
			if code != 0 {
				t.Errorf("%v exit %d: %s", args, code, c.Stderr())
			}
			outputs = append(outputs, c.Stdout(), c.Stderr())
		}
		outputs = append(outputs, e.Exchange.ExchangeLogs())
		rows, err := e.RawRows()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 10 {
			t.Fatalf("only %d rows to search; the session did not run", len(rows))
		}
		haystack := strings.Join(append(outputs, rows...), "\n")
		for _, sec := range secrets {
			if strings.Contains(haystack, sec) {
				for _, line := range strings.Split(haystack, "\n") {
					if strings.Contains(line, sec) {
						t.Errorf("secret leaked: %s", tail(line, 400))
						tl.Violations++
					}
				}
			}
		}
		t.Logf("searched %d log/output bytes and %d rows for %d secrets", len(strings.Join(outputs, "")), len(rows), len(secrets))
	})
}

// TestLiveAlpacaRefused: a live Alpaca base URL is refused before any
// request, from the environment and from a config file.
func TestLiveAlpacaRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "live.yaml")
	if err := os.WriteFile(cfg, []byte("alpaca:\n  base_url: https://api.alpaca.markets\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &e2e.Env{T: t, Dir: dir, DBURL: filepath.Join(dir, "gambler.db")}
	keys := e2e.KeyEnv("PKLIVE", "live-secret")
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"environment", append(keys, "GAMBLER_ALPACA_BASE_URL=https://api.alpaca.markets"), nil},
		{"config file", keys, []string{"--config", cfg}},
	} {
		p, code := e.Run(c.env, append(c.args, "trade", "--symbols", "AAPL", "--duration", "1m")...)
		if code == 0 || !strings.Contains(p.Stderr(), "refusing api.alpaca.markets") {
			t.Errorf("%s: a live Alpaca URL was not refused (exit %d): %s", c.name, code, tail(p.Stderr(), 1000))
		}
		if strings.Contains(p.Stderr(), "live-secret") {
			t.Errorf("%s: the secret was printed", c.name)
		}
	}
}

// TestConfigSecretsReadableWarning: a config file holding a secret that
// other users can read gets a warning; the same file at 0600 does not.
func TestConfigSecretsReadableWarning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := &e2e.Env{T: t, Dir: dir, DBURL: filepath.Join(dir, "gambler.db")}
	for _, c := range []struct {
		name, body string
	}{
		{"api secret", "alpaca:\n  secret_key: sk-readable-by-all\n"},
		{"database password", "database:\n  url: postgres://trader:pw-readable-by-all@127.0.0.1:1/x\n"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		for _, mode := range []os.FileMode{0o644, 0o600} {
			if err := os.WriteFile(path, []byte(c.body), mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			// The harness sets GAMBLER_DATABASE_URL; cleared here, because
			// the warning looks at the effective URL (see RELIABILITY.md).
			p, _ := e.Run([]string{"GAMBLER_DATABASE_URL="}, "--config", path, "version")
			warned := strings.Contains(p.Stderr(), "readable by other users")
			if warned != (mode == 0o644) {
				t.Errorf("%s at %o: warned=%v: %s", c.name, mode, warned, p.Stderr())
			}
			if strings.Contains(p.Stderr()+p.Stdout(), "readable-by-all") {
				t.Errorf("%s: the secret was printed", c.name)
			}
		}
	}
}

// TestAdminAPIRefusesRemotePeers: the exchange's admin API answers
// loopback peers only, even when the caller carries the right API keys.
func TestAdminAPIRefusesRemotePeers(t *testing.T) {
	// Not parallel; the paused parallel tests' goroutines are ignored.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ex, err := exchange.New(exchange.Config{KeyID: "PKADMIN", Secret: "admin-secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	h := ex.Handler()
	for _, c := range []struct {
		peer string
		want int
	}{
		{"203.0.113.9:5555", http.StatusForbidden},
		{"[2001:db8::1]:5555", http.StatusForbidden},
		{"127.0.0.1:5555", http.StatusOK},
		{"[::1]:5555", http.StatusOK},
	} {
		for _, path := range []string{"/sim/v1/orders", "/sim/v1/faults"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = c.peer
			req.Header.Set("APCA-API-KEY-ID", "PKADMIN")
			req.Header.Set("APCA-API-SECRET-KEY", "admin-secret")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Errorf("GET %s from %s: HTTP %d, want %d", path, c.peer, rec.Code, c.want)
			}
		}
	}
}
