package broker

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// Client is the Alpaca adapter. It is safe for concurrent use; the rate
// limit is shared by all calls.
type Client struct {
	cfg     Config
	redact  redactor
	limiter *rate.Limiter
	gate    *headerGate
	base    http.RoundTripper
	log     zerolog.Logger
}

// New checks the configuration (paper guard included) and builds a Client.
// It makes no request.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := CheckPaperURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	if err := checkDataURL(cfg.DataURL); err != nil {
		return nil, err
	}
	if (cfg.KeyID == "") != (cfg.Secret == "") {
		return nil, errors.New("broker: key id and secret must be given together")
	}
	base := cfg.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	perSecond := rate.Limit(float64(cfg.RateLimit) / 60)
	return &Client{
		cfg:     cfg,
		redact:  newRedactor(cfg.KeyID, cfg.Secret),
		limiter: rate.NewLimiter(perSecond, cfg.RateBurst),
		gate:    &headerGate{},
		base:    base,
		log:     cfg.Logger.With().Str("component", "broker").Logger(),
	}, nil
}

func checkDataURL(raw string) error {
	if err := CheckPaperURL(raw); err != nil && !errors.Is(err, ErrPaperOnly) {
		return fmt.Errorf("broker: data URL: %w", err)
	}
	return nil
}

// clients are the official clients for one attempt, wired to its context.
type clients struct {
	trading *alpaca.Client
	data    *marketdata.Client
}

// attempt runs fn once and returns a redacted, classified error: *APIError
// for HTTP errors, otherwise a transport error (a request timeout included).
// The deadline is per HTTP request and set by attemptTransport, not by
// http.Client.Timeout, whose clock would also run while waiting for a
// rate-limit token.
func (c *Client) attempt(ctx context.Context, fn func(clients) error) error {
	rt := &attemptTransport{ctx: ctx, c: c}
	hc := &http.Client{
		Transport:     rt,
		Jar:           c.cfg.HTTPClient.Jar,
		CheckRedirect: c.cfg.HTTPClient.CheckRedirect,
	}
	cl := clients{
		// RetryLimit -1 disables the official client's own 429 retry: its
		// loop breaks when attempt >= RetryLimit, while 0 means "default 3"
		// and a retried POST would go out with an already drained body.
		trading: alpaca.NewClient(alpaca.ClientOpts{
			APIKey: c.cfg.KeyID, APISecret: c.cfg.Secret,
			BaseURL: c.cfg.BaseURL, RetryLimit: -1, HTTPClient: hc,
		}),
		data: marketdata.NewClient(marketdata.ClientOpts{
			APIKey: c.cfg.KeyID, APISecret: c.cfg.Secret,
			BaseURL: c.cfg.DataURL, RetryLimit: -1, HTTPClient: hc, Feed: c.cfg.Feed,
		}),
	}
	err := fn(cl)
	if err == nil {
		return nil
	}
	return c.classify(err, rt.lastStatus())
}

func (c *Client) classify(err error, status int) error {
	var ae *alpaca.APIError
	if errors.As(err, &ae) {
		return &APIError{Status: ae.StatusCode, Code: ae.Code, Message: c.redact.String(ae.Message)}
	}
	if status >= 300 {
		// The official client returns a plain error for non-JSON bodies.
		return &APIError{Status: status, Message: c.redact.String(err.Error())}
	}
	return &redactedError{msg: c.redact.String(err.Error()), err: err}
}

// transient reports whether a failed attempt may succeed when repeated:
// 429, 5xx and transport failures (including an attempt timeout).
func transient(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.retryable()
	}
	return true
}

func rateLimited(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests
}

// retry runs fn until it succeeds, fails with an error retryIf rejects, the
// retry budget is spent or ctx ends.
func (c *Client) retry(ctx context.Context, op string, retryIf func(error) bool, fn func(clients) error) error {
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("broker %s: %w", op, errors.Join(ctx.Err(), err))
		}
		if !retryIf(err) || attempt >= c.cfg.MaxRetries {
			return fmt.Errorf("broker %s: %w", op, err)
		}
		c.log.Warn().Str("op", op).Int("attempt", attempt+1).Str("error", err.Error()).Msg("broker call failed, retrying")
		if err := c.backoff(ctx, attempt); err != nil {
			return fmt.Errorf("broker %s: %w", op, err)
		}
	}
}

// read retries an idempotent call on every transient failure.
func (c *Client) read(ctx context.Context, op string, fn func(clients) error) error {
	return c.retry(ctx, op, transient, fn)
}

func (c *Client) backoff(ctx context.Context, attempt int) error {
	d := c.cfg.RetryBaseDelay
	for i := 0; i < attempt && d < c.cfg.RetryMaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.cfg.RetryMaxDelay)
	return c.cfg.Sleep(ctx, c.cfg.Jitter(d))
}
