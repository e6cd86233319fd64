package exchange_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/gambler-trader/gambler/internal/exchange"
)

func TestStateFileRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exchange.json")
	clk := &fakeClock{now: t0}
	cfg := exchange.Config{StateFile: path, Now: clk.Now, Speed: 10}
	f := newFixture(t, cfg)
	f.setPrice(t, "AAPL", "100")
	filled, err := f.tc.PlaceOrder(buy("AAPL", "10"))
	if err != nil {
		t.Fatal(err)
	}
	br, err := f.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("10"), Side: alpaca.Sell, Type: alpaca.Limit,
		LimitPrice: decp("120"), TimeInForce: alpaca.GTC, ClientOrderID: "keep-me"})
	if err != nil {
		t.Fatal(err)
	}
	acctBefore := f.account(t)
	clk.Advance(time.Second)

	// A second exchange on the same file, as after a crash: it must know
	// everything the first acknowledged. Close only releases the file's
	// lock (one exchange per state file); it writes nothing.
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ex.Close(); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || string(after) != string(before) {
		t.Fatalf("Close changed the state file (%v)", err)
	}
	g := newFixture(t, cfg)
	g.clk = clk
	acct := g.account(t)
	wantDec(t, "cash after restart", acct.Cash, acctBefore.Cash.String())
	pos, err := g.tc.GetPosition("AAPL")
	if err != nil {
		t.Fatal(err)
	}
	wantDec(t, "position after restart", pos.Qty, "10")
	if o := g.order(t, filled.ID); o.Status != "filled" || !o.FilledAvgPrice.Equal(*filled.FilledAvgPrice) {
		t.Errorf("filled order after restart: %+v", o)
	}
	if o, err := g.tc.GetOrderByClientOrderID("keep-me"); err != nil || o.ID != br.ID || o.Status != "new" {
		t.Errorf("resting order after restart: %+v, %v", o, err)
	}
	_, err = g.tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: decp("1"), Side: alpaca.Buy, Type: alpaca.Market,
		TimeInForce: alpaca.Day, ClientOrderID: "keep-me"})
	apiErr(t, err, http.StatusUnprocessableEntity, 40010001)
	clock, err := g.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(10 * time.Second); !clock.Timestamp.Equal(want) {
		t.Errorf("market clock after restart = %v, want %v (it keeps running at speed 10)", clock.Timestamp, want)
	}
	// The admin price survives too, so the resting order still rests.
	if o := g.order(t, br.ID); o.Status != "new" {
		t.Errorf("resting sell at 120 after restart: %s", o.Status)
	}
	g.setPrice(t, "AAPL", "121")
	if o := g.order(t, br.ID); o.Status != "filled" {
		t.Errorf("sell limit 120 at 121: %s", o.Status)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(path + ".tmp*")
	if len(matches) != 0 {
		t.Errorf("temp files left behind: %v", matches)
	}
}

func TestRestartAtAnotherSpeedKeepsTheClockContinuous(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exchange.json")
	clk := &fakeClock{now: t0}
	f := newFixture(t, exchange.Config{StateFile: path, Now: clk.Now, Speed: 60})
	clk.Advance(10 * time.Second) // 10 market minutes at speed 60
	if err := f.ex.Close(); err != nil {
		t.Fatal(err)
	}
	g := newFixture(t, exchange.Config{StateFile: path, Now: clk.Now, Speed: 1})
	clk.Advance(10 * time.Second) // 10 market seconds at speed 1
	clock, err := g.tc.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(10*time.Minute + 10*time.Second); !clock.Timestamp.Equal(want) {
		t.Errorf("clock = %v, want %v", clock.Timestamp, want)
	}
}

func TestNewRejectsCorruptStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exchange.New(exchange.Config{StateFile: path}); err == nil {
		t.Fatal("New accepted a corrupt state file")
	}
}

func TestRunServesUntilCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- exchange.Run(ctx, exchange.Config{Now: func() time.Time { return t0 }}, "127.0.0.1:0", func(u string) { urls <- u })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("Run returned before ready: %v", err)
	}
	clock, err := tradingClient(url, "", "").GetClock()
	if err != nil || !clock.Timestamp.Equal(t0) {
		t.Fatalf("clock from Run's server: %+v, %v", clock, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}
