package db_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// marshalSnapshot is how positions_snapshot was first rendered: through
// encoding/json and a map keyed by symbol. Stored checksums were computed
// over its bytes, so PositionsSnapshot must reproduce them exactly.
func marshalSnapshot(t testing.TB, positions []db.Position) []byte {
	t.Helper()
	m := make(map[string]db.SnapshotPosition, len(positions))
	for _, p := range positions {
		sp := db.SnapshotPosition{
			ID: p.ID, Symbol: p.Symbol, EntryTime: p.EntryTime.UTC().Format(time.RFC3339Nano),
			EntryPrice: json.Number(p.EntryPrice.String()), Qty: json.Number(p.Qty.String()),
			Direction: p.Direction, Side: p.Side, Status: p.Status,
		}
		if p.StopLoss.Valid {
			n := json.Number(p.StopLoss.Decimal.String())
			sp.StopLoss = &n
		}
		if p.TakeProfit.Valid {
			n := json.Number(p.TakeProfit.Decimal.String())
			sp.TakeProfit = &n
		}
		if p.OrderID != "" {
			id := p.OrderID
			sp.OrderID = &id
		}
		m[p.Symbol] = sp
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("reference encoding: %v", err)
	}
	return b
}

func pos(id int64, symbol string) db.Position {
	return db.Position{
		ID: id, Symbol: symbol, EntryTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		EntryPrice: decimal.RequireFromString("187.4321"), Qty: decimal.NewFromInt(10),
		Direction: db.DirectionUp, Side: "buy",
		StopLoss:   decimal.NewNullDecimal(decimal.RequireFromString("180.12")),
		TakeProfit: decimal.NewNullDecimal(decimal.RequireFromString("199.99")),
		OrderID:    "3f9c1e2a-0000-4000-8000-000000000001", Status: db.PositionActive,
	}
}

func TestPositionsSnapshotMatchesEncodingJSON(t *testing.T) {
	zone := time.FixedZone("EST", -5*3600)
	cases := map[string][]db.Position{
		"none":  nil,
		"empty": {},
		"one":   {pos(1, "AAPL")},
		"unsorted and repeated symbols (last wins)": {pos(3, "MSFT"), pos(1, "AAPL"), pos(7, "MSFT"),
			pos(2, "AAPL"), pos(9, "A"), pos(4, "aapl")},
		"no stops, no order id, short": func() []db.Position {
			p := pos(5, "TSLA")
			p.StopLoss, p.TakeProfit, p.OrderID = decimal.NullDecimal{}, decimal.NullDecimal{}, ""
			p.Direction, p.Side, p.Qty = db.DirectionDown, "sell", decimal.RequireFromString("-3.5")
			return []db.Position{p}
		}(),
		"odd decimals and times": func() []db.Position {
			p := pos(-1, "BRK.B")
			p.EntryPrice = decimal.New(1, -20)
			p.Qty = decimal.New(123, 30)
			p.StopLoss = decimal.NewNullDecimal(decimal.Zero)
			p.TakeProfit = decimal.NewNullDecimal(decimal.RequireFromString("-0.000100"))
			p.EntryTime = time.Date(2026, 7, 8, 9, 10, 11, 123456789, zone)
			q := pos(1<<62, "ZZZZ")
			q.EntryPrice = decimal.New(-999999999999999999, -18)
			q.Qty = decimal.New(1, -64)
			q.StopLoss = decimal.NewNullDecimal(decimal.New(-1, -65))
			q.EntryTime = time.Time{}
			return []db.Position{p, q}
		}(),
		"strings that need escaping": func() []db.Position {
			p := pos(2, "A<B>&\"C\\D\n\t\r\b\f\x01\x1f\x7f")
			p.OrderID = "ünï\u2028cødé\u2029 \xff\xfe bad utf8 \xe2\x82"
			p.Status, p.Direction, p.Side = "<script>", "UP/é", "日本"
			return []db.Position{p, pos(3, "€"), pos(4, "\U0001F600")}
		}(),
	}
	for name, ps := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := db.PositionsSnapshot(ps)
			if err != nil {
				t.Fatal(err)
			}
			if want := marshalSnapshot(t, ps); !bytes.Equal(got, want) {
				t.Errorf("PositionsSnapshot =\n%s\nencoding/json wrote\n%s", got, want)
			}
		})
	}
}

// TestPositionsSnapshotRandom compares many generated position sets, with
// random bytes in every string field, against encoding/json.
func TestPositionsSnapshotRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []string{"A", "Z", "a", "0", "<", "&", "\"", "\\", "\n", "\x00", "é", "\u2028", "\xff", "日", " "}
	randString := func() string {
		var b []byte
		for range rng.IntN(6) {
			b = append(b, alphabet[rng.IntN(len(alphabet))]...)
		}
		return string(b)
	}
	for i := range 300 {
		ps := make([]db.Position, rng.IntN(8))
		for j := range ps {
			p := pos(rng.Int64N(1000)-500, randString())
			p.OrderID, p.Status, p.Side, p.Direction = randString(), randString(), randString(), randString()
			p.EntryPrice = decimal.New(rng.Int64N(2_000_000)-1_000_000, int32(rng.IntN(12)-6))
			if rng.IntN(5) == 0 { // beyond int64 coefficients and ordinary scales
				p.EntryPrice = decimal.New(rng.Int64(), int32(rng.IntN(140)-70)).Mul(decimal.New(rng.Int64()-rng.Int64(), 0))
			}
			p.Qty = decimal.New(rng.Int64N(1000), int32(rng.IntN(4)-2))
			if rng.IntN(3) == 0 {
				p.StopLoss = decimal.NullDecimal{}
			}
			if rng.IntN(3) == 0 {
				p.TakeProfit = decimal.NewNullDecimal(decimal.New(rng.Int64N(1e9), -4))
			}
			p.EntryTime = time.Unix(rng.Int64N(4e9), rng.Int64N(1e9))
			ps[j] = p
		}
		got, err := db.PositionsSnapshot(ps)
		if err != nil {
			t.Fatal(err)
		}
		if want := marshalSnapshot(t, ps); !bytes.Equal(got, want) {
			t.Fatalf("set %d: PositionsSnapshot =\n%q\nencoding/json wrote\n%q", i, got, want)
		}
	}
}

func benchPositions(n int) []db.Position {
	ps := make([]db.Position, n)
	for i := range ps {
		ps[i] = pos(int64(i+1), fmt.Sprintf("SYM%04d", i))
	}
	return ps
}

func BenchmarkPositionsSnapshot(b *testing.B) {
	for _, n := range []int{10, 1000} {
		ps := benchPositions(n)
		b.Run(fmt.Sprintf("positions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.PositionsSnapshot(ps); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("encoding-json/positions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				marshalSnapshot(b, ps)
			}
		})
	}
}
