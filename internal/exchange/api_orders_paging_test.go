package exchange_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// TestListOrdersPagingSemantics pins what broker.AllOrders relies on, as
// Alpaca documents it: direction sorts by submission time, after and until
// are exclusive bounds on it, limit cuts the page, and nested lists a
// bracket once, with its legs under it.
func TestListOrdersPagingSemantics(t *testing.T) {
	f := newFixture(t, exchange.Config{})
	var ids []string
	var at []time.Time
	for range 5 {
		o := f.place(t, bracketBuy("AAPL", "1", "100000", "0.5"))
		ids, at = append(ids, o.ID), append(at, o.SubmittedAt)
		f.clk.Advance(time.Second)
	}
	list := func(q url.Values) []string {
		t.Helper()
		q.Set("status", "all")
		q.Set("nested", "true")
		var got []struct {
			ID   string `json:"id"`
			Legs []struct {
				ID string `json:"id"`
			} `json:"legs"`
		}
		getJSON(t, f.url+"/v2/orders?"+q.Encode(), &got)
		out := []string{}
		for _, o := range got {
			if len(o.Legs) != 2 {
				t.Errorf("%s: order %s has %d legs nested, want 2", q.Encode(), o.ID, len(o.Legs))
			}
			out = append(out, o.ID)
		}
		return out
	}
	sec := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for name, c := range map[string]struct {
		q    url.Values
		want []string
	}{
		"asc, first page":          {url.Values{"direction": {"asc"}, "limit": {"2"}}, ids[:2]},
		"asc, after is exclusive":  {url.Values{"direction": {"asc"}, "limit": {"2"}, "after": {sec(at[1])}}, ids[2:4]},
		"asc, a second before":     {url.Values{"direction": {"asc"}, "limit": {"2"}, "after": {sec(at[1].Add(-time.Second))}}, ids[1:3]},
		"asc, until is exclusive":  {url.Values{"direction": {"asc"}, "until": {sec(at[2])}}, ids[:2]},
		"desc by default":          {url.Values{"limit": {"2"}}, []string{ids[4], ids[3]}},
		"asc, past the last order": {url.Values{"direction": {"asc"}, "after": {sec(at[4])}}, []string{}},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}
