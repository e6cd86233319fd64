package tradertest

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db/sqlitestore"
)

// LoseLease takes the session's lease away from the process that holds it
// without that process knowing, as the field does: on SQLite the lease's
// lock file is removed (a careless cleanup); on PostgreSQL the server
// process of the lease's connection is terminated (a restart, a network
// cut). The holder's lock is gone; its process runs on.
func (w *World) LoseLease(sessionID string) {
	w.T.Helper()
	if !strings.HasPrefix(w.DBURL, "postgres") {
		if err := os.Remove(sqlitestore.LeaseFile(w.DBURL, sessionID)); err != nil {
			w.T.Fatalf("remove the lease's lock file: %v", err)
		}
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.DBURL)
	if err != nil {
		w.T.Fatal(err)
	}
	defer conn.Close(ctx)
	var pids []uint32
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		w.T.Fatal(err)
	}
	for rows.Next() {
		var pid uint32
		if err := rows.Scan(&pid); err != nil {
			w.T.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		w.T.Fatal(err)
	}
	if len(pids) == 0 {
		w.T.Fatal("no lease lock held in the database")
	}
	for _, pid := range pids {
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			w.T.Fatal(err)
		}
	}
	// The advisory lock is freed when the backend has exited.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for {
			var alive bool
			if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)`, pid).Scan(&alive); err != nil {
				w.T.Fatal(err)
			}
			if !alive {
				break
			}
			if time.Now().After(deadline) {
				w.T.Fatalf("backend %d still alive 10 s after pg_terminate_backend", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// ReplaceDatabase removes the SQLite database's files while its trader
// runs, as `rm g.db g.db-wal g.db-shm` does.
func (w *World) ReplaceDatabase() {
	w.T.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(w.DBURL + suffix); err != nil && !os.IsNotExist(err) {
			w.T.Fatalf("remove %s: %v", w.DBURL+suffix, err)
		}
	}
}
