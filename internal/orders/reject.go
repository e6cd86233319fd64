package orders

import (
	"errors"
	"net/http"

	"github.com/gambler-trader/gambler/internal/broker"
)

// Rejection reports whether err is the broker's definite refusal of an
// order, and the broker's reason. A 4xx other than 429 is definite: the
// broker read the order and said no, so the intent is recorded as rejected
// and never looked up or resent. Anything else (a timeout, a 5xx, a 429
// after retries) leaves the outcome unknown: the intent stays, and the next
// read-back resolves it by client_order_id.
func Rejection(err error) (reason string, definite bool) {
	var apiErr *broker.APIError
	if !errors.As(err, &apiErr) {
		return "", false
	}
	if apiErr.Status < 400 || apiErr.Status >= 500 || apiErr.Status == http.StatusTooManyRequests {
		return "", false
	}
	if errors.Is(err, broker.ErrOrderStateUnknown) {
		return "", false
	}
	return apiErr.Message, true
}
