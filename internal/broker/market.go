package broker

import (
	"context"
	"strings"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"
)

// Trade is the latest trade of a symbol: what orders are priced from.
type Trade struct {
	Price     decimal.Decimal
	Timestamp time.Time
}

// LatestTrades returns the latest trade of each symbol in one request.
// Symbols without a trade are absent from the map.
func (c *Client) LatestTrades(ctx context.Context, symbols []string) (map[string]Trade, error) {
	if len(symbols) == 0 {
		return map[string]Trade{}, nil
	}
	var raw map[string]marketdata.Trade
	err := c.read(ctx, "latest trades", func(cl clients) (err error) {
		raw, err = cl.data.GetLatestTrades(symbols, marketdata.GetLatestTradeRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Trade, len(raw))
	for sym, t := range raw {
		out[sym] = Trade{Price: decimal.NewFromFloat(t.Price), Timestamp: t.Timestamp.UTC()}
	}
	return out, nil
}

// Asset is what the trader needs to know about a symbol before trading it.
type Asset struct {
	Symbol    string
	Status    string // active or inactive
	Tradable  bool
	Shortable bool
}

// Asset returns the asset of symbol, or an error matching ErrNotFound when
// the broker does not know it.
func (c *Client) Asset(ctx context.Context, symbol string) (Asset, error) {
	get := func(t *alpaca.Client) (*alpaca.Asset, error) { return t.GetAsset(symbol) }
	return fetchOne(ctx, c, "asset "+symbol, get, func(a *alpaca.Asset) Asset {
		return Asset{Symbol: a.Symbol, Status: string(a.Status), Tradable: a.Tradable && strings.EqualFold(string(a.Status), "active"),
			Shortable: a.Shortable && a.EasyToBorrow}
	})
}
