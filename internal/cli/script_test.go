package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/cli"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/failpoint"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gambler": func() { os.Exit(cli.RunProcess(os.Args[1:], cli.Build{Version: "test"})) },
	})
}

// TestScripts runs every CLI script against the real command tree, once on
// SQLite and once on PostgreSQL, each script on a fresh database.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			urls := map[string]string{}
			if driver == "postgres" {
				for _, f := range files {
					urls[scriptName(f)] = dbtest.CreatePostgresDB(t)
				}
			}
			testscript.Run(t, testscript.Params{
				Files: files,
				Setup: func(env *testscript.Env) error {
					name := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
					url := urls[name]
					if driver == "sqlite" {
						url = filepath.Join(env.WorkDir, "gambler.db")
					}
					env.Setenv("GAMBLER_DATABASE_URL", url)
					env.Setenv("DRIVER", driver)
					env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
					env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
					env.Setenv("GAMBLER_LOG_FORMAT", "json")
					// One reference time per script, so seeded intervals are exact.
					env.Setenv("SEED_NOW", time.Now().UTC().Format(time.RFC3339Nano))
					return nil
				},
				Condition: func(cond string) (bool, error) {
					if cond == "failpoint" {
						return failpoint.Enabled, nil
					}
					return false, fmt.Errorf("unknown condition %q", cond)
				},
				Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
					"seed":    seedCmd,
					"code":    codeCmd,
					"cmpjson": cmpJSONCmd,
				},
			})
		})
	}
}

func scriptName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), ".txtar")
}

