package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

var _ db.Store = (*Store)(nil)

// Store is db.Store over a Driver.
type Store struct {
	d Driver
	// fence, when set, is checked inside every write that matters (see
	// Fenced); nil on the store itself.
	fence *db.Fence
}

// New returns the store a driver describes. Now, Heartbeat and
// DeleteBatch have defaults; LockShared and LockForUpdate may be empty;
// every other field must be set.
func New(d Driver) *Store {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Heartbeat <= 0 {
		d.Heartbeat = 5 * time.Second
	}
	if d.DeleteBatch <= 0 {
		d.DeleteBatch = 250
	}
	return &Store{d: d}
}

// Driver implements db.Store.
func (s *Store) Driver() string { return s.d.Name }

// SchemaVersion implements db.Store.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	v, err := s.d.SchemaVersion(ctx)
	return v, s.wrap(err, "read schema version")
}

// Close implements db.Store. Leases must be released before. On a fenced
// view it does nothing: the view shares the store's connections.
func (s *Store) Close() error {
	if s.fence != nil {
		return nil
	}
	return s.d.Close()
}

// now is the store's clock in UTC.
func (s *Store) now() time.Time { return s.d.Now().UTC() }

// orNow is t in UTC, or now when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t.UTC()
}

// wrap adds what failed to err, translated by the driver; nil stays nil.
func (s *Store) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), s.d.MapErr(err))
}

// Argument encoders for nullable columns: the contract's zero values are
// stored as NULL, the way the replaced system left them.

func (s *Store) time(t time.Time) any { return s.d.Time(t.UTC()) }

func (s *Store) timePtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return s.time(*t)
}

func (s *Store) json(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return s.d.JSON(b)
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// exec runs a write on q and returns the rows it changed.
func (s *Store) exec(ctx context.Context, q Querier, what, sql string, args ...any) (int64, error) {
	n, err := q.Exec(ctx, sql, args...)
	return n, s.wrap(err, "%s", what)
}

// execOne runs a write that must change exactly one row; none means the
// key does not exist.
func (s *Store) execOne(ctx context.Context, q Querier, what, sql string, args ...any) error {
	n, err := s.exec(ctx, q, what, sql, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, db.ErrNotFound)
	}
	return nil
}

// collect runs a query on q and converts each row with scan.
func collect[T any](ctx context.Context, s *Store, q Querier, what string, scan func(Rows) (T, error),
	sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.wrap(err, "%s", what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.wrap(err, "%s", what)
		}
		out = append(out, v)
	}
	return out, s.wrap(rows.Err(), "%s", what)
}

// first returns the first row of a query, or ErrNotFound.
func first[T any](ctx context.Context, s *Store, q Querier, what string, scan func(Rows) (T, error),
	sql string, args ...any) (T, error) {
	var zero T
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return zero, s.wrap(err, "%s", what)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return zero, s.wrap(err, "%s", what)
		}
		return zero, fmt.Errorf("%s: %w", what, db.ErrNotFound)
	}
	v, err := scan(rows)
	if err != nil {
		return zero, s.wrap(err, "%s", what)
	}
	return v, nil
}

// scanOne reads a row of plain destinations.
func scanOne(dest ...any) func(Rows) (struct{}, error) {
	return func(r Rows) (struct{}, error) { return struct{}{}, r.Scan(dest...) }
}

// queryRow reads the first row of a query into dest; ErrNotFound when
// there is none.
func (s *Store) queryRow(ctx context.Context, q Querier, what, sql string, args []any, dest ...any) error {
	_, err := first(ctx, s, q, what, scanOne(dest...), sql, args...)
	return err
}

// tx runs fn in one write transaction. fn's errors carry their own
// context and are passed on as they are; a failed begin or commit is
// wrapped with what.
func (s *Store) tx(ctx context.Context, what string, fn func(Querier) error) error {
	err := s.d.InTx(ctx, func(q Querier) error {
		if err := fn(q); err != nil {
			return &bodyError{err}
		}
		return nil
	})
	var body *bodyError
	if errors.As(err, &body) {
		return body.err
	}
	return s.wrap(err, "%s", what)
}

// bodyError marks an error a transaction's body returned.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }
