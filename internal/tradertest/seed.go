package tradertest

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/orders"
)

// SeedBroker is what seeding needs from the broker.
type SeedBroker interface {
	broker.OrderLister
	PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error)
}

// SeedStore is what seeding needs from the store.
type SeedStore interface {
	InsertOrder(ctx context.Context, o db.Order) (int64, error)
	OpenPosition(ctx context.Context, p db.Position) (int64, error)
}

// SeedSymbol is the i-th seeded symbol: "P" and three letters, 17,576 in
// all, none of them the defaults' AAPL or MSFT.
func SeedSymbol(i int) string {
	return string([]byte{'P', byte('A' + i/676%26), byte('A' + i/26%26), byte('A' + i%26)})
}

// SeedPositions opens n one-share long positions of session sid at the
// broker, each by a market bracket whose legs rest far from the price,
// and writes what the session's trader would have written: the entry and
// its legs in the journal and the active position. advance runs after
// each order: paging needs submission times spread over more than one
// second per page (Alpaca's after is read to the second). The store is
// written only once every order is placed, so a trader running meanwhile
// never sees a journaled fill without its position.
func SeedPositions(ctx context.Context, b SeedBroker, s SeedStore, sid string, n int, advance func()) error {
	dec := decimal.RequireFromString
	for i := range n {
		_, err := b.PlaceOrder(ctx, broker.OrderRequest{ClientOrderID: fmt.Sprintf("%s%d", orders.Prefix(sid), 1_000_000+i),
			Symbol: SeedSymbol(i), Side: broker.Buy, Type: broker.Market, OrderClass: broker.Bracket, Qty: dec("1"),
			TakeProfitLimit: decimal.NewNullDecimal(dec("1000000")), StopLossStop: decimal.NewNullDecimal(dec("0.01"))})
		if err != nil {
			return fmt.Errorf("place entry %d: %w", i, err)
		}
		advance()
	}
	placed, err := broker.AllOrders(ctx, b, broker.ListOrders{Status: "all", Nested: true})
	if err != nil {
		return fmt.Errorf("list the seeded orders: %w", err)
	}
	for _, o := range placed {
		if err := seedOne(ctx, s, sid, o); err != nil {
			return err
		}
	}
	return nil
}

// seedOne journals a filled bracket entry and its legs and opens its
// position; anything else at the broker is left alone.
func seedOne(ctx context.Context, s SeedStore, sid string, o broker.Order) error {
	if o.Status != broker.StatusFilled || o.OrderClass != broker.Bracket || orders.SeqOf(sid, o.ClientOrderID) == 0 {
		return nil
	}
	at := o.FilledAt
	if at.IsZero() {
		at = o.SubmittedAt
	}
	p := db.Position{SessionID: sid, Symbol: o.Symbol, EntryTime: at, EntryPrice: o.FilledAvgPrice.Decimal, Qty: o.FilledQty,
		Direction: db.DirectionUp, Side: string(o.Side), OrderID: o.ID, Status: db.PositionActive, EntryClientOrderID: o.ClientOrderID}
	rows := []db.Order{orders.RowOf(sid, o, "", orders.PurposeEntry, at)}
	for _, l := range o.Legs {
		rows = append(rows, orders.RowOf(sid, l, o.ClientOrderID, orders.PurposeExit, at))
		switch {
		case l.Type == broker.Limit:
			p.TakeProfit = l.LimitPrice
		case l.StopPrice.Valid:
			p.StopLoss = l.StopPrice
		}
	}
	if _, err := s.OpenPosition(ctx, p); err != nil {
		return fmt.Errorf("open the position of %s: %w", o.ClientOrderID, err)
	}
	for _, r := range rows {
		if _, err := s.InsertOrder(ctx, r); err != nil {
			return fmt.Errorf("journal %s: %w", r.ClientOrderID, err)
		}
	}
	return nil
}

// SeedEvery is an advance for SeedPositions on a fake clock: a second of
// market time every 10 orders. Each advance makes the exchange walk the
// price paths of every symbol with resting orders, so advancing after each
// order would make seeding quadratic ten times over.
func (w *World) SeedEvery() func() {
	n := 0
	return func() {
		if n++; n%10 == 0 {
			w.Clock.Advance(time.Second)
		}
	}
}