// seedCmd writes fixtures through the store contract:
//
//	seed session ID [status] [instance] [age]   - a session started age ago (default 2h)
//	seed position ID SYMBOL QTY PRICE [AGE]     - an active long position entered AGE ago (default 1h)
//	seed close ID SYMBOL PRICE [REASON] [AGE]   - close the symbol's active position AGE ago (default now),
//	                                              with pnl = (PRICE - entry) * qty
//	seed checkpoints ID N [EVERY] [AGE] [VALUES] [PRICES] - N checkpoints EVERY apart (default 60s), the first
//	                                              AGE ago, portfolio values taken in turn from the comma list VALUES;
//	                                              with PRICES (SYM=PRICE,...), session values at those prices
//	seed order ID SEQ SYMBOL [STATUS]           - a filled (or STATUS) market buy of 10 in the order journal
func seedCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: seed session|position|close|checkpoints|order ...")
	}
	ctx := context.Background()
	s, err := dbopen.Open(ctx, ts.Getenv("GAMBLER_DATABASE_URL"), ts.Getenv)
	ts.Check(err)
	defer s.Close()
	now, err := time.Parse(time.RFC3339Nano, ts.Getenv("SEED_NOW"))
	ts.Check(err)
	arg := func(i int, def string) string {
		if i < len(args) {
			return args[i]
		}
		return def
	}
	dur := func(s string) time.Duration {
		d, err := time.ParseDuration(s)
		ts.Check(err)
		return d
	}
	switch args[0] {
	case "session":
		inst, err := strconv.Atoi(arg(3, "1"))
		ts.Check(err)
		ts.Check(s.CreateSession(ctx, db.Session{
			ID: args[1], InstanceID: inst, StrategyName: "momentum", Status: arg(2, db.StatusActive),
			StartTime: now.Add(-dur(arg(4, "2h"))), Symbols: []string{"AAPL", "MSFT"}, DurationMinutes: 60,
			ScanIntervalSeconds: 60, InitialPortfolioValue: decimal.NewNullDecimal(decimal.NewFromInt(100000)),
			CreatedAt: now, UpdatedAt: now,
		}))
	case "position":
		_, err := s.OpenPosition(ctx, db.Position{
			SessionID: args[1], Symbol: args[2], EntryTime: now.Add(-dur(arg(5, "1h"))), EntryPrice: decimal.RequireFromString(arg(4, "100")),
			Qty: decimal.RequireFromString(arg(3, "10")), Direction: db.DirectionUp, Side: "buy", Status: db.PositionActive,
			StopLoss: decimal.NewNullDecimal(decimal.RequireFromString("98")), TakeProfit: decimal.NewNullDecimal(decimal.RequireFromString("104")),
			OrderID: "ord-" + args[2],
		})
		ts.Check(err)
	case "close":
		active, err := s.ActivePositions(ctx, args[1])
		ts.Check(err)
		for _, p := range active {
			if p.Symbol == args[2] {
				exit := decimal.RequireFromString(arg(3, "104"))
				pnl := exit.Sub(p.EntryPrice).Mul(p.Qty)
				ts.Check(s.ClosePosition(ctx, db.PositionClose{PositionID: p.ID, ExitTime: now.Add(-dur(arg(5, "0s"))),
					ExitPrice: decimal.NewNullDecimal(exit), ExitReason: arg(4, "take_profit"), PnL: decimal.NewNullDecimal(pnl),
					PnLPct: decimal.NewNullDecimal(exit.Sub(p.EntryPrice).Div(p.EntryPrice).Mul(decimal.NewFromInt(100)).Round(4))}))
				return
			}
		}
		ts.Fatalf("no active position %s", args[2])
	case "checkpoints":
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		every, start := dur(arg(3, "60s")), now.Add(-dur(arg(4, "1h")))
		values := strings.Split(arg(5, "100000"), ",")
		session := ""
		if prices := arg(6, ""); prices != "" {
			quoted := map[string]string{}
			for _, kv := range strings.Split(prices, ",") {
				sym, px, _ := strings.Cut(kv, "=")
				quoted[sym] = px
			}
			b, err := json.Marshal(quoted)
			ts.Check(err)
			session = fmt.Sprintf(`,"session_realized_pnl":"0","session_unrealized_pnl":"0","session_prices":%s`, b)
		}
		for i := 0; i < n; i++ {
			_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: args[1], CheckpointTime: start.Add(time.Duration(i) * every),
				Trigger: db.TriggerInterval, AccountSnapshot: []byte(fmt.Sprintf(`{"cash":%d,"portfolio_value":%s,"buying_power":50000,"timestamp":"x","strategy_params":{"position_size":"10000"}%s}`,
					i, values[i%len(values)], session))})
			ts.Check(err)
		}
	case "order":
		seq, err := strconv.ParseInt(args[2], 10, 64)
		ts.Check(err)
		status := arg(4, "filled")
		o := db.Order{SessionID: args[1], ClientOrderID: fmt.Sprintf("g%s-%d", strings.ReplaceAll(args[1], "-", ""), seq), Seq: seq,
			Symbol: args[3], OrderType: "market", OrderClass: "bracket", Side: "buy", Qty: decimal.NewFromInt(10), Status: db.OrderIntent,
			Purpose: "entry", CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)}
		_, err = s.InsertOrder(ctx, o)
		ts.Check(err)
		if status != db.OrderIntent {
			ack := now.Add(-time.Hour)
			u := db.OrderUpdate{ClientOrderID: o.ClientOrderID, BrokerOrderID: "broker-" + args[3], Status: status, AcknowledgedAt: &ack, UpdatedAt: ack}
			if status == "filled" {
				u.FilledQty, u.FilledAvgPrice = o.Qty, decimal.NewNullDecimal(decimal.RequireFromString("100.5"))
			}
			ts.Check(s.UpdateOrder(ctx, u))
		}
	default:
		ts.Fatalf("unknown seed kind %q", args[0])
	}
}

// codeCmd runs a command and asserts its exact exit code:
//
//	code N gambler args...
func codeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: code N command args...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("run %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmpJSONCmd compares a JSON array with a golden array: same length, and
// every key of each golden object equal in the actual object. Keys left out
// of the golden file (times, sizes) are not compared.
//
//	cmpjson stdout golden-file
func cmpJSONCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cmpjson stdout|FILE GOLDEN")
	}
	actualText := ts.ReadFile(args[0])
	var actual, golden []map[string]any
	ts.Check(json.Unmarshal([]byte(actualText), &actual))
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &golden))
	if len(actual) != len(golden) {
		ts.Fatalf("got %d objects, want %d:\n%s", len(actual), len(golden), actualText)
	}
	for i, g := range golden {
		for k, want := range g {
			if got, ok := actual[i][k]; !ok || fmt.Sprint(got) != fmt.Sprint(want) {
				ts.Fatalf("object %d key %q = %v, want %v", i, k, got, want)
			}
		}
	}
}
