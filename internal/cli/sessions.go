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

func newSessionsCmd(app *App) *cobra.Command {
	cmd := commandGroup("sessions", "Inspect trading sessions")
	list := &cobra.Command{
		Use:   "list",
		Short: "List sessions, newest first, and whether a process is trading them",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			status := strings.ToLower(app.str("sessions.list.status"))
			switch status {
			case "", db.StatusActive, db.StatusCompleted, db.StatusCrashed:
			default:
				return usageError("--status: unknown status %q (use active, completed or crashed)", status)
			}
			limit, err := app.integer("sessions.list.limit")
			if err != nil {
				return err
			}
			if limit < 0 {
				return usageError("--limit must be 0 (all) or more")
			}
			instance, err := app.integer("sessions.list.instance_id")
			if err != nil {
				return err
			}
			if instance < 0 {
				return usageError("--instance-id must be 0 (all instances) or more")
			}
			s, err := app.openStoreReadOnly(c.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			list, err := s.ListSessions(c.Context(), db.SessionFilter{Status: status, InstanceID: instance, Limit: limit})
			if err != nil {
				return fmt.Errorf("list sessions: %w", err)
			}
			rows := make([]sessionRow, 0, len(list))
			for _, ss := range list {
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
				if ss.Status == db.StatusActive {
					_, running, err := s.LeaseHolder(c.Context(), ss.ID)
					if err != nil {
						return fmt.Errorf("check lease of session %s: %w", ss.ID, err)
					}
					r.Running = running
				}
				rows = append(rows, r)
			}
			return app.render(rows, func() *table {
				t := &table{headers: []string{"SESSION", "STATUS", "STARTED", "ENDED", "SYMBOLS", "INSTANCE", "PNL", "POSITIONS", "CHECKPOINTS", "LAST CHECKPOINT"}}
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
				if len(rows) == 0 {
					t.headers = nil
					t.add("no sessions yet; start one with: gambler trade --symbols AAPL,MSFT")
				}
				return t
			})
		},
	}
	list.Flags().String("status", "", "only sessions with this status: active, completed or crashed")
	list.Flags().Int("limit", 20, "at most this many sessions (0 = all)")
	list.Flags().Int("instance-id", 0, "only sessions of this instance (0 = every instance)")
	cmd.AddCommand(list, newSessionsShowCmd(app))
	return cmd
}
