package broker

import (
	"context"
	"fmt"
	"time"
)

// MaxOrdersPage is Alpaca's largest page of GET /v2/orders.
const MaxOrdersPage = 500

// OrderLister is the one call AllOrders needs: the adapter, or any wrapper
// of it (budgets, counters, fakes).
type OrderLister interface {
	Orders(ctx context.Context, q ListOrders) ([]Order, error)
}

// AllOrders returns every order q selects, oldest first, by paging through
// the list: a caller holding thousands of orders makes one request per
// MaxOrdersPage orders instead of one per order the first page missed.
// q's Direction and Limit are overridden; its After is where paging starts.
//
// Alpaca has no page token for orders, so each page starts after the
// newest submission time of the last one. After is exclusive and the
// official client sends it to the second, so the next page starts just
// before that time and repeats the orders of its last second; they are
// dropped by id. Paging ends at a short page, or at a full page with
// nothing new: more than a page of orders submitted within one second
// cannot be paged past, and the caller then finds the rest missing from
// the list, as it would find an order outside q's window.
func AllOrders(ctx context.Context, l OrderLister, q ListOrders) ([]Order, error) {
	q.Direction, q.Limit = "asc", MaxOrdersPage
	seen := map[string]bool{}
	var out []Order
	for pages := 1; ; pages++ {
		page, err := l.Orders(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("orders page %d (after %s): %w", pages, q.After.Format(time.RFC3339), err)
		}
		fresh := 0
		var newest time.Time
		for _, o := range page {
			newest = later(newest, submitted(o))
			if seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			out = append(out, o)
			fresh++
		}
		if len(page) < q.Limit || fresh == 0 {
			return out, nil
		}
		q.After = newest.Add(-time.Nanosecond)
	}
}

// submitted is the time Alpaca sorts and filters the list by; an order
// that was never submitted (a held leg) falls back to its creation.
func submitted(o Order) time.Time {
	if o.SubmittedAt.IsZero() {
		return o.CreatedAt
	}
	return o.SubmittedAt
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
