package pnl_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func nd(s string) decimal.NullDecimal {
	if s == "" {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(d(s))
}

func open(sym, side, qty, entry string) db.Position {
	return db.Position{Symbol: sym, Side: side, Qty: d(qty), EntryPrice: d(entry), Status: db.PositionActive}
}

func closed(sym, pnl string) db.Position {
	return db.Position{Symbol: sym, Side: "buy", Qty: d("1"), EntryPrice: d("1"), Status: db.PositionClosed, PnL: nd(pnl)}
}

func TestCompute(t *testing.T) {
	cases := []struct {
		name      string
		capital   string
		positions []db.Position
		prices    map[string]string
		stale     bool

		realized, unrealized, pnl, equity, pct string
		unpriced                               string
		closedWithoutPnL                       int
	}{
		{name: "no positions: exactly the capital", capital: "25000",
			realized: "0", unrealized: "0", pnl: "0", equity: "25000", pct: "0"},
		{name: "closed positions add their pnl", capital: "10000",
			positions: []db.Position{closed("AAPL", "60"), closed("MSFT", "-50.25"), closed("AAPL", "0.0125")},
			realized:  "9.7625", unrealized: "0", pnl: "9.7625", equity: "10009.7625", pct: "0.0976"},
		{name: "a close without a fill price adds nothing and is counted", capital: "10000",
			positions: []db.Position{closed("AAPL", "60"), closed("MSFT", "")},
			realized:  "60", unrealized: "0", pnl: "60", equity: "10060", pct: "0.6", closedWithoutPnL: 1},
		{name: "a long gains when its price rises", capital: "1000",
			positions: []db.Position{open("AAPL", "buy", "10", "150")}, prices: map[string]string{"AAPL": "151.2345"},
			realized: "0", unrealized: "12.345", pnl: "12.345", equity: "1012.345", pct: "1.2345"},
		{name: "a short gains when its price falls", capital: "1000",
			positions: []db.Position{open("TSLA", "sell", "2", "200")}, prices: map[string]string{"TSLA": "190"},
			realized: "0", unrealized: "20", pnl: "20", equity: "1020", pct: "2"},
		{name: "realized and unrealized together; other symbols' prices ignored", capital: "100000",
			positions: []db.Position{closed("AAPL", "60"), open("MSFT", "buy", "5", "400"), closed("MSFT", "-50")},
			prices:    map[string]string{"MSFT": "390", "NVDA": "1"},
			realized:  "10", unrealized: "-50", pnl: "-40", equity: "99960", pct: "-0.04"},
		{name: "stale prices are used and marked", capital: "1000", stale: true,
			positions: []db.Position{open("AAPL", "buy", "1", "100")}, prices: map[string]string{"AAPL": "101"},
			realized: "0", unrealized: "1", pnl: "1", equity: "1001", pct: "0.1"},
		{name: "a held symbol without a price is listed, not valued", capital: "1000",
			positions: []db.Position{open("AAPL", "buy", "1", "100"), open("MSFT", "buy", "1", "100")},
			prices:    map[string]string{"AAPL": "103"},
			realized:  "0", unrealized: "3", pnl: "3", equity: "1003", pct: "0.3", unpriced: "MSFT"},
		{name: "no capital: pnl without equity or percent", capital: "",
			positions: []db.Position{closed("AAPL", "5")},
			realized:  "5", unrealized: "0", pnl: "5", equity: "", pct: ""},
		{name: "zero capital: equity without percent", capital: "0",
			positions: []db.Position{closed("AAPL", "-5")},
			realized:  "-5", unrealized: "0", pnl: "-5", equity: "-5", pct: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prices := pnl.Prices{BySymbol: map[string]decimal.Decimal{}, Stale: c.stale}
			for sym, px := range c.prices {
				prices.BySymbol[sym] = d(px)
			}
			f := pnl.Compute(nd(c.capital), c.positions, prices)
			eq := func(what string, got decimal.Decimal, want string) {
				t.Helper()
				if !got.Equal(d(want)) {
					t.Errorf("%s = %s, want %s", what, got, want)
				}
			}
			eqNull := func(what string, got decimal.NullDecimal, want string) {
				t.Helper()
				if got.Valid != (want != "") || (got.Valid && !got.Decimal.Equal(d(want))) {
					t.Errorf("%s = %v, want %q", what, got, want)
				}
			}
			eq("realized", f.Realized, c.realized)
			eq("unrealized", f.Unrealized, c.unrealized)
			eq("pnl", f.PnL, c.pnl)
			eqNull("equity", f.Equity, c.equity)
			eqNull("pnl pct", f.PnLPct, c.pct)
			if got := strings.Join(f.Unpriced, ","); got != c.unpriced {
				t.Errorf("unpriced = %q, want %q", got, c.unpriced)
			}
			if f.Priced() != (c.unpriced == "") {
				t.Errorf("Priced() = %v with unpriced %q", f.Priced(), c.unpriced)
			}
			if f.PriceStale != c.stale {
				t.Errorf("stale = %v, want %v", f.PriceStale, c.stale)
			}
			if f.ClosedWithoutPnL != c.closedWithoutPnL {
				t.Errorf("closed without pnl = %d, want %d", f.ClosedWithoutPnL, c.closedWithoutPnL)
			}
			nOpen := 0
			for _, p := range c.positions {
				if p.Status == db.PositionActive {
					nOpen++
				}
			}
			if len(f.Open) != nOpen || f.Closed != len(c.positions)-nOpen {
				t.Errorf("%d open and %d closed, want %d and %d", len(f.Open), f.Closed, nOpen, len(c.positions)-nOpen)
			}
		})
	}
}

// TestOpenPositionsCarryTheirValue: each open position has its own price
// and unrealized P&L, which add up to the total.
func TestOpenPositionsCarryTheirValue(t *testing.T) {
	f := pnl.Compute(nd("1000"), []db.Position{open("AAPL", "buy", "3", "10"), open("MSFT", "sell", "2", "50")},
		pnl.Prices{BySymbol: map[string]decimal.Decimal{"AAPL": d("12"), "MSFT": d("51.5")}})
	want := map[string]string{"AAPL": "6", "MSFT": "-3"}
	sum := decimal.Zero
	for _, o := range f.Open {
		if !o.Unrealized.Valid || !o.Unrealized.Decimal.Equal(d(want[o.Position.Symbol])) {
			t.Errorf("%s unrealized %v, want %s", o.Position.Symbol, o.Unrealized, want[o.Position.Symbol])
		}
		sum = sum.Add(o.Unrealized.Decimal)
	}
	if !sum.Equal(f.Unrealized) {
		t.Errorf("positions add up to %s, total says %s", sum, f.Unrealized)
	}
}

func TestCapital(t *testing.T) {
	cases := []struct{ allocated, initial, want string }{
		{"25000", "100000", "25000"}, // --capital wins
		{"", "100000", "100000"},     // else the account value at start
		{"", "", ""},
	}
	for _, c := range cases {
		got := pnl.Capital(db.Session{AllocatedCapital: nd(c.allocated), InitialPortfolioValue: nd(c.initial)})
		if got.Valid != (c.want != "") || (got.Valid && !got.Decimal.Equal(d(c.want))) {
			t.Errorf("Capital(allocated %q, initial %q) = %v, want %q", c.allocated, c.initial, got, c.want)
		}
	}
}
