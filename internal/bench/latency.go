package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gambler-trader/gambler/internal/orders"
)

// latencySpeed and latencySettle are the defaults of `gambler trade`: the
// in-process exchange runs market time 60 times faster than the wall
// clock, and a bar is scanned 3 s of market time after its close.
const (
	latencySpeed  = 60
	latencySettle = 3 * time.Second
	latencyBar    = 5 * time.Minute
)

// latencyResult is the signal-to-order figure: wall time from a bar's
// close plus the settle delay to the entry's arrival at the exchange.
type latencyResult struct {
	symbols, bars int
	all           []time.Duration
}

// latency trades LatencySymbols symbols on the defaults (5Min bars, an
// exchange at speed 60) with thresholds every bar meets and exits so close
// that positions close within their bar, so that every bar sends an entry
// for nearly every symbol. The exchange stamps each order with its market
// time of arrival; at a known speed that is the wall time too.
func (r *runner) latency(ctx context.Context) error {
	wld, err := newWorld(ctx, r.cfg.AdminURL, "gambler_bench_latency", latencySpeed)
	if err != nil {
		return err
	}
	defer wld.close(ctx)
	syms := make([]string, r.cfg.LatencySymbols)
	for i := range syms {
		syms[i] = symbol(i)
	}
	w := &tickWatcher{c: wld.ctr, seen: make(chan struct{}, 1), message: "scan"}
	defer func() {
		if path := os.Getenv("GAMBLER_BENCH_LATENCY_LOG"); path != "" {
			w.mu.Lock()
			_ = os.WriteFile(path, w.log.Bytes(), 0o600)
			w.mu.Unlock()
		}
	}()
	// Market time runs 60x: a bar closes every 5 s of wall time.
	if err := runTrader(ctx, w, r.cfg.LatencyBars+1, time.Duration(r.cfg.LatencyBars+4)*latencyBar/latencySpeed*3,
		"trade", "--database-url", wld.db.URL, "--exchange-url", wld.srv.URL,
		"--log-format", "json", "--symbols", strings.Join(syms, ","), "--duration", "0",
		"--min-price-change-pct", "0.0001", "--min-volume-ratio", "0.0001",
		"--take-profit-pct", "0.01", "--stop-loss-pct", "0.01", "--position-size", "1000"); err != nil {
		return err
	}
	res, err := entryLatencies(wld.srv.URL)
	if err != nil {
		return err
	}
	res.symbols, res.bars = len(syms), r.cfg.LatencyBars
	r.report.latency = res
	return nil
}

// entryLatencies reads every order from the exchange's admin API and
// measures each entry from its bar's close plus the settle delay.
func entryLatencies(base string) (*latencyResult, error) {
	resp, err := http.Get(base + "/sim/v1/orders")
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer resp.Body.Close()
	var all []struct {
		ClientOrderID string    `json:"client_order_id"`
		CreatedAt     time.Time `json:"created_at"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return nil, fmt.Errorf("decode orders: %w", err)
	}
	res := &latencyResult{}
	for _, o := range all {
		// The session's prefix is "g", 32 hex digits and "-"; legs have ids
		// of the exchange's own.
		id := o.ClientOrderID
		if len(id) < 35 || id[0] != 'g' || id[33] != '-' {
			continue
		}
		prefix := id[1:33]
		sid := prefix[:8] + "-" + prefix[8:12] + "-" + prefix[12:16] + "-" + prefix[16:20] + "-" + prefix[20:]
		if _, bar, ok := orders.EntryBar(sid, o.ClientOrderID); ok {
			market := o.CreatedAt.Sub(bar.Add(latencyBar + latencySettle))
			res.all = append(res.all, market/latencySpeed)
		}
	}
	if len(res.all) == 0 {
		return nil, fmt.Errorf("no entries among %d orders", len(all))
	}
	return res, nil
}
