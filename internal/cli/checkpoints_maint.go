package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

// checkpointsStatsOptions are `checkpoints stats`'s options.
type checkpointsStatsOptions struct {
	SessionID     string
	InstanceID    int
	MaxAge        time.Duration
	RequireActive bool
}

func newCheckpointsStatsCmd(app *App) *cobra.Command {
	o := &checkpointsStatsOptions{}
	c := &cobra.Command{
		Use:   "stats",
		Short: "Summarise a session's checkpoints; with --max-age, exit 3 when an active session's newest is too old",
		Long: `Prints the checkpoint statistics of a session: --session, else the newest session
of --instance-id, else the most recently started one.

With --max-age it is a health check of the active sessions (of --instance-id, or
of every instance): exit 3 when the newest checkpoint of any of them is older
than --max-age. A completed or crashed session is not judged, so a planned stop
raises no alert; with no active session it exits 0 and says so, unless
--require-active is given, which turns "nothing is running" into exit 3.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return app.checkpointStats(cmd.Context(), o) },
	}
	set := app.bind(c,
		app.sessionFlag(&o.SessionID, "the session (default: the newest session of --instance-id, else the most recently started)"),
		intOpt(&o.InstanceID, "instance-id", 0, 0, maxInstanceID, "only sessions of this instance; 0 means every instance"),
		durOpt(&o.MaxAge, "max-age", "", time.Second, time.Second, 30*24*time.Hour,
			"exit 3 when an active session's newest checkpoint is older than this; a bare number is seconds").orUnset(),
		boolOpt(&o.RequireActive, "require-active", "with --max-age, exit 3 also when no session is active"),
	)
	set.check = func() error {
		switch {
		case o.InstanceID > 0 && o.SessionID != "":
			return usageError("%s and %s exclude each other", app.sourceOf(&o.SessionID), app.sourceOf(&o.InstanceID))
		case o.RequireActive && o.MaxAge == 0:
			return usageError("%s needs --max-age", app.sourceOf(&o.RequireActive))
		}
		return nil
	}
	return c
}

func (a *App) checkpointStats(ctx context.Context, o *checkpointsStatsOptions) error {
	s, err := a.openStoreReadOnly(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	now := a.Now()
	if o.MaxAge == 0 {
		sess, err := a.statsSession(ctx, s, o)
		if err != nil {
			return err
		}
		st, err := checkpoint.ComputeStats(ctx, s, sess.ID, now)
		if err != nil {
			return err
		}
		return a.render(st, func() *table { return statsTable(st) })
	}
	return a.judgeCheckpoints(ctx, s, o, now)
}

// statsSession is --session, else the newest session of --instance-id,
// else the most recently started one.
func (a *App) statsSession(ctx context.Context, s db.Store, o *checkpointsStatsOptions) (db.Session, error) {
	if o.InstanceID > 0 {
		// One cron line per instance watches its own newest session, not
		// whichever instance started last.
		return newestOfInstance(ctx, s, o.InstanceID)
	}
	return resolveSession(ctx, s, o.SessionID)
}

// judgeCheckpoints is --max-age: every active session in scope must have
// checkpointed within it (or, before its first checkpoint, started within
// it). The newest active session's stats are printed.
func (a *App) judgeCheckpoints(ctx context.Context, s db.Store, o *checkpointsStatsOptions, now time.Time) error {
	active, scope, err := a.activeSessions(ctx, s, o)
	if err != nil {
		return err
	}
	if len(active) == 0 {
		msg := scope + ": --max-age judges only active sessions, so there is nothing to check"
		if o.RequireActive {
			return checkFailed(fmt.Errorf("%s (%s)", scope, a.sourceOf(&o.RequireActive)))
		}
		log := a.logger()
		log.Info().Msg(msg)
		return a.render(nil, func() *table { return &table{rows: [][]string{{msg}}} })
	}
	var stale []string
	var shown checkpoint.Stats
	for i, sess := range active {
		st, err := checkpoint.ComputeStats(ctx, s, sess.ID, now)
		if err != nil {
			return err
		}
		if i == 0 {
			shown = st
		}
		// A session that has not checkpointed yet is judged by its start.
		switch last := st.Last(); {
		case last == nil && now.Sub(sess.StartTime) > o.MaxAge:
			stale = append(stale, fmt.Sprintf("session %s (instance %d) has no checkpoint and started %s ago", sess.ID,
				sess.InstanceID, now.Sub(sess.StartTime).Round(time.Second)))
		case last != nil && now.Sub(*last) > o.MaxAge:
			stale = append(stale, fmt.Sprintf("last checkpoint of session %s (instance %d) is %s old", sess.ID, sess.InstanceID,
				now.Sub(*last).Round(time.Second)))
		}
	}
	if err := a.render(shown, func() *table { return statsTable(shown) }); err != nil {
		return err
	}
	if len(stale) > 0 {
		return checkFailed(fmt.Errorf("%s; more than %s", strings.Join(stale, "; "), a.typed(&o.MaxAge)))
	}
	return nil
}

// activeSessions are the active sessions --max-age judges, newest first,
// and a phrase naming that scope for when there are none.
func (a *App) activeSessions(ctx context.Context, s db.Store, o *checkpointsStatsOptions) ([]db.Session, string, error) {
	if o.SessionID != "" {
		sess, err := resolveSession(ctx, s, o.SessionID)
		if err != nil {
			return nil, "", err
		}
		if sess.Status != db.StatusActive {
			return nil, fmt.Sprintf("session %s is %s", sess.ID, sess.Status), nil
		}
		return []db.Session{sess}, "", nil
	}
	list, err := s.ListSessions(ctx, db.SessionFilter{Status: db.StatusActive, InstanceID: o.InstanceID})
	if err != nil {
		return nil, "", fmt.Errorf("list active sessions: %w", err)
	}
	out := make([]db.Session, 0, len(list))
	for _, ss := range list {
		out = append(out, ss.Session)
	}
	scope := "no session is active"
	if o.InstanceID > 0 {
		scope = fmt.Sprintf("no session of instance %d is active", o.InstanceID)
	}
	return out, scope, nil
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

// checkpointsCleanupOptions are `checkpoints cleanup`'s options.
type checkpointsCleanupOptions struct {
	SessionID     string
	All           bool
	Keep          int
	OlderThan     time.Duration
	IncludeActive bool
	DryRun        bool
	BatchSize     int
}

// cleanupJSON is `checkpoints cleanup -o json`: a dry run reports
// would_delete, a real one deleted.
type cleanupJSON struct {
	DryRun      bool                 `json:"dry_run"`
	Deleted     *int64               `json:"deleted,omitempty"`
	WouldDelete *int64               `json:"would_delete,omitempty"`
	Sessions    []cleanupSessionJSON `json:"sessions"`
}

type cleanupSessionJSON struct {
	SessionID   string `json:"session_id"`
	Deleted     *int64 `json:"deleted,omitempty"`
	WouldDelete *int64 `json:"would_delete,omitempty"`
	Skipped     string `json:"skipped,omitempty"`
}

func newCheckpointsCleanupCmd(app *App) *cobra.Command {
	o := &checkpointsCleanupOptions{}
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
		RunE: func(cmd *cobra.Command, _ []string) error { return app.cleanupCheckpoints(cmd.Context(), o) },
	}
	set := app.bind(c,
		app.sessionFlag(&o.SessionID, "clean this session, whatever its status"),
		boolOpt(&o.All, "all", "clean every session (active ones only with --include-active)"),
		intOpt(&o.Keep, "keep", 100, 0, 1000000, "keep the newest N checkpoints of each session"),
		durOpt(&o.OlderThan, "older-than", "", time.Hour, time.Second, 100*365*24*time.Hour,
			"of the rest, delete only those older than this (e.g. 24h); a bare number is hours").orUnset(),
		boolOpt(&o.IncludeActive, "include-active", "with --all, clean active sessions too"),
		boolOpt(&o.DryRun, "dry-run", "count what would be deleted, delete nothing"),
		intOpt(&o.BatchSize, "batch-size", 250, 1, 100000, "rows per DELETE statement; small batches keep concurrent checkpoints fast"),
	)
	set.check = func() error {
		if o.SessionID != "" && o.All {
			return usageError("%s and %s exclude each other", app.sourceOf(&o.SessionID), app.sourceOf(&o.All))
		}
		return nil
	}
	return c
}

func (a *App) cleanupCheckpoints(ctx context.Context, o *checkpointsCleanupOptions) error {
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	co := checkpoint.CleanupOptions{SessionID: o.SessionID, All: o.All, Keep: o.Keep, OlderThan: o.OlderThan,
		IncludeActive: o.IncludeActive, DryRun: o.DryRun, BatchSize: o.BatchSize, Now: a.Now()}
	if !o.All {
		sess, err := resolveSession(ctx, s, o.SessionID)
		if err != nil {
			return err
		}
		co.SessionID = sess.ID
	}
	res, err := checkpoint.Cleanup(ctx, s, co, a.logger())
	if err != nil {
		return err
	}
	return a.render(newCleanupJSON(res), func() *table { return cleanupTable(res) })
}

func newCleanupJSON(res checkpoint.CleanupResult) cleanupJSON {
	count := func(n int64) (deleted, would *int64) {
		if res.DryRun {
			return nil, &n
		}
		return &n, nil
	}
	out := cleanupJSON{DryRun: res.DryRun, Sessions: make([]cleanupSessionJSON, 0, len(res.Sessions))}
	out.Deleted, out.WouldDelete = count(res.Deleted)
	for _, sc := range res.Sessions {
		row := cleanupSessionJSON{SessionID: sc.SessionID, Skipped: sc.Skipped}
		if sc.Skipped == "" {
			row.Deleted, row.WouldDelete = count(sc.Deleted)
		}
		out.Sessions = append(out.Sessions, row)
	}
	return out
}

func cleanupTable(res checkpoint.CleanupResult) *table {
	verb := "DELETED"
	if res.DryRun {
		verb = "WOULD DELETE"
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
}
