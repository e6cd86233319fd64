package trader_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/failpoint"
	"github.com/gambler-trader/gambler/internal/pnl"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// events records Observer calls as text.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(format string, a ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, fmt.Sprintf(format, a...))
}

func (e *events) has(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Contains(e.list, s)
}

func (e *events) CheckpointCreated(time.Time, time.Duration, int64) { e.add("checkpoint created") }
func (e *events) CheckpointFailed()                                 { e.add("checkpoint failed") }
func (e *events) CheckpointRestored()                               { e.add("checkpoint restored") }
func (e *events) ActivePositions(n int)                             { e.add("positions %d", n) }
func (e *events) Account(decimal.Decimal, decimal.Decimal)          { e.add("account") }
func (e *events) OrderStatus(s string)                              { e.add("order %s", s) }
func (e *events) FillApplied()                                      { e.add("fill") }
func (e *events) StoreUp(up bool)                                   { e.add("store up %v", up) }
func (e *events) SessionValue(pnl.Figures)                          { e.add("session value") }

// TestObserverHearsTheLifeCycle: the metrics see every checkpoint, order
// status, fill, the account and the store's health, and a restore.
func TestObserverHearsTheLifeCycle(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager(), Trader: oneSymbol("AAPL")})
	obs := &events{}
	r := w.Start(tradertest.StartOptions{Observer: obs, Failpoints: []string{failpoint.InCheckpoint + ":2"}})
	if !r.Until(time.Hour, r.Done) || !r.Killed() {
		t.Fatal("no crash in the second checkpoint")
	}
	r.Crash()
	for _, want := range []string{"checkpoint created", "order intent", "order filled", "fill", "positions 1", "account", "session value", "store up true"} {
		if !obs.has(want) {
			t.Errorf("observer never heard %q; heard %v", want, obs.list)
		}
	}
	again := &events{}
	r2 := w.Resume(r.Session.ID, tradertest.StartOptions{Observer: again})
	r2.For(time.Minute)
	if err := r2.Stop(); err != nil {
		t.Fatal(err)
	}
	if !again.has("checkpoint restored") {
		t.Errorf("the resumed trader's observer never heard the restore; heard %v", again.list)
	}
}
