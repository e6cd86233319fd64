package chaos

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// blockedFor is how long a table stays locked: five checkpoint intervals.
const blockedFor = 5 * time.Second

// TestPostgresBlockedAndRevoked: on PostgreSQL a LOCK TABLE on the
// checkpoints leaves trading going (ticks and orders go on) while the tick
// line says the store is blocked; a LOCK TABLE on the order journal stops
// entries (no intent, no send) until it goes; a revoked write privilege is
// reported as permission denied, not as an unreachable store.
func TestPostgresBlockedAndRevoked(t *testing.T) {
	t.Parallel()
	tl := record(t, "LOCK TABLE checkpoints, LOCK TABLE journal, REVOKE writes", "postgres")
	tl.Trials, tl.Faults, tl.FaultNote = 1, 3, "each for 5 checkpoint intervals"
	e := e2e.NewEnv(t, "postgres", "60")
	roleURL := traderRole(t, e)
	mover := moverFor(t, e)
	p := e.Start([]string{"GAMBLER_DATABASE_URL=" + roleURL}, e.TradeArgs("--duration", "0")...)
	keepLog(t, "trader", p)
	s := e.WaitForSession()
	e.WaitForPositions(s.ID, 1)

	release := e.LockTable("position_checkpoints")
	ticks, orders := strings.Count(p.Stderr(), `"message":"tick"`), e.OwnOrders(s.ID)
	time.Sleep(blockedFor)
	if strings.Count(p.Stderr(), `"message":"tick"`) <= ticks+3 || e.OwnOrders(s.ID) <= orders {
		t.Errorf("trading stopped while only the checkpoints were locked")
	}
	if !strings.Contains(p.Stderr(), `"store":"blocked by a lock held elsewhere for`) {
		t.Errorf("the tick line never said the store was blocked")
	}
	release()

	release = e.LockTable("order_journal")
	time.Sleep(time.Second) // an entry journaled before the lock may still be sent
	orders = e.OwnOrders(s.ID)
	time.Sleep(blockedFor)
	if n := e.OwnOrders(s.ID) - orders; n != 0 {
		t.Errorf("%d orders sent while the journal was locked", n)
	}
	release()
	e2e.Eventually(t, 30*time.Second, "an entry after the journal lock", func() bool { return e.OwnOrders(s.ID) > orders })

	revoked := len(p.Stderr())
	if err := e.RawExec(`REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM ` + role(roleURL)); err != nil {
		t.Fatal(err)
	}
	e2e.Eventually(t, 30*time.Second, "a permission error", func() bool {
		return strings.Contains(p.Stderr()[revoked:], `"store":"permission denied"`)
	})
	time.Sleep(blockedFor)
	if after := p.Stderr()[revoked:]; strings.Contains(after, `"store":"unreachable"`) || strings.Contains(strings.ToUpper(after), "STORE UNREACHABLE") {
		t.Errorf("a revoked privilege was reported as an unreachable store")
	}
	if err := e.RawExec(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + role(roleURL)); err != nil {
		t.Fatal(err)
	}
	e2e.Eventually(t, 30*time.Second, "the store to answer again", func() bool {
		return strings.Contains(p.Stderr()[revoked:], "store answering again")
	})
	finish(t, e, p, mover)
	e.CheckAll()
	e.CheckEveryOrderJournaled(s.ID)
}

// traderRole creates a login role that may use the test's tables and
// returns the database URL that connects as it; the role is dropped at
// the end of the test (roles belong to the whole server).
func traderRole(t *testing.T, e *e2e.Env) string {
	t.Helper()
	u, err := url.Parse(e.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	name := "gambler_trader_" + strings.TrimPrefix(strings.TrimPrefix(u.Path, "/"), "gambler_test_")
	if err := e.RawExec(`CREATE ROLE `+name+` LOGIN`, `GRANT USAGE ON SCHEMA public TO `+name,
		`GRANT ALL ON ALL TABLES IN SCHEMA public TO `+name, `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.RawExec(`DROP OWNED BY `+name, `DROP ROLE `+name); err != nil {
			t.Errorf("drop role %s: %v", name, err)
		}
	})
	u.User = url.User(name)
	return u.String()
}

func role(u string) string {
	p, _ := url.Parse(u)
	return p.User.Username()
}
