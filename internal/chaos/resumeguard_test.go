package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/e2e"
)

// TestMarketTimeBackwards: the session's newest checkpoint says market
// time is three days ahead of the broker's clock (another exchange or
// state file). `resume` refuses loudly with a non-zero exit and changes
// nothing; `resume --force` trades on.
func TestMarketTimeBackwards(t *testing.T) {
	longRunOnly(t, "internal/trader TestMarketTimeBackwardsIsRefused")
	forDrivers(t, func(t *testing.T, driver string) {
		tl := record(t, "market time backwards (checkpoint 72 h ahead of the broker)", driver)
		tl.Trials, tl.Faults, tl.FaultNote = 1, 1, "checkpoint with market_time 72 h ahead"
		e := e2e.NewEnv(t, driver, "60")
		a := e.Start(nil, e.TradeArgs("--duration", "0")...)
		waitTrading(t, a)
		s := e.WaitForSession()
		a.Kill9()
		tl.Kills++
		ctx := context.Background()
		c, err := e.Broker.Clock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		future := c.Timestamp.Add(72 * time.Hour).UTC().Format(time.RFC3339Nano)
		if _, err := e.Store.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: s.ID, CheckpointTime: time.Now(),
			Trigger: db.TriggerManual, AccountSnapshot: []byte(`{"portfolio_value":100000,"buying_power":200000,"cash":100000,"timestamp":"` +
				future + `","market_time":"` + future + `"}`)}); err != nil {
			t.Fatal(err)
		}
		r, code := e.Run(nil, e.ResumeArgs("--duration", "0")...)
		if code == 0 || !strings.Contains(r.Stderr(), "market time went backwards") || !strings.Contains(r.Stderr(), "--force") {
			t.Errorf("resume exited %d, want a refusal naming the backwards market time and --force:\n%s", code, tail(r.Stderr(), 2000))
		}
		mover := moverFor(t, e)
		f := e.Start(nil, e.ResumeArgs("--duration", "0", "--force")...)
		waitTrading(t, f)
		time.Sleep(2 * time.Second)
		finish(t, e, f, mover)
		e.CheckAll()
	})
}

// TestExchangeStateFileGuards: an exchange that traded is restarted on its
// state file with another seed: refused, saying how to go on; with
// --reset-prices it starts and keeps the account. A state file of {} or
// null is refused with a clear message.
func TestExchangeStateFileGuards(t *testing.T) {
	longRunOnly(t, "the CLI script exchange_state.txtar")
	t.Parallel()
	tl := record(t, "exchange restarted on its state file with another seed; empty state files", "sqlite")
	tl.Trials, tl.Faults, tl.FaultNote = 1, 3, "seed 7 -> 8; {} and null state files"
	e := e2e.NewEnv(t, "sqlite", "60")
	a, _ := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0")...)
	// Open exit legs would fill at once on the new seed's prices; without
	// them the account must come through the restart unchanged.
	finish(t, e, a, nil)
	held := heldQty(t, e)
	e.Exchange.Kill9()
	tl.Kills++
	exchange := func(state string, extra ...string) (*e2e.Proc, int) {
		return e.Run(nil, append([]string{"exchange", "--listen", "127.0.0.1:0", "--state-file", state}, extra...)...)
	}
	if p, code := exchange(e.Exchange.StateFile, "--seed", "8"); code == 0 || !strings.Contains(p.Stderr(), "seed 7") ||
		!strings.Contains(p.Stderr(), "reset-prices") {
		t.Errorf("another seed: exit %d, want a refusal naming seed 7 and --reset-prices:\n%s", code, tail(p.Stderr(), 2000))
	}
	e.Exchange.RestartWith("--seed", "8", "--reset-prices")
	if got := heldQty(t, e); fmt.Sprint(got) != fmt.Sprint(held) {
		t.Errorf("positions after --reset-prices %v, want the account kept: %v", got, held)
	}
	for _, body := range []string{"{}", "null"} {
		state := filepath.Join(e.Dir, "state-"+strings.Trim(body, "{}")+".json")
		if err := os.WriteFile(state, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if p, code := exchange(state); code == 0 || !strings.Contains(p.Stderr(), "holds no exchange state") {
			t.Errorf("state file %s: exit %d, want a refusal saying it holds no exchange state:\n%s", body, code, tail(p.Stderr(), 2000))
		}
	}
}
