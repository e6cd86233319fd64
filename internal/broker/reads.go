package broker

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
)

// Account returns the account summary.
func (c *Client) Account(ctx context.Context) (Account, error) {
	return fetchOne(ctx, c, "account", (*alpaca.Client).GetAccount, fromAccount)
}

// Clock returns the market clock.
func (c *Client) Clock(ctx context.Context) (Clock, error) {
	return fetchOne(ctx, c, "clock", (*alpaca.Client).GetClock, fromClock)
}

// fetchOne runs a single-object read of the trading API with retries and
// converts the result.
func fetchOne[T, R any](ctx context.Context, c *Client, op string, get func(*alpaca.Client) (*T, error), conv func(*T) R) (R, error) {
	var v *T
	err := c.read(ctx, op, func(cl clients) (err error) {
		v, err = get(cl.trading)
		return err
	})
	if err != nil {
		var zero R
		return zero, err
	}
	return conv(v), nil
}

// Bars fetches bars for all symbols in one multi-symbol request (the
// official client follows next_page_token). timeframe is Alpaca's notation:
// "1Min", "5Min", "1Hour", "1Day". When limit > 0 only the latest limit bars
// of each symbol are kept: Alpaca's own limit counts bars across all symbols
// of a page, so it cannot express "N per symbol". Symbols with no bars are
// absent from the map. start should reach back far enough to hold limit
// bars (market hours leave gaps); a zero start means Alpaca's default (the
// start of the current day).
func (c *Client) Bars(ctx context.Context, symbols []string, timeframe string, start, end time.Time, limit int) (map[string][]Bar, error) {
	tf, err := parseTimeFrame(timeframe)
	if err != nil {
		return nil, err
	}
	if len(symbols) == 0 {
		return map[string][]Bar{}, nil
	}
	var raw map[string][]marketdata.Bar
	err = c.read(ctx, "bars", func(cl clients) (err error) {
		raw, err = cl.data.GetMultiBars(symbols, marketdata.GetBarsRequest{TimeFrame: tf, Start: start, End: end, PageLimit: maxBarsPage})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Bar, len(raw))
	for sym, bars := range raw {
		if limit > 0 && len(bars) > limit {
			bars = bars[len(bars)-limit:]
		}
		conv := make([]Bar, 0, len(bars))
		for _, b := range bars {
			conv = append(conv, fromBar(b))
		}
		out[sym] = conv
	}
	return out, nil
}

// CheckTimeFrame reports whether s is a timeframe Bars accepts, for
// validating configuration early.
func CheckTimeFrame(s string) error {
	_, err := parseTimeFrame(s)
	return err
}

// parseTimeFrame parses Alpaca's timeframe notation such as "5Min" or "1Hour".
func parseTimeFrame(s string) (marketdata.TimeFrame, error) {
	units := []marketdata.TimeFrameUnit{marketdata.Min, marketdata.Hour, marketdata.Day, marketdata.Week, marketdata.Month}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, string(u))
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 {
			break
		}
		return marketdata.NewTimeFrame(n, u), nil
	}
	return marketdata.TimeFrame{}, fmt.Errorf("broker: invalid timeframe %q (want e.g. 1Min, 5Min, 1Hour, 1Day)", s)
}

// Positions lists open positions.
func (c *Client) Positions(ctx context.Context) ([]Position, error) {
	var ps []alpaca.Position
	err := c.read(ctx, "positions", func(cl clients) (err error) {
		ps, err = cl.trading.GetPositions()
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Position, 0, len(ps))
	for _, p := range ps {
		out = append(out, fromPosition(p))
	}
	return out, nil
}

// Position returns the open position in symbol, or an error matching
// ErrNotFound when there is none.
func (c *Client) Position(ctx context.Context, symbol string) (Position, error) {
	get := func(t *alpaca.Client) (*alpaca.Position, error) { return t.GetPosition(symbol) }
	return fetchOne(ctx, c, "position "+symbol, get, func(p *alpaca.Position) Position { return fromPosition(*p) })
}

// Order returns an order by broker id (ErrNotFound when unknown).
func (c *Client) Order(ctx context.Context, id string) (Order, error) {
	get := func(t *alpaca.Client) (*alpaca.Order, error) { return t.GetOrder(id) }
	return fetchOne(ctx, c, "order "+id, get, fromOrder)
}

// OrderByClientID returns an order by client_order_id (ErrNotFound when
// unknown).
func (c *Client) OrderByClientID(ctx context.Context, clientOrderID string) (Order, error) {
	get := func(t *alpaca.Client) (*alpaca.Order, error) { return t.GetOrderByClientOrderID(clientOrderID) }
	return fetchOne(ctx, c, "order by client id "+clientOrderID, get, fromOrder)
}

// maxBarsPage is Alpaca's largest bars page: a 500-symbol tick takes 4
// pages instead of 36, which matters under a 200 requests/minute budget.
const maxBarsPage = 10000

// Orders lists orders.
func (c *Client) Orders(ctx context.Context, q ListOrders) ([]Order, error) {
	status := q.Status
	if status == "" {
		status = "open"
	}
	if !slices.Contains([]string{"open", "closed", "all"}, status) {
		return nil, fmt.Errorf("broker: invalid order status filter %q", q.Status)
	}
	if !slices.Contains([]string{"", "asc", "desc"}, q.Direction) {
		return nil, fmt.Errorf("broker: invalid order direction %q", q.Direction)
	}
	req := alpaca.GetOrdersRequest{
		Status: status, Limit: q.Limit, After: q.After, Until: q.Until,
		Nested: q.Nested, Symbols: q.Symbols, Direction: q.Direction,
	}
	var os []alpaca.Order
	err := c.read(ctx, "orders", func(cl clients) (err error) {
		os, err = cl.trading.GetOrders(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return fromOrders(os), nil
}
