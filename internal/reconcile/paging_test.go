package reconcile_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/reconcile"
)

// listingBroker holds brackets and answers GET /v2/orders as Alpaca does:
// after and until exclusive and read to the second, sorted by submission
// time, at most limit orders, legs under their parent when nested. It
// counts the requests.
type listingBroker struct {
	flakyBroker
	roots          []broker.Order
	lists, lookups int
}

func (b *listingBroker) Orders(_ context.Context, q broker.ListOrders) ([]broker.Order, error) {
	b.lists++
	var sel []broker.Order
	add := func(o broker.Order) {
		open := o.Status == broker.StatusNew || o.Status == broker.StatusHeld
		if (q.Status == "open" && !open) || (q.Status == "closed" && open) {
			return
		}
		after, until := q.After.Truncate(time.Second), q.Until.Truncate(time.Second)
		if (!q.After.IsZero() && !o.SubmittedAt.After(after)) || (!q.Until.IsZero() && !o.SubmittedAt.Before(until)) {
			return
		}
		sel = append(sel, o)
	}
	for _, r := range b.roots {
		if q.Nested {
			add(r)
			continue
		}
		flat := r
		flat.Legs = nil
		add(flat)
		for _, l := range r.Legs {
			add(l)
		}
	}
	slices.SortStableFunc(sel, func(a, b broker.Order) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	if q.Direction != "asc" {
		slices.Reverse(sel)
	}
	if q.Limit > 0 && len(sel) > q.Limit {
		sel = sel[:q.Limit]
	}
	return sel, nil
}

func (b *listingBroker) OrderByClientID(context.Context, string) (broker.Order, error) {
	b.lookups++
	return broker.Order{}, broker.ErrNotFound
}

// TestLoadPagesInsteadOfLookingUp: with 700 open positions, whose 1,400
// open exit legs are more than a page of either list, Load finds every
// journal order in the lists and looks none up one by one.
func TestLoadPagesInsteadOfLookingUp(t *testing.T) {
	const n = 700
	st := &recordingStore{}
	br := &listingBroker{}
	for i := range n {
		at := t0.Add(time.Duration(i) * 200 * time.Millisecond)
		sym := fmt.Sprintf("S%03d", i)
		entry := ours(fmt.Sprintf("%d", 3*i))
		p := longPos(int64(i+1), sym, "1", "100")
		p.EntryTime, p.EntryClientOrderID = at, entry
		st.positions = append(st.positions, p)
		root := broker.Order{ID: "b-" + entry, ClientOrderID: entry, Symbol: sym, Status: broker.StatusFilled,
			OrderClass: broker.Bracket, SubmittedAt: at, CreatedAt: at}
		st.orders = append(st.orders, db.Order{SessionID: sid, ClientOrderID: entry, Symbol: sym,
			Status: broker.StatusFilled, Purpose: "entry", CreatedAt: at})
		for k, status := range []string{broker.StatusNew, broker.StatusHeld} {
			cid := ours(fmt.Sprintf("%d", 3*i+1+k))
			root.Legs = append(root.Legs, broker.Order{ID: "b-" + cid, ClientOrderID: cid, Symbol: sym,
				Status: status, SubmittedAt: at, CreatedAt: at})
			st.orders = append(st.orders, db.Order{SessionID: sid, ClientOrderID: cid, ParentClientOrderID: entry,
				Symbol: sym, Status: status, Purpose: "exit", CreatedAt: at})
		}
		br.roots = append(br.roots, root)
	}
	r := &reconcile.Reconciler{Store: st, Broker: br, SessionID: sid, StopLossPct: d("2"), TakeProfitPct: d("4"),
		Now: func() time.Time { return t0.Add(time.Hour) }, Log: zerolog.Nop()}
	_, b, err := r.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if br.lookups != 0 {
		t.Errorf("%d orders looked up one by one, want none", br.lookups)
	}
	if len(b.Open) != 2*n || len(b.Recent) != n {
		t.Errorf("lists hold %d open and %d recent orders, want %d and %d", len(b.Open), len(b.Recent), 2*n, n)
	}
	// Open: 1,400 legs, 10 a second; each page after the first repeats
	// the last second of the one before: 3 pages. Recent: 700 roots, 2
	// pages. The broker holds no positions, so all 700 symbols drifted and
	// their closed orders (the 700 filled entries) take 2 more.
	if br.lists != 7 {
		t.Errorf("%d list requests, want O(pages): 7", br.lists)
	}
}
