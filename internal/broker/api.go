// Package broker is the trader's view of a broker: a narrow API with
// decimal money, and an Alpaca adapter that talks through the official
// client. The adapter owns retries (the official client's built-in retry is
// disabled because it re-sends POST requests with an empty body), rate
// limiting, per-call timeouts, the paper-only guard and idempotent order
// placement by client_order_id.
package broker

import (
	"context"
	"time"
)

// API is the full method set of the broker adapter. Consumers usually
// declare the smaller subset they use; this one exists for fakes that want
// to stand in for the whole adapter.
type API interface {
	Account(ctx context.Context) (Account, error)
	Clock(ctx context.Context) (Clock, error)
	Bars(ctx context.Context, symbols []string, timeframe string, start, end time.Time, limit int) (map[string][]Bar, error)
	LatestTrades(ctx context.Context, symbols []string) (map[string]Trade, error)
	Asset(ctx context.Context, symbol string) (Asset, error)
	Positions(ctx context.Context) ([]Position, error)
	Position(ctx context.Context, symbol string) (Position, error)
	PlaceOrder(ctx context.Context, req OrderRequest) (Order, error)
	Order(ctx context.Context, id string) (Order, error)
	OrderByClientID(ctx context.Context, clientOrderID string) (Order, error)
	Orders(ctx context.Context, q ListOrders) ([]Order, error)
	CancelOrder(ctx context.Context, id string) error
	ClosePosition(ctx context.Context, symbol string, opts CloseOptions) (Order, error)
}

var _ API = (*Client)(nil)
