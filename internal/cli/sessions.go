package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/db"
)

type sessionRow struct {
	SessionID       string           `json:"session_id"`
	Status          string           `json:"status"`
	Running         bool             `json:"running"`
	StartTime       *string          `json:"start_time"`
	EndTime         *string          `json:"end_time"`
	Symbols         []string         `json:"symbols"`
	InstanceID      int              `json:"instance_id"`
	PnL             *decimal.Decimal `json:"pnl"`
	ActivePositions int              `json:"active_positions"`
	Checkpoints     int              `json:"checkpoints"`
	LastCheckpoint  *string          `json:"last_checkpoint"`
}

// sessionsListOptions are `sessions list`'s options.
type sessionsListOptions struct {
	Status     string
	Limit      int
	InstanceID int
}

func newSessionsCmd(app *App) *cobra.Command {
	cmd := commandGroup("sessions", "Inspect trading sessions")
	o := &sessionsListOptions{}
	list := &cobra.Command{
		Use:   "list",
		Short: "List sessions, newest first, and whether a process is trading them",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return app.listSessions(c, o) },
	}
	app.bind(list,
		enumOpt(&o.Status, "status", "", []string{db.StatusActive, db.StatusCompleted, db.StatusCrashed}, "only sessions with this status").orUnset(),
		intOpt(&o.Limit, "limit", 20, 0, 100000, "at most this many sessions; 0 lists all"),
		intOpt(&o.InstanceID, "instance-id", 0, 0, maxInstanceID, "only sessions of this instance; 0 lists every instance"),
	)
	cmd.AddCommand(list, newSessionsShowCmd(app))
	return cmd
}

func (a *App) listSessions(c *cobra.Command, o *sessionsListOptions) error {
	s, err := a.openStoreReadOnly(c.Context())
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.ListSessions(c.Context(), db.SessionFilter{Status: o.Status, InstanceID: o.InstanceID, Limit: o.Limit})
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	rows := make([]sessionRow, 0, len(list))
	for _, ss := range list {
		r := newSessionRow(ss)
		if ss.Status == db.StatusActive {
			_, running, err := s.LeaseHolder(c.Context(), ss.ID)
			if err != nil {
				return fmt.Errorf("check lease of session %s: %w", ss.ID, err)
			}
			r.Running = running
		}
		rows = append(rows, r)
	}
	return a.render(rows, func() *table { return a.sessionsTable(o, rows, list) })
}

func newSessionRow(ss db.SessionSummary) sessionRow {
	r := sessionRow{
		SessionID: ss.ID, Status: ss.Status, StartTime: jsonTime(&ss.StartTime), EndTime: jsonTime(ss.EndTime),
		Symbols: ss.Symbols, InstanceID: ss.InstanceID, ActivePositions: ss.ActivePositions,
		Checkpoints: ss.Checkpoints, LastCheckpoint: jsonTime(ss.LastCheckpoint),
	}
	if r.Symbols == nil {
		r.Symbols = []string{}
	}
	if ss.PnL.Valid {
		p := ss.PnL.Decimal
		r.PnL = &p
	}
	return r
}

func (a *App) sessionsTable(o *sessionsListOptions, rows []sessionRow, list []db.SessionSummary) *table {
	t := &table{headers: []string{"SESSION", "STATUS", "STARTED (WALL)", "ENDED (WALL)", "SYMBOLS", "INSTANCE", "PNL", "POSITIONS", "CHECKPOINTS", "LAST CHECKPOINT (WALL)"}}
	for i, r := range rows {
		ss := list[i]
		status := r.Status
		if status == db.StatusActive && !r.Running {
			status = "active (not running)"
		} else if r.Running {
			status = "running"
		}
		t.add(r.SessionID, status, fmtTime(&ss.StartTime), fmtTime(ss.EndTime), strings.Join(r.Symbols, ","),
			strconv.Itoa(r.InstanceID), fmtNullDec(ss.PnL), strconv.Itoa(r.ActivePositions),
			strconv.Itoa(r.Checkpoints), fmtTime(ss.LastCheckpoint))
	}
	if len(rows) > 0 {
		return t
	}
	t.headers = nil
	// A filter that matches nothing says so: the database is not empty.
	var filters []string
	if o.Status != "" {
		filters = append(filters, a.typed(&o.Status))
	}
	if o.InstanceID != 0 {
		filters = append(filters, a.typed(&o.InstanceID))
	}
	if len(filters) > 0 {
		t.add("no sessions match " + strings.Join(filters, " and ") + "; gambler sessions list shows every session")
	} else {
		t.add("no sessions yet; start one with: gambler trade --symbols AAPL,MSFT")
	}
	return t
}
