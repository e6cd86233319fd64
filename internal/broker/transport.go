package broker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// attemptTransport carries the caller's context into requests built by the
// official client, whose REST methods take no context. It lives for a
// single attempt only, which is why holding the context here is acceptable.
// It applies the shared rate limits, then gives each HTTP request its own
// deadline (Config.Timeout, response body included) that starts after the
// rate-limit wait, so queueing for a token never turns into a timeout of a
// request that was not sent. It records the last HTTP status so that
// non-JSON error bodies can still be classified.
type attemptTransport struct {
	ctx    context.Context
	c      *Client
	mu     sync.Mutex
	status int
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.c.waitTurn(t.ctx); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(t.ctx, t.c.cfg.Timeout)
	sent := t.c.cfg.Now()
	resp, err := t.c.base.RoundTrip(req.WithContext(rctx))
	// Latency is to the response headers: the body is read by the official
	// client after RoundTrip returns.
	t.c.cfg.Observer.BrokerRequest(EndpointTemplate(req.URL.Path), statusLabel(resp, err), t.c.cfg.Now().Sub(sent))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	t.mu.Lock()
	t.status = resp.StatusCode
	t.mu.Unlock()
	t.c.gate.observe(resp.Header, t.c.cfg.Now())
	return resp, nil
}

// cancelOnClose releases a request's deadline once its body is consumed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (t *attemptTransport) lastStatus() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// waitTurn blocks until the server-announced window (X-Ratelimit-Reset)
// has passed and the client-side token bucket grants a request. The bucket
// is asked for a reservation rather than waited on, so that the wait is
// known exactly (for the Observer) and goes through the injected Sleep.
func (c *Client) waitTurn(ctx context.Context) error {
	if d := c.gate.wait(c.cfg.Now()); d > 0 {
		c.log.Debug().Dur("wait", d).Msg("broker rate limit exhausted, waiting for reset")
		c.cfg.Observer.RateLimitWait(d)
		if err := c.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	r := c.limiter.Reserve()
	if !r.OK() {
		return errors.New("broker: rate limiter cannot grant a request")
	}
	d := r.Delay()
	if d <= 0 {
		return ctx.Err()
	}
	c.cfg.Observer.RateLimitWait(d)
	if err := c.cfg.Sleep(ctx, d); err != nil {
		// The request is not sent, so its token goes back to the bucket.
		r.Cancel()
		return err
	}
	return nil
}

// headerGate remembers when the server said the request budget refills.
type headerGate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *headerGate) observe(h http.Header, now time.Time) {
	remaining, reset := h.Get("X-Ratelimit-Remaining"), h.Get("X-Ratelimit-Reset")
	if remaining == "" || reset == "" {
		return
	}
	n, err := strconv.Atoi(remaining)
	if err != nil || n > 0 {
		return
	}
	sec, err := strconv.ParseInt(reset, 10, 64)
	if err != nil {
		return
	}
	until := time.Unix(sec, 0)
	if limit := now.Add(maxHeaderWait); until.After(limit) {
		until = limit
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.until) {
		g.until = until
	}
}

// wait returns how long to hold off before the next request.
func (g *headerGate) wait(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until.Sub(now)
}
