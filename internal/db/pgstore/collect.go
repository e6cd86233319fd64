package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// collect runs a query and converts each row with scan; what names the
// query in errors.
func collect[T any](ctx context.Context, q querier, what string, scan func(pgx.Rows) (T, error),
	sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrapErr(err, "%s", what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrapErr(err, "%s", what)
		}
		out = append(out, v)
	}
	return out, wrapErr(rows.Err(), "%s", what)
}
