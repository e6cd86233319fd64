package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// opsGuide is the operator guide whose commands this test runs.
const opsGuide = "../../docs/operations.md"

// docAddr is the metrics address the guide writes; the test substitutes
// the address its running trader bound.
const docAddr = "127.0.0.1:9464"

type guideSection struct {
	title    string
	commands []string
}

// guideSections returns the commands of every sh block, by section.
func guideSections(t *testing.T) []guideSection {
	t.Helper()
	f, err := os.Open(opsGuide)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	secs := []guideSection{{title: "overview"}}
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			secs = append(secs, guideSection{title: strings.TrimPrefix(line, "## ")})
		case strings.HasPrefix(line, "```"):
			if !inBlock && line != "```sh" {
				t.Fatalf("%s: every code block must be an sh block of commands this test runs: %q", opsGuide, line)
			}
			inBlock = !inBlock
		case inBlock && strings.TrimSpace(line) != "":
			secs[len(secs)-1].commands = append(secs[len(secs)-1].commands, strings.TrimSpace(line))
		}
	}
	return secs
}

// TestOperationsGuideCommands runs every command of docs/operations.md,
// each section in a setting like its scenario: a session of instance 1 that
// crashed (or, for the planned restart, was stopped with SIGINT), a trader
// of instance 2 serving metrics, and for the unknown-positions scenario a
// position opened at the broker by hand. Every command must exit 0.
func TestOperationsGuideCommands(t *testing.T) {
	t.Parallel()
	secs := guideSections(t)
	total := 0
	for _, s := range secs {
		total += len(s.commands)
	}
	if total < 10 {
		t.Fatalf("%s: found only %d commands", opsGuide, total)
	}
	for _, driver := range Drivers {
		for _, sec := range secs {
			if len(sec.commands) == 0 {
				continue
			}
			t.Run(driver+"/"+sec.title, func(t *testing.T) {
				t.Parallel()
				runGuideSection(t, driver, sec)
			})
		}
	}
}

func runGuideSection(t *testing.T, driver string, sec guideSection) {
	e := NewEnv(t, driver, "60")
	first, crashed := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0")...)
	if strings.Contains(sec.title, "planned restart") {
		first.Signal(syscall.SIGINT)
		if code := first.Wait(30 * time.Second); code != 0 {
			t.Fatalf("SIGINT: exit %d", code)
		}
	} else {
		first.Kill9()
	}
	running := e.Start(nil, append([]string{"trade", "--symbols", "MSFT", "--instance-id", "2", "--duration", "0",
		"--metrics-addr", "127.0.0.1:0"}, e.runArgs()...)...)
	addr := MetricsAddr(t, running)
	// A trader that has checkpointed, as one that runs for a while has.
	Eventually(t, 30*time.Second, "the running trader's first checkpoint", func() bool {
		list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{InstanceID: 2})
		return err == nil && len(list) == 1 && list[0].Checkpoints > 0
	})
	if strings.Contains(sec.title, "does not know") {
		if _, err := e.Broker.PlaceOrder(context.Background(), broker.OrderRequest{ClientOrderID: "by-hand-1",
			Symbol: "TSLA", Side: broker.Buy, Type: broker.Market, Qty: decimal.NewFromInt(3)}); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"GAMBLER_TRADE_DURATION=2s", "GAMBLER_TRADE_EXCHANGE_URL=" + e.Exchange.URL,
		"GAMBLER_TRADE_INTERVAL=300ms", "GAMBLER_TRADE_CHECKPOINT_INTERVAL=1s",
	}
	for _, line := range sec.commands {
		cmd := strings.ReplaceAll(strings.ReplaceAll(line, "<session-id>", crashed.ID), docAddr, addr)
		args := strings.Fields(cmd)
		switch args[0] {
		case "gambler":
			p, code := e.Run(env, args[1:]...)
			if code != 0 {
				t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", line, code, tail(p.Stdout(), 2000), tail(p.Stderr(), 3000))
			}
		case "curl":
			curlGet(t, line, args)
		default:
			t.Errorf("%s: %q is neither a gambler nor a curl command; this test cannot run it", opsGuide, line)
		}
	}
}

// curlGet does what `curl -fsS URL` does: GET, and fail on a status >= 400.
func curlGet(t *testing.T, line string, args []string) {
	t.Helper()
	if len(args) != 3 || args[1] != "-fsS" {
		t.Fatalf("%s: only `curl -fsS URL` is understood: %q", opsGuide, line)
	}
	resp, err := http.Get(args[2])
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 || len(body) == 0 {
		t.Errorf("%s: HTTP %d: %s", line, resp.StatusCode, body)
	}
}
