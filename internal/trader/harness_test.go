package trader_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
	"github.com/gambler-trader/gambler/internal/strategy"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

// eager are thresholds so low that every bar signals.
func eager() *strategy.MomentumParams {
	p := strategy.DefaultMomentumParams()
	p.Timeframe = "1Min"
	p.MinPriceChangePct = decimal.RequireFromString("0.0001")
	p.MinVolumeRatio = decimal.RequireFromString("0.0001")
	return &p
}

// hourly are the default thresholds on hourly bars, for the real bars.
func hourly() *strategy.MomentumParams {
	p := strategy.DefaultMomentumParams()
	p.Timeframe = "1Hour"
	return &p
}

func journal(t *testing.T, w *tradertest.World, sid string) []db.Order {
	t.Helper()
	os, err := w.Store.SessionOrders(context.Background(), sid, false)
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func TestEntersOncePerBarAtTheClose(t *testing.T) {
	w := tradertest.New(t, tradertest.Options{Momentum: eager()})
	r := w.Start(tradertest.StartOptions{})
	sid := r.Session.ID
	r.For(10 * time.Minute)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	var entries []db.Order
	for _, o := range journal(t, w, sid) {
		if o.Purpose == orders.PurposeEntry {
			entries = append(entries, o)
		}
	}
	if len(entries) == 0 {
		t.Fatalf("no entries in 10 minutes with every bar signalling; log:\n%s", w.Log.Tail(40))
	}
	for _, o := range entries {
		sym, bar, ok := orders.EntryBar(sid, o.ClientOrderID)
		if !ok || sym != o.Symbol {
			t.Errorf("entry %s: id not derived from its bar", o.ClientOrderID)
		}
		t.Logf("%s %s bar %s created %s status %s", o.ClientOrderID, o.Symbol, bar, o.CreatedAt, o.Status)
	}
	t.Logf("scans: %d", len(w.Log.Messages("scan")))
}
