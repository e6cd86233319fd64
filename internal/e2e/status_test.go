package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// statusScreen is the part of `gambler status -o json` the test reads.
type statusScreen struct {
	Sessions []struct {
		InstanceID      int                 `json:"instance_id"`
		SessionID       string              `json:"session_id"`
		UptimeSeconds   float64             `json:"uptime_seconds"`
		MarketTime      *string             `json:"market_time"`
		StartingCapital decimal.NullDecimal `json:"starting_capital"`
		Equity          decimal.NullDecimal `json:"equity"`
		PnL             decimal.NullDecimal `json:"pnl"`
		RealizedPnL     decimal.Decimal     `json:"realized_pnl"`
		UnrealizedPnL   decimal.NullDecimal `json:"unrealized_pnl"`
		OpenPositions   []struct {
			Symbol        string              `json:"symbol"`
			UnrealizedPnL decimal.NullDecimal `json:"unrealized_pnl"`
		} `json:"open_positions"`
		PendingOrders          []json.RawMessage `json:"pending_orders"`
		LastCheckpointAge      *float64          `json:"last_checkpoint_age_seconds"`
		CheckpointIntervalSecs *float64          `json:"checkpoint_interval_seconds"`
		Healthy                bool              `json:"healthy"`
		Health                 string            `json:"health"`
	} `json:"sessions"`
	NotRunning []string `json:"active_not_running"`
}

func (e *Env) status() statusScreen {
	e.T.Helper()
	out, code := e.Run(nil, "status", "-o", "json")
	if code != 0 {
		e.T.Fatalf("status: exit %d\n%s", code, out.Stderr())
	}
	var scr statusScreen
	if err := json.Unmarshal([]byte(out.Stdout()), &scr); err != nil {
		e.T.Fatalf("status -o json: %v\n%s", err, out.Stdout())
	}
	return scr
}

// TestStatusShowsRunningSessions drives `gambler status` against a live
// trader on both stores: the session's own value, its open positions with
// their unrealized P&L, its pending orders and checkpoint age, the health
// verdict turning once the trader is frozen, --watch, and a crashed
// session listed as not running.
func TestStatusShowsRunningSessions(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			out, code := e.Run(nil, "status")
			if code != 0 || !strings.Contains(out.Stdout(), "no session is running") {
				t.Fatalf("status of an empty store (exit %d):\n%s%s", code, out.Stdout(), out.Stderr())
			}
			if scr := e.status(); len(scr.Sessions) != 0 {
				t.Fatalf("empty store: %d sessions", len(scr.Sessions))
			}

			p, s := e.StartTrading(nil, 1, e.TradeArgs("--duration", "0", "--capital", "5000", "--instance-id", "4")...)
			var scr statusScreen
			Eventually(t, 60*time.Second, "a priced position in status", func() bool {
				scr = e.status()
				return len(scr.Sessions) == 1 && len(scr.Sessions[0].OpenPositions) > 0 && scr.Sessions[0].Equity.Valid
			})
			checkStatusSession(t, scr, s.ID)

			out, code = e.Run(nil, "status")
			for _, want := range []string{s.ID, "INSTANCE 4", "OPEN POSITIONS", "PENDING ORDERS", " ok"} {
				if code != 0 || !strings.Contains(out.Stdout(), want) {
					t.Errorf("status table (exit %d) lacks %q:\n%s", code, want, out.Stdout())
				}
			}
			checkStatusWatch(t, e)

			// Frozen, the trader stops checkpointing: the verdict turns.
			p.Signal(syscall.SIGSTOP)
			Eventually(t, 60*time.Second, "status judging the frozen trader unhealthy", func() bool {
				scr = e.status()
				return len(scr.Sessions) == 1 && !scr.Sessions[0].Healthy && strings.Contains(scr.Sessions[0].Health, "last checkpoint")
			})
			p.Signal(syscall.SIGCONT)
			Eventually(t, 60*time.Second, "healthy again", func() bool {
				scr = e.status()
				return len(scr.Sessions) == 1 && scr.Sessions[0].Healthy
			})

			// A crashed trader's session is active but no longer running.
			// (PostgreSQL frees the advisory lock once it notices the
			// connection closed.)
			p.Kill9()
			Eventually(t, 60*time.Second, "the killed session listed as not running", func() bool {
				scr = e.status()
				return len(scr.Sessions) == 0 && len(scr.NotRunning) == 1 && scr.NotRunning[0] == s.ID
			})
		})
	}
}

func checkStatusSession(t *testing.T, scr statusScreen, id string) {
	t.Helper()
	got := scr.Sessions[0]
	if got.SessionID != id || got.InstanceID != 4 || got.UptimeSeconds <= 0 || got.MarketTime == nil {
		t.Errorf("session %s instance %d uptime %v market time %v; want %s, 4, >0, set",
			got.SessionID, got.InstanceID, got.UptimeSeconds, got.MarketTime, id)
	}
	if !got.Healthy || got.Health != "ok" || got.LastCheckpointAge == nil || got.CheckpointIntervalSecs == nil || *got.CheckpointIntervalSecs != 1 {
		t.Errorf("health %v %q, checkpoint age %v, interval %v", got.Healthy, got.Health, got.LastCheckpointAge, got.CheckpointIntervalSecs)
	}
	// The session's own figures add up: equity = capital + pnl, pnl =
	// realized + unrealized, unrealized = the sum over open positions.
	sum := decimal.Zero
	for _, pos := range got.OpenPositions {
		sum = sum.Add(pos.UnrealizedPnL.Decimal)
	}
	if !got.StartingCapital.Valid || !got.StartingCapital.Decimal.Equal(decimal.NewFromInt(5000)) ||
		!got.Equity.Decimal.Equal(got.StartingCapital.Decimal.Add(got.PnL.Decimal)) ||
		!got.PnL.Decimal.Equal(got.RealizedPnL.Add(got.UnrealizedPnL.Decimal)) || !sum.Equal(got.UnrealizedPnL.Decimal) {
		t.Errorf("figures do not add up: capital %v equity %v pnl %v realized %v unrealized %v (positions sum %s)",
			got.StartingCapital, got.Equity, got.PnL, got.RealizedPnL, got.UnrealizedPnL, sum)
	}
	if len(got.PendingOrders) == 0 {
		t.Error("no pending orders: the open positions' exit legs are missing")
	}
}

// checkStatusWatch: --watch writes a fresh document every interval until
// the first Ctrl-C, which ends it with exit 0.
func checkStatusWatch(t *testing.T, e *Env) {
	t.Helper()
	w := e.Start(nil, "status", "--watch", "--interval", "200ms", "-o", "json")
	Eventually(t, 60*time.Second, "three --watch refreshes", func() bool {
		return countJSONDocuments(w.Stdout()) >= 3
	})
	w.Signal(syscall.SIGINT)
	if code := w.Wait(30 * time.Second); code != 0 {
		t.Errorf("status --watch: exit %d after SIGINT\n%s", code, w.Stderr())
	}
}

// countJSONDocuments counts the complete JSON values in a stream.
func countJSONDocuments(s string) int {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) || err != nil {
			return n
		}
		n++
	}
}
