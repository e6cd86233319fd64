package exchange

import (
	"errors"
	"fmt"
)

// refusalKind says why the engine refused a request. The HTTP layer maps
// each kind to the status and code Alpaca sends for it (server.go), so the
// engine never speaks HTTP.
type refusalKind int

const (
	refusedInvalid      refusalKind = iota + 1 // the request is not a valid order or query
	refusedDuplicate                           // client_order_id already used
	refusedInsufficient                        // buying power or position qty
	refusedNotFound                            // no such order, position, asset or symbol
	refusedMalformed                           // the request cannot be read at all
)

// refusal is an engine error: what was refused and why, in words a client
// can act on.
type refusal struct {
	kind refusalKind
	msg  string
}

func (r *refusal) Error() string { return r.msg }

func refuse(kind refusalKind, format string, args ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// refusalOf returns the refusal inside err, if any.
func refusalOf(err error) (*refusal, bool) {
	var r *refusal
	ok := errors.As(err, &r)
	return r, ok
}
