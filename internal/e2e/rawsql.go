package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, for raw test SQL
)

// Driver names the env's store: "postgres" or "sqlite".
func (e *Env) Driver() string {
	if strings.HasPrefix(e.DBURL, "postgres://") || strings.HasPrefix(e.DBURL, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// RawExec runs statements on the env's database on a connection of its
// own, going around the store: the way tests damage what the store
// protects.
func (e *Env) RawExec(stmts ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if e.Driver() == "postgres" {
		conn, err := pgx.Connect(ctx, e.DBURL)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer func() { _ = conn.Close(context.Background()) }()
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
	db, err := sql.Open("sqlite", e.DBURL+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// RawRows returns every row of every table of the env's database, one
// text line per row, for grepping.
func (e *Env) RawRows() ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if e.Driver() == "postgres" {
		conn, err := pgx.Connect(ctx, e.DBURL)
		if err != nil {
			return nil, fmt.Errorf("connect: %w", err)
		}
		defer func() { _ = conn.Close(context.Background()) }()
		tables, err := pgStrings(ctx, conn, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, t := range tables {
			rows, err := pgStrings(ctx, conn, fmt.Sprintf(`SELECT row_to_json(x)::text FROM %s x`, pgx.Identifier{t}.Sanitize()))
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				out = append(out, t+": "+r)
			}
		}
		return out, nil
	}
	db, err := sql.Open("sqlite", e.DBURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tables, err := sqliteStrings(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tables {
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM "%s"`, t))
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, fmt.Sprintf("%s: %s", t, fmt.Sprint(stringify(vals)...)))
		}
		rows.Close()
	}
	return out, nil
}

func stringify(vals []any) []any {
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return vals
}

func pgStrings(ctx context.Context, conn *pgx.Conn, q string) ([]string, error) {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func sqliteStrings(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
