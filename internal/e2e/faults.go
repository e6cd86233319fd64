package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
	"github.com/gambler-trader/gambler/internal/db/sqlitestore"
)

// Stopped reports whether the process is stopped by a signal (state T in
// /proc): a pause failpoint has fired and it waits for SIGCONT.
func (p *Proc) Stopped() bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'T'
}

// CutLease takes the session's lease away from holder without its
// knowing, the two ways the design allows a lease to be lost: on
// PostgreSQL the lease's connection is terminated (the advisory lock goes
// with it), on SQLite the lease's lock file is removed. It returns how
// many lease connections were terminated (1 for a removed file).
func (e *Env) CutLease(sessionID string, holder *Proc) (int, error) {
	if e.Driver() == "sqlite" {
		return 1, os.Remove(e.LeaseFile(sessionID))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, e.DBURL)
	if err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE $1`,
		fmt.Sprintf("gambler-lease pid=%d %%", holder.Pid())).Scan(&n)
	return n, err
}

// LeaseFileName is how the SQLite lease's lock file is named.
const LeaseFileName = "<db>.lease-<session>.lock"

// LeaseFile is the SQLite lease's lock file of the session.
func (e *Env) LeaseFile(sessionID string) string {
	return sqlitestore.LeaseFile(e.DBURL, sessionID)
}

// ReopenStore opens the test's store again, for a SQLite database whose
// file was removed and created anew under the test's own connection.
func (e *Env) ReopenStore() {
	e.T.Helper()
	s, err := dbopen.Open(context.Background(), e.DBURL, func(string) string { return "" })
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { _ = s.Close() })
	e.Store = s
}

// CheckEveryOrderJournaled: every order of the session at the exchange
// (bracket legs excluded) has its intent in the store's journal. A process
// that lost the session cannot journal, so an order it sent anyway shows
// up here.
func (e *Env) CheckEveryOrderJournaled(sessionID string) {
	e.T.Helper()
	journal, err := e.Store.SessionOrders(context.Background(), sessionID, false)
	if err != nil {
		e.T.Fatal(err)
	}
	known := map[string]bool{}
	for _, o := range journal {
		known[o.ClientOrderID] = true
	}
	prefix := OrderPrefix(sessionID)
	for _, o := range e.ExchangeOrders() {
		if id, _ := o["client_order_id"].(string); strings.HasPrefix(id, prefix) && !known[id] {
			e.T.Errorf("exchange order %s (%v %v) is not in the session's journal", id, o["side"], o["symbol"])
		}
	}
}

// OrderPrefix starts every client_order_id the session sends.
func OrderPrefix(sessionID string) string {
	return fmt.Sprintf("g%s-", strings.ReplaceAll(sessionID, "-", ""))
}

// RestartWith starts the exchange again on the same address and state
// file with extra arguments after the first ones (a later flag wins).
func (e *Exchange) RestartWith(extra ...string) {
	e.args = append(e.args, extra...)
	e.Restart()
}

// LockTable holds an ACCESS EXCLUSIVE lock on a table of the env's
// PostgreSQL database until release or the test's end.
func (e *Env) LockTable(table string) (release func()) {
	e.T.Helper()
	return dbtest.LockTable(e.T, e.DBURL, table)
}
