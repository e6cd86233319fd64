package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/checkpoint"
)

func newCheckpointsStatsCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "stats",
		Short: "Summarise a session's checkpoints; with --max-age, exit 3 when the newest is too old",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var maxAge time.Duration
			if app.str("checkpoints.stats.max_age") != "" {
				d, err := app.positiveDuration("checkpoints.stats.max_age", time.Second)
				if err != nil {
					return err
				}
				maxAge = d
			}
			instance, err := app.integer("checkpoints.stats.instance_id")
			if err != nil {
				return err
			}
			id := app.str("checkpoints.stats.session")
			switch {
			case instance < 0:
				return usageError("--instance-id must be 0 (any instance) or more")
			case instance > 0 && id != "":
				return usageError("--session and --instance-id exclude each other")
			}
			s, sess, err := app.openSession(cmd.Context(), id)
			if err != nil {
				return err
			}
			defer s.Close()
			if instance > 0 {
				// One cron line per instance: each watches its own newest
				// session, not whichever instance started last.
				if sess, err = newestOfInstance(cmd.Context(), s, instance); err != nil {
					return err
				}
			}
			now := app.Now()
			st, err := checkpoint.ComputeStats(cmd.Context(), s, sess.ID, now)
			if err != nil {
				return err
			}
			if err := app.render(st, func() *table { return statsTable(st) }); err != nil {
				return err
			}
			if maxAge > 0 {
				last := st.Last()
				if last == nil {
					return checkFailed(fmt.Errorf("session %s has no checkpoint (max age %s)", sess.ID, maxAge))
				}
				if age := now.Sub(*last); age > maxAge {
					return checkFailed(fmt.Errorf("last checkpoint of session %s is %s old, more than --max-age %s",
						sess.ID, age.Round(time.Second), maxAge))
				}
			}
			return nil
		},
	}
	c.Flags().String("session", "", "session id (default: the most recently started session)")
	c.Flags().Int("instance-id", 0, "the most recently started session of this instance (0 = of any instance)")
	c.Flags().String("max-age", "", "fail with exit 3 when the newest checkpoint is older than this (e.g. 5m; a bare number is seconds)")
	return c
}

func statsTable(st checkpoint.Stats) *table {
	t := &table{}
	t.add("session", st.SessionID)
	t.add("total checkpoints", strconv.FormatInt(st.TotalCheckpoints, 10))
	t.add("first", optStr(st.FirstCheckpoint))
	t.add("last", optStr(st.LastCheckpoint))
	t.add("time span (min)", strconv.FormatFloat(st.TimeSpanMinutes, 'f', 2, 64))
	t.add("avg interval (s)", optFloat(st.AvgIntervalSeconds))
	t.add("avg duration (ms)", optFloat(st.AvgDurationMS))
	t.add("max duration (ms)", optFloat(st.MaxDurationMS))
	t.add("total bytes", strconv.FormatInt(st.TotalBytes, 10))
	t.add("seconds since last", optFloat(st.SecondsSinceLast))
	t.add("last good", optStr(st.LastGoodCheckpoint))
	if st.BadNewer > 0 {
		t.add("WARNING", fmt.Sprintf("%d newer checkpoint(s) fail verification", st.BadNewer))
	}
	return t
}

func newCheckpointsCleanupCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "cleanup",
		Short: "Delete old checkpoints, keeping the newest --keep of each session (cron runs this)",
		Long: `Keeps the newest --keep checkpoints of each session and, of the rest, deletes
those older than --older-than (all of them when it is not given). The newest
good checkpoint of a session is never deleted, not even with --keep 0.
A named --session is cleaned whatever its status; --all skips active sessions
unless --include-active is given. Without --session or --all the most recently
started session is cleaned.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := app.cleanupOptions()
			if err != nil {
				return err
			}
			s, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			if !o.All {
				sess, err := resolveSession(cmd.Context(), s, o.SessionID)
				if err != nil {
					return err
				}
				o.SessionID = sess.ID
			}
			res, err := checkpoint.Cleanup(cmd.Context(), s, o, app.logger())
			if err != nil {
				return err
			}
			return app.render(res, func() *table {
				verb := "deleted"
				if res.DryRun {
					verb = "would delete"
				}
				t := &table{headers: []string{"SESSION", verb}}
				for _, sc := range res.Sessions {
					n := strconv.FormatInt(sc.Deleted, 10)
					if sc.Skipped != "" {
						n = "skipped (" + sc.Skipped + ")"
					}
					t.add(sc.SessionID, n)
				}
				t.add("total", strconv.FormatInt(res.Deleted, 10))
				return t
			})
		},
	}
	f := c.Flags()
	f.String("session", "", "clean this session, whatever its status")
	f.Bool("all", false, "clean every session (active ones only with --include-active)")
	f.Int("keep", 100, "keep the newest N checkpoints of each session")
	f.String("older-than", "", "of the rest, delete only those older than this (e.g. 24h; a bare number is hours)")
	f.Bool("include-active", false, "with --all, clean active sessions too")
	f.Bool("dry-run", false, "count what would be deleted, delete nothing")
	f.Int("batch-size", 250, "rows per DELETE statement (small batches keep concurrent checkpoints fast)")
	return c
}

func (a *App) cleanupOptions() (checkpoint.CleanupOptions, error) {
	const p = "checkpoints.cleanup."
	o := checkpoint.CleanupOptions{SessionID: a.str(p + "session"), Now: a.Now()}
	var err error
	if o.All, err = a.boolean(p + "all"); err != nil {
		return o, err
	}
	if o.IncludeActive, err = a.boolean(p + "include_active"); err != nil {
		return o, err
	}
	if o.DryRun, err = a.boolean(p + "dry_run"); err != nil {
		return o, err
	}
	if o.Keep, err = a.integer(p + "keep"); err != nil {
		return o, err
	}
	if o.BatchSize, err = a.integer(p + "batch_size"); err != nil {
		return o, err
	}
	if o.SessionID != "" && o.All {
		return o, usageError("--session and --all exclude each other")
	}
	if o.Keep < 0 {
		return o, usageError("--keep must be 0 or more")
	}
	if o.BatchSize <= 0 {
		return o, usageError("--batch-size must be positive")
	}
	if a.str(p+"older_than") != "" {
		if o.OlderThan, err = a.positiveDuration(p+"older_than", time.Hour); err != nil {
			return o, err
		}
	}
	if o.SessionID != "" {
		if err := validSessionID(o.SessionID); err != nil {
			return o, err
		}
	}
	return o, nil
}
