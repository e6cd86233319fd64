package trader

import (
	"context"
	"sync"
	"time"

	"github.com/gambler-trader/gambler/internal/broker"
)

// budgeted is the broker as the trader calls it: once a shutdown is asked
// for, every call, in flight or new, is cut off when the shutdown budget
// runs out. A broker that hangs then costs the shutdown the budget and no
// more, and the store writes that follow (the final checkpoint, the
// session's end) run on their own contexts, whatever the broker did.
type budgeted struct {
	b Broker

	once     sync.Once
	shutdown chan struct{}   // closed when the budget starts
	cut      context.Context // cancelled when the budget runs out; set before shutdown closes
	// release frees the budget's timer once the trader has finished.
	release context.CancelFunc
}

func newBudgeted(b Broker) *budgeted { return &budgeted{b: b, shutdown: make(chan struct{})} }

// start begins the shutdown budget; later calls change nothing. The
// budget is wall time: it bounds how long the process waits on the
// network, which no simulated clock speeds up.
func (g *budgeted) start(budget time.Duration) {
	g.once.Do(func() {
		g.cut, g.release = context.WithTimeout(context.Background(), budget)
		close(g.shutdown)
	})
}

// exhausted reports whether the budget has run out.
func (g *budgeted) exhausted() bool {
	select {
	case <-g.shutdown:
		return g.cut.Err() != nil
	default:
		return false
	}
}

// bound returns ctx cut off at the end of the budget. The budget may start
// while a call is in flight; that call is cut off too.
func (g *budgeted) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	go func() {
		select {
		case <-g.shutdown:
		case <-stop:
			return
		}
		select {
		case <-g.cut.Done():
			cancel()
		case <-stop:
		}
	}()
	return ctx, func() { close(stop); cancel() }
}

func call[T any](g *budgeted, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := g.bound(ctx)
	defer cancel()
	return fn(ctx)
}

func (g *budgeted) Account(ctx context.Context) (broker.Account, error) {
	return call(g, ctx, g.b.Account)
}

func (g *budgeted) Clock(ctx context.Context) (broker.Clock, error) { return call(g, ctx, g.b.Clock) }

func (g *budgeted) Bars(ctx context.Context, symbols []string, tf string, start, end time.Time, limit int) (map[string][]broker.Bar, error) {
	return call(g, ctx, func(ctx context.Context) (map[string][]broker.Bar, error) {
		return g.b.Bars(ctx, symbols, tf, start, end, limit)
	})
}

func (g *budgeted) LatestTrades(ctx context.Context, symbols []string) (map[string]broker.Trade, error) {
	return call(g, ctx, func(ctx context.Context) (map[string]broker.Trade, error) { return g.b.LatestTrades(ctx, symbols) })
}

func (g *budgeted) Asset(ctx context.Context, symbol string) (broker.Asset, error) {
	return call(g, ctx, func(ctx context.Context) (broker.Asset, error) { return g.b.Asset(ctx, symbol) })
}

func (g *budgeted) Order(ctx context.Context, id string) (broker.Order, error) {
	return call(g, ctx, func(ctx context.Context) (broker.Order, error) { return g.b.Order(ctx, id) })
}

func (g *budgeted) OrderByClientID(ctx context.Context, cid string) (broker.Order, error) {
	return call(g, ctx, func(ctx context.Context) (broker.Order, error) { return g.b.OrderByClientID(ctx, cid) })
}

func (g *budgeted) Orders(ctx context.Context, q broker.ListOrders) ([]broker.Order, error) {
	return call(g, ctx, func(ctx context.Context) ([]broker.Order, error) { return g.b.Orders(ctx, q) })
}

func (g *budgeted) Positions(ctx context.Context) ([]broker.Position, error) {
	return call(g, ctx, g.b.Positions)
}

func (g *budgeted) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	return call(g, ctx, func(ctx context.Context) (broker.Order, error) { return g.b.PlaceOrder(ctx, req) })
}

func (g *budgeted) CancelOrder(ctx context.Context, id string) error {
	_, err := call(g, ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, g.b.CancelOrder(ctx, id) })
	return err
}

func (g *budgeted) ClosePosition(ctx context.Context, symbol string, opts broker.CloseOptions) (broker.Order, error) {
	return call(g, ctx, func(ctx context.Context) (broker.Order, error) { return g.b.ClosePosition(ctx, symbol, opts) })
}
