package broker

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

// MaxClientOrderIDLen is the longest client_order_id the project uses
// (docs/design.md, Rules 3; Alpaca itself allows 128).
const MaxClientOrderIDLen = 48

// PlaceOrder submits req exactly once at the broker, keyed by its
// ClientOrderID:
//   - a definite answer (success, or a 4xx other than 429) is returned as is;
//   - after an ambiguous failure (transport error, timeout, 5xx) the order is
//     looked up by client_order_id: found means it was accepted; 404 means it
//     was not, and the same request is sent again under the same id;
//   - a 422 "client_order_id must be unique" is answered by the lookup too, so
//     an earlier attempt that landed is returned rather than duplicated;
//   - a 429 is resent under the same id after backoff.
//
// The order is never sent under another id. When PlaceOrder cannot tell
// whether the broker holds the order, the error matches
// ErrOrderStateUnknown and the caller resolves it later with
// OrderByClientID. An id already used for a different order yields
// ErrDuplicateClientOrderID.
func (c *Client) PlaceOrder(ctx context.Context, req OrderRequest) (Order, error) {
	body, err := req.toAlpaca()
	if err != nil {
		return Order{}, err
	}
	id := req.ClientOrderID
	log := c.log.With().Str("client_order_id", id).Str("symbol", req.Symbol).Logger()
	ambiguous := false // an earlier send may have reached the broker
	for attempt := 0; ; attempt++ {
		var placed *alpaca.Order
		err := c.attempt(ctx, func(cl clients) (err error) {
			placed, err = cl.trading.PlaceOrder(body)
			return err
		})
		if err == nil {
			return fromOrder(placed), nil
		}
		var ae *APIError
		isAPI := errors.As(err, &ae)
		switch {
		case isAPI && ae.duplicateClientID():
			log.Info().Msg("broker reports duplicate client_order_id, looking the order up")
			o, found, lerr := c.lookupPlaced(ctx, req)
			switch {
			case errors.Is(lerr, ErrDuplicateClientOrderID):
				return Order{}, fmt.Errorf("broker place order %s: %w", id, lerr)
			case lerr != nil:
				return Order{}, fmt.Errorf("broker place order %s: %w: %w", id, ErrOrderStateUnknown, lerr)
			case !found:
				return Order{}, fmt.Errorf("broker place order %s: %w: %w", id, ErrDuplicateClientOrderID, err)
			}
			return o, nil
		case isAPI && ae.Status == http.StatusTooManyRequests:
			// Refused before processing: the same id may be sent again.
		case isAPI && ae.Status < 500:
			if ambiguous {
				return Order{}, fmt.Errorf("broker place order %s: %w: rejected after an ambiguous attempt: %w", id, ErrOrderStateUnknown, err)
			}
			return Order{}, fmt.Errorf("broker place order %s rejected: %w", id, err)
		default:
			ambiguous = true
			if ctx.Err() != nil {
				return Order{}, fmt.Errorf("broker place order %s: %w: %w", id, ErrOrderStateUnknown, errors.Join(ctx.Err(), err))
			}
			log.Warn().Str("error", err.Error()).Msg("order submission ambiguous, looking it up by client_order_id")
			o, found, lerr := c.lookupPlaced(ctx, req)
			if errors.Is(lerr, ErrDuplicateClientOrderID) {
				return Order{}, fmt.Errorf("broker place order %s: %w", id, lerr)
			}
			if lerr != nil {
				return Order{}, fmt.Errorf("broker place order %s: %w: %w", id, ErrOrderStateUnknown, errors.Join(err, lerr))
			}
			if found {
				return o, nil
			}
		}
		if attempt >= c.cfg.MaxRetries || ctx.Err() != nil {
			if ambiguous {
				return Order{}, fmt.Errorf("broker place order %s: %w after %d attempts: %w", id, ErrOrderStateUnknown, attempt+1, err)
			}
			return Order{}, fmt.Errorf("broker place order %s: not accepted after %d attempts: %w", id, attempt+1, err)
		}
		log.Warn().Int("attempt", attempt+1).Msg("resending order under the same client_order_id")
		if berr := c.backoff(ctx, attempt); berr != nil {
			return Order{}, fmt.Errorf("broker place order %s: %w: %w", id, ErrOrderStateUnknown, berr)
		}
	}
}

// lookupPlaced finds the order a PlaceOrder attempt may have created.
// found is false on a 404. An order under the id that is not this request
// (another symbol, side or quantity) is a client id collision.
func (c *Client) lookupPlaced(ctx context.Context, req OrderRequest) (Order, bool, error) {
	o, err := c.OrderByClientID(ctx, req.ClientOrderID)
	if errors.Is(err, ErrNotFound) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, err
	}
	if o.Symbol != req.Symbol || o.Side != req.Side || !o.Qty.Equal(req.Qty) {
		return Order{}, false, fmt.Errorf("%w: %s is held by %s %s %s, not this request",
			ErrDuplicateClientOrderID, req.ClientOrderID, o.Side, o.Qty, o.Symbol)
	}
	return o, true, nil
}

// CancelOrder requests cancellation of an open order (ErrNotFound when
// unknown). Cancelling is idempotent, so it is retried like a read.
func (c *Client) CancelOrder(ctx context.Context, id string) error {
	return c.read(ctx, "cancel order "+id, func(cl clients) error {
		return cl.trading.CancelOrder(id)
	})
}

// ClosePosition liquidates a position at market: opts.Qty shares, or
// opts.Percentage percent, or all of it when both are zero. A repeated close
// could liquidate twice, so only a 429 (refused before processing) is
// retried; any other failure is returned and the caller re-reads positions.
func (c *Client) ClosePosition(ctx context.Context, symbol string, opts CloseOptions) (Order, error) {
	if !opts.Qty.IsZero() && !opts.Percentage.IsZero() {
		return Order{}, errors.New("broker: close position takes a quantity or a percentage, not both")
	}
	if opts.Qty.IsNegative() || opts.Percentage.IsNegative() || opts.Percentage.GreaterThan(hundred) {
		return Order{}, fmt.Errorf("broker: invalid close of %s: qty %s, percentage %s", symbol, opts.Qty, opts.Percentage)
	}
	var o *alpaca.Order
	err := c.retry(ctx, "close position "+symbol, rateLimited, func(cl clients) (err error) {
		o, err = cl.trading.ClosePosition(symbol, alpaca.ClosePositionRequest{Qty: opts.Qty, Percentage: opts.Percentage})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return fromOrder(o), nil
}
