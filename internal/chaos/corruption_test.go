package chaos

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/e2e"
)

// editCheckpoint runs one UPDATE of position_checkpoints around its
// immutability trigger: disabled and re-enabled on PostgreSQL, dropped on
// SQLite (the store re-creates it on its next migrate).
func editCheckpoint(e *e2e.Env, set string, id int64) error {
	update := fmt.Sprintf(`UPDATE position_checkpoints SET %s WHERE id = %d`, set, id)
	if e.Driver() == "postgres" {
		return e.RawExec(`ALTER TABLE position_checkpoints DISABLE TRIGGER position_checkpoints_no_update`, update,
			`ALTER TABLE position_checkpoints ENABLE TRIGGER position_checkpoints_no_update`)
	}
	return e.RawExec(`DROP TRIGGER IF EXISTS position_checkpoints_no_update`, update)
}

// swapInPayload replaces from by to in a checkpoint's account_snapshot: a
// reversible corruption, so that the row can be repaired afterwards.
func swapInPayload(e *e2e.Env, id int64, from, to string) error {
	expr := fmt.Sprintf(`replace(account_snapshot, '%s', '%s')`, from, to)
	if e.Driver() == "postgres" {
		expr = fmt.Sprintf(`replace(account_snapshot::text, '%s', '%s')::json`, from, to)
	}
	return editCheckpoint(e, "account_snapshot = "+expr, id)
}

// TestCorruptNewestCheckpoint: the newest checkpoint of a crashed session
// is damaged; resume skips it, restores the previous good one and says so.
func TestCorruptNewestCheckpoint(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "corrupt newest checkpoint", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		e.WaitForPositions(s.ID, 1)
		ctx := context.Background()
		e2e.Eventually(t, 60*time.Second, "two checkpoints", func() bool {
			m, err := e.Store.ListCheckpoints(ctx, s.ID, 10)
			return err == nil && len(m) >= 2
		})
		p.Kill9()
		tl.Kills++
		metas, err := e.Store.ListCheckpoints(ctx, s.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		bad, good := metas[0].ID, metas[1].ID
		if err := swapInPayload(e, bad, "portfolio_value", "portfolio_valuX"); err != nil {
			t.Fatal(err)
		}
		tl.Faults = 1
		tl.FaultNote = "newest checkpoint payload altered"
		r := e.Start(nil, e.ResumeArgs("--duration", "0")...)
		keepLog(t, "resume", r)
		waitTrading(t, r)
		logs := r.Stderr()
		if !strings.Contains(logs, "restored from an older checkpoint") {
			t.Errorf("resume did not say it used an older checkpoint")
		}
		if want := fmt.Sprintf(`"checkpoint":%d`, bad); !strings.Contains(logs, want) || !strings.Contains(logs, "fails verification") {
			t.Errorf("resume did not name the damaged checkpoint %d", bad)
		}
		if want := fmt.Sprintf(`"checkpoint":%d,"checkpoint_time"`, good); !strings.Contains(logs, want) {
			t.Errorf("resume did not restore checkpoint %d", good)
		}
		finish(t, e, r, nil)
		// Repair the row so that the invariants judge the rest.
		if err := swapInPayload(e, bad, "portfolio_valuX", "portfolio_value"); err != nil {
			t.Fatal(err)
		}
		e.CheckAll()
	})
}

// TestInvalidJSONCheckpoint: a checkpoint row whose payload is not JSON.
// SQLite stores it (text columns); PostgreSQL's json columns refuse it.
// The checkpoints commands keep working and show flags the row.
func TestInvalidJSONCheckpoint(t *testing.T) {
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "invalid JSON checkpoint row", driver)
		tl.Trials = 1
		e := e2e.NewEnv(t, driver, "60")
		p := e.Start(nil, e.TradeArgs("--duration", "0")...)
		s := e.WaitForSession()
		e2e.Eventually(t, 60*time.Second, "two checkpoints", func() bool {
			m, err := e.Store.ListCheckpoints(context.Background(), s.ID, 10)
			return err == nil && len(m) >= 2
		})
		stop(t, p)
		metas := e.CheckCheckpoints(s.ID)
		bad := metas[0].ID
		err := editCheckpoint(e, `positions_snapshot = '{"AAPL": {not json'`, bad)
		tl.Faults = 1
		if driver == "postgres" {
			tl.FaultNote = "invalid JSON refused by the json column"
			if err == nil || !strings.Contains(err.Error(), "json") {
				t.Fatalf("PostgreSQL accepted invalid JSON in positions_snapshot: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		tl.FaultNote = "positions_snapshot replaced by invalid JSON"
		id := fmt.Sprint(bad)
		list, code := e.Run(nil, "checkpoints", "list", "-o", "json")
		if code != 0 || !strings.Contains(list.Stdout(), `"id": `+id) || !strings.Contains(list.Stdout(), `"verified": false`) ||
			!strings.Contains(list.Stdout(), "not valid JSON") {
			t.Errorf("checkpoints list does not flag the broken row: exit %d\n%s\n%s", code, list.Stdout(), list.Stderr())
		}
		show, code := e.Run(nil, "checkpoints", "show", id, "-o", "json")
		if code != 0 || !strings.Contains(show.Stdout(), `"verified": false`) || !strings.Contains(show.Stdout(), "not valid JSON") {
			t.Errorf("checkpoints show of the broken row does not flag it: exit %d\n%s\n%s", code, show.Stdout(), show.Stderr())
		}
		latest, code := e.Run(nil, "checkpoints", "show", "-o", "json")
		if code != 0 || strings.Contains(latest.Stdout(), `"checkpoint_id": `+id) {
			t.Errorf("checkpoints show (latest good) returned the broken row: exit %d\n%s", code, latest.Stdout())
		}
		stats, code := e.Run(nil, "checkpoints", "stats", "-o", "json")
		if code != 0 || !strings.Contains(stats.Stdout(), fmt.Sprintf(`"total_checkpoints": %d`, len(metas))) ||
			!strings.Contains(stats.Stdout(), `"bad_newer_checkpoints": 1`) {
			t.Errorf("checkpoints stats does not flag the broken row: exit %d\n%s\n%s", code, stats.Stdout(), stats.Stderr())
		}
		for _, p := range []*e2e.Proc{list, show, latest, stats} {
			if strings.Contains(p.Stderr(), "panic") {
				t.Errorf("panic: %s", p.Stderr())
			}
		}
	})
}
