package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Admin posts body as JSON to an admin path of the exchange (/sim/v1/...).
// It returns an error instead of failing the test so that background
// goroutines can use it.
func (x *Exchange) Admin(path string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(x.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admin %s: HTTP %d: %s", path, resp.StatusCode, msg)
	}
	return nil
}

// FaultKinds are every fault the exchange can inject.
var FaultKinds = []string{"429", "500", "delay", "drop", "lost_response"}

// SetFaults makes each /v2 request fail with probability rate; rate 0 turns
// faults off.
func (x *Exchange) SetFaults(rate float64, delay time.Duration, seed int64) error {
	return x.Admin("/sim/v1/faults", map[string]any{"rate": rate, "kinds": FaultKinds,
		"delay_ms": delay.Milliseconds(), "seed": seed})
}

// MovePrice shifts a symbol's price by pct percent, filling whatever
// resting order the move crosses.
func (x *Exchange) MovePrice(symbol string, pct float64) error {
	return x.Admin("/sim/v1/price", map[string]any{"symbol": symbol, "change_pct": fmt.Sprintf("%.2f", pct)})
}

// PriceMover moves prices in the background so that brackets keep filling
// and the trader keeps re-entering. Stop it before reading its count.
type PriceMover struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	moves  atomic.Int64
}

// StartPriceMover moves a random symbol by +-pct every period until Stop.
// Errors are ignored: the exchange may be down on purpose.
func (x *Exchange) StartPriceMover(symbols []string, pct float64, every time.Duration, seed int64) *PriceMover {
	ctx, cancel := context.WithCancel(context.Background())
	m := &PriceMover{cancel: cancel}
	rng := rand.New(rand.NewSource(seed))
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		repeat(ctx, every, func() {
			p := pct
			if rng.Intn(2) == 0 {
				p = -pct
			}
			if x.MovePrice(symbols[rng.Intn(len(symbols))], p) == nil {
				m.moves.Add(1)
			}
		})
	}()
	return m
}

// repeat calls fn every period until ctx ends.
func repeat(ctx context.Context, every time.Duration, fn func()) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}

// Stop ends the mover and returns how many moves it made.
func (m *PriceMover) Stop() int64 {
	m.cancel()
	m.wg.Wait()
	return m.moves.Load()
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// CancelAllOrders cancels every open order at the exchange (Alpaca's
// DELETE /v2/orders). Tests call it right after a session ended so that no
// bracket leg fills after the trader's last look: the store and the
// exchange then stay comparable. keyID and secret may be empty.
func (x *Exchange) CancelAllOrders(keyID, secret string) error {
	req, err := http.NewRequest(http.MethodDelete, x.URL+"/v2/orders", nil)
	if err != nil {
		return err
	}
	if keyID != "" {
		req.Header.Set("APCA-API-KEY-ID", keyID)
		req.Header.Set("APCA-API-SECRET-KEY", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cancel all orders: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("cancel all orders: HTTP %d: %s", resp.StatusCode, msg)
	}
	return nil
}
