package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

func newCheckpointsCmd(app *App) *cobra.Command {
	cmd := commandGroup("checkpoints", "List, show, summarise and prune session checkpoints")
	cmd.AddCommand(newCheckpointsListCmd(app), newCheckpointsShowCmd(app), newCheckpointsStatsCmd(app), newCheckpointsCleanupCmd(app))
	return cmd
}

type checkpointRow struct {
	ID                   int64    `json:"id"`
	SessionID            string   `json:"session_id"`
	CheckpointTime       string   `json:"checkpoint_time"`
	Sequence             *int64   `json:"sequence"`
	Trigger              *string  `json:"trigger"`
	ActivePositionsCount int      `json:"active_positions_count"`
	ClosedTradesCount    int      `json:"closed_trades_count"`
	SizeBytes            *int64   `json:"size_bytes"`
	DurationMS           *float64 `json:"duration_ms"`
	Verified             bool     `json:"verified"`
	Problem              string   `json:"problem,omitempty"`
}

// checkpointsListOptions are `checkpoints list`'s options.
type checkpointsListOptions struct {
	SessionID string
	Limit     int
}

func newCheckpointsListCmd(app *App) *cobra.Command {
	o := &checkpointsListOptions{}
	c := &cobra.Command{
		Use:   "list",
		Short: "List a session's checkpoints, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sess, err := app.openSession(cmd.Context(), o.SessionID)
			if err != nil {
				return err
			}
			defer s.Close()
			metas, err := s.ListCheckpoints(cmd.Context(), sess.ID, o.Limit)
			if err != nil {
				return fmt.Errorf("list checkpoints: %w", err)
			}
			rows := make([]checkpointRow, 0, len(metas))
			for _, m := range metas {
				r := checkpointRow{
					ID: m.ID, SessionID: m.SessionID, CheckpointTime: *jsonTime(&m.CheckpointTime), Sequence: m.Sequence,
					ActivePositionsCount: m.ActivePositionsCount, ClosedTradesCount: m.ClosedTradesCount,
					SizeBytes: m.SizeBytes, DurationMS: m.DurationMS,
				}
				if m.Trigger != "" {
					t := m.Trigger
					r.Trigger = &t
				}
				// Verifying reads the listed payloads, a handful by
				// default; a damaged row is flagged, not hidden.
				c, err := s.GetCheckpoint(cmd.Context(), m.ID)
				if err != nil {
					return fmt.Errorf("read checkpoint %d: %w", m.ID, err)
				}
				d := checkpoint.Decode(c)
				r.Verified, r.Problem = d.Verified, d.Problem
				rows = append(rows, r)
			}
			return app.render(rows, func() *table {
				t := &table{headers: []string{"ID", "TIME (WALL)", "SEQ", "TRIGGER", "ACTIVE", "CLOSED", "BYTES", "MS", "OK"}}
				for i, r := range rows {
					ok := "yes"
					if !r.Verified {
						ok = "NO: " + r.Problem
					}
					t.add(strconv.FormatInt(r.ID, 10), fmtTime(&metas[i].CheckpointTime), optInt(r.Sequence), optStr(r.Trigger),
						strconv.Itoa(r.ActivePositionsCount), strconv.Itoa(r.ClosedTradesCount), optInt(r.SizeBytes), optFloat(r.DurationMS), ok)
				}
				if len(rows) == 0 {
					t.headers = nil
					t.add(fmt.Sprintf("session %s has no checkpoints", sess.ID))
				}
				return t
			})
		},
	}
	app.bind(c,
		app.sessionFlag(&o.SessionID, "the session (default: the most recently started session)"),
		intOpt(&o.Limit, "limit", 10, 1, 10000, "at most this many checkpoints"),
	)
	return c
}

func newCheckpointsShowCmd(app *App) *cobra.Command {
	var sessionID string
	c := &cobra.Command{
		Use:   "show [ID]",
		Short: "Show a checkpoint's positions and account (default: the session's latest good one)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			if len(args) == 1 {
				n, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || n <= 0 {
					return usageError("checkpoint id %q is not a positive integer", truncate(args[0], 30))
				}
				id = n
			}
			s, err := app.openStoreReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			var r checkpoint.Restored
			if id > 0 {
				c, err := s.GetCheckpoint(cmd.Context(), id)
				if errors.Is(err, db.ErrNotFound) {
					return fmt.Errorf("checkpoint %d not found; list them with: gambler checkpoints list", id)
				}
				if err != nil {
					return fmt.Errorf("read checkpoint %d: %w", id, err)
				}
				r = checkpoint.Decode(c)
			} else {
				sess, err := resolveSession(cmd.Context(), s, sessionID)
				if err != nil {
					return err
				}
				r, err = checkpoint.Restore(cmd.Context(), s, sess.ID, app.logger())
				if err != nil {
					return err
				}
			}
			return app.render(r, func() *table { return restoredTable(r) })
		},
	}
	app.bind(c, app.sessionFlag(&sessionID, "without an ID, the latest good checkpoint of this session (default: the most recently started session)"))
	return c
}

func restoredTable(r checkpoint.Restored) *table {
	t := &table{}
	t.add("checkpoint", strconv.FormatInt(r.CheckpointID, 10))
	t.add("session", r.SessionID)
	t.add("time", fmtTime(&r.CheckpointTime))
	t.add("sequence", optInt(r.Sequence))
	t.add("trigger", optStr(r.Trigger))
	t.add("verified", strconv.FormatBool(r.Verified))
	if r.Problem != "" {
		t.add("problem", r.Problem)
	}
	t.add("active / closed", fmt.Sprintf("%d / %d", r.ActiveCount, r.ClosedCount))
	for _, k := range []string{"portfolio_value", "buying_power", "cash", "timestamp"} {
		if v, ok := r.AccountInfo[k]; ok {
			t.add(k, fmt.Sprint(v))
		}
	}
	t.add("", "")
	t.add("SYMBOL", "SIDE\tQTY\tENTRY\tSTOP\tTARGET\tENTERED")
	for _, p := range r.Positions {
		t.add(p.Symbol, strings.Join([]string{p.Side, p.Qty.String(), p.EntryPrice.String(), optDec(p.StopLoss), optDec(p.TakeProfit), p.EntryTime}, "\t"))
	}
	return t
}
