package chaos

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/e2e"
)

// manySymbols is n distinct well-formed tickers.
func manySymbols(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%c%c%c%c", 'A'+i/17576%26, 'A'+i/676%26, 'A'+i/26%26, 'A'+i%26)
	}
	return strings.Join(out, ",")
}

// TestHostileInput: each hostile input through the real binary gives a
// clear error and a non-zero exit, writes nothing and never panics.
func TestHostileInput(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "hostile CLI input", driver)
		e := e2e.NewEnv(t, driver, "60")
		const secret = "hunter2-chaos"
		trade := func(extra ...string) []string {
			return append([]string{"trade", "--exchange-url", e.Exchange.URL, "--duration", "5s"}, extra...)
		}
		cases := []struct {
			name string
			env  []string
			args []string
			code int    // 0: any non-zero
			want string // in stderr
		}{
			{"symbols with quotes and semicolons", nil, trade("--symbols", `AAPL";DROP TABLE trading_sessions;--`), 2, "symbol"},
			{"symbols with single quotes", nil, trade("--symbols", `AAPL,'MSFT'`), 2, "symbol"},
			{"10000 symbols", nil, trade("--symbols", manySymbols(10000)), 2, "symbols"},
			{"negative interval", nil, trade("--interval", "-5"), 2, "--interval"},
			{"huge interval", nil, trade("--interval", "99999999999h"), 2, "--interval"},
			{"zero checkpoint interval", nil, trade("--checkpoint-interval", "0"), 2, "--checkpoint-interval"},
			{"negative duration", nil, trade("--duration", "-1"), 2, "--duration"},
			{"huge duration", nil, trade("--duration", "99999999999999999999"), 2, "--duration"},
			{"unknown session id", nil, []string{"resume-session", "00000000-0000-4000-8000-000000000000", "--exchange-url", e.Exchange.URL}, 1, "does not exist"},
			{"malformed session id", nil, []string{"resume-session", "x'; DROP TABLE positions;--"}, 2, "session id"},
			{"malformed session id in checkpoints", nil, []string{"checkpoints", "list", "--session", "../../etc/passwd"}, 2, "session id"},
			{"malformed database URL", []string{"GAMBLER_DATABASE_URL=postgres://trader:" + secret + "@[::1:5432/x"}, trade("--symbols", "AAPL"), 0, "database"},
			{"unreachable database host", []string{"GAMBLER_DATABASE_URL=postgres://trader:" + secret + "@127.0.0.1:1/x?connect_timeout=2"}, trade("--symbols", "AAPL"), 0, "database"},
			{"unreachable exchange", nil, []string{"trade", "--exchange-url", "http://127.0.0.1:1", "--symbols", "AAPL"}, 0, "127.0.0.1:1"},
			{"malformed exchange URL", nil, []string{"trade", "--exchange-url", "ht!tp://[::", "--symbols", "AAPL"}, 0, "exchange"},
		}
		for _, c := range cases {
			tl.Trials++
			failed := t.Failed()
			p, code := e.Run(c.env, c.args...)
			name := c.name
			switch {
			case code == 0:
				t.Errorf("%s: exit 0", name)
			case c.code != 0 && code != c.code:
				t.Errorf("%s: exit %d, want %d: %s", name, code, c.code, p.Stderr())
			}
			stderr := p.Stderr()
			if !strings.Contains(strings.ToLower(stderr), strings.ToLower(c.want)) {
				t.Errorf("%s: stderr does not mention %q: %s", name, c.want, tail(stderr, 500))
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("%s: panicked: %s", name, tail(stderr, 2000))
			}
			if strings.Contains(stderr+p.Stdout(), secret) {
				t.Errorf("%s: the database password was printed", name)
			}
			if msg := errorLines(stderr); len(msg) == 0 || len(msg) > 2 || !strings.HasPrefix(msg[0], "gambler: ") ||
				(len(msg) == 2 && !strings.Contains(msg[1], "--help")) {
				t.Errorf("%s: want one clear error line besides the JSON log, have %q", name, msg)
			}
			list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 || len(e.ExchangeOrders()) != 0 {
				t.Errorf("%s: wrote %d sessions, %d orders", name, len(list), len(e.ExchangeOrders()))
			}
			if !failed && t.Failed() {
				tl.Violations++
			}
		}
	})
}

// errorLines are the stderr lines that are not JSON log records: what the
// user is told (the error, and for usage errors a pointer to --help).
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "{") {
			out = append(out, l)
		}
	}
	return out
}
