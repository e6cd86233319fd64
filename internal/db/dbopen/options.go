package dbopen

import (
	"math"
	"time"

	"github.com/gambler-trader/gambler/internal/db/pgstore"
	"github.com/gambler-trader/gambler/internal/db/sqlitestore"
)

// Option changes how Open, OpenReadOnly and Migrate open a store.
type Option func(*options)

type options struct {
	timeouts        bool
	lock, statement time.Duration
}

// WithTimeouts bounds how long a statement waits for a lock another
// transaction or process holds (PostgreSQL's lock_timeout, SQLite's
// busy_timeout) and how long it may run (PostgreSQL's statement_timeout;
// SQLite has none). A statement that gives up fails with db.ErrBusy. Zero
// means no bound. Without this option the drivers' defaults apply
// (pgstore.DefaultLockTimeout and DefaultStatementTimeout,
// sqlitestore.DefaultBusyTimeout): a few seconds, well under a trading
// tick.
func WithTimeouts(lock, statement time.Duration) Option {
	return func(o *options) { o.timeouts, o.lock, o.statement = true, lock, statement }
}

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func (o options) postgres() []pgstore.Option {
	if !o.timeouts {
		return nil
	}
	return []pgstore.Option{pgstore.WithLockTimeout(o.lock), pgstore.WithStatementTimeout(o.statement)}
}

func (o options) sqlite() []sqlitestore.Option {
	if !o.timeouts {
		return nil
	}
	busy := o.lock
	if busy <= 0 {
		busy = math.MaxInt32 * time.Millisecond // as good as no bound
	}
	return []sqlitestore.Option{sqlitestore.WithBusyTimeout(busy)}
}
