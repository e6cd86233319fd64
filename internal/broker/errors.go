package broker

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gambler-trader/gambler/internal/redact"
)

var (
	// ErrNotFound reports a 404 for an order or position.
	ErrNotFound = errors.New("broker: not found")
	// ErrDuplicateClientOrderID reports that the broker already holds an
	// order under the client_order_id of a request and that order could not
	// be recovered as the same order (it is missing or differs).
	ErrDuplicateClientOrderID = errors.New("broker: duplicate client_order_id")
	// ErrOrderStateUnknown reports that PlaceOrder gave up while it could not
	// tell whether the broker accepted the order. The caller must keep the
	// intent unacknowledged and resolve it later by client_order_id; it must
	// not send the order under another id.
	ErrOrderStateUnknown = errors.New("broker: order state unknown")
	// ErrPaperOnly reports a base URL that points at a live Alpaca endpoint.
	ErrPaperOnly = errors.New("broker: only the Alpaca paper endpoint is allowed")
)

// APIError is an error response from the broker. Message never contains the
// API key or secret: they are redacted before the error is built.
type APIError struct {
	Status  int    // HTTP status
	Code    int    // Alpaca error code, 0 when the body had none
	Message string // broker message, redacted
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("broker API error: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("broker API error: HTTP %d: %s", e.Status, e.Message)
}

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}

func (e *APIError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// duplicateClientID recognises Alpaca's 422 "client_order_id must be unique".
func (e *APIError) duplicateClientID() bool {
	return e.Status == http.StatusUnprocessableEntity &&
		strings.Contains(strings.ToLower(e.Message), "client_order_id must be unique")
}

// redactor removes credentials from text that leaves the package.
type redactor []string

func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if s != "" {
			r = append(r, s)
		}
	}
	return r
}

// String masks each credential where it stands as a whole token, so a
// one-letter key does not shred every word holding that letter.
func (r redactor) String(s string) string {
	return redact.Tokens(s, "[REDACTED]", r...)
}

// redactedError keeps the chain (errors.Is on context errors, net errors)
// but prints a redacted message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
