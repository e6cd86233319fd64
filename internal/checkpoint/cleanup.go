package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/db"
)

// CleanupOptions selects what to prune. With SessionID set, that session is
// cleaned whatever its status; with All, every session except active ones
// (unless IncludeActive).
type CleanupOptions struct {
	SessionID     string
	All           bool
	Keep          int
	OlderThan     time.Duration // 0 = no age limit
	IncludeActive bool
	DryRun        bool
	BatchSize     int
	Now           time.Time
}

// SessionCleanup is the count for one session.
type SessionCleanup struct {
	SessionID string `json:"session_id"`
	Deleted   int64  `json:"deleted"`
	Skipped   string `json:"skipped,omitempty"`
}

// CleanupResult is what cleanup did (or, dry, would do).
type CleanupResult struct {
	Deleted  int64            `json:"deleted"`
	Sessions []SessionCleanup `json:"sessions"`
	DryRun   bool             `json:"dry_run"`
}

// Cleanup keeps the newest Keep checkpoints of each session and, of the
// rest, deletes those older than OlderThan (all of them when it is 0). The
// newest good checkpoint of a session is never deleted, even with Keep 0,
// because it is what resume would start from.
func Cleanup(ctx context.Context, s Store, o CleanupOptions, log zerolog.Logger) (CleanupResult, error) {
	if o.Keep < 0 {
		return CleanupResult{}, fmt.Errorf("keep must be 0 or more, got %d", o.Keep)
	}
	res := CleanupResult{Sessions: []SessionCleanup{}, DryRun: o.DryRun}
	var targets []db.SessionSummary
	if o.All {
		all, err := s.ListSessions(ctx, db.SessionFilter{})
		if err != nil {
			return res, fmt.Errorf("list sessions: %w", err)
		}
		for _, ss := range all {
			if ss.Status == db.StatusActive && !o.IncludeActive {
				res.Sessions = append(res.Sessions, SessionCleanup{SessionID: ss.ID, Skipped: "active"})
				continue
			}
			targets = append(targets, ss)
		}
	} else {
		targets = []db.SessionSummary{{Session: db.Session{ID: o.SessionID}}}
	}
	for i, t := range targets {
		n, err := cleanSession(ctx, s, t.ID, o, log)
		if err != nil {
			return res, err
		}
		// Progress on stderr: cleaning every session of a large database
		// takes a while.
		key, msg := "deleted", "cleaned checkpoints"
		if o.DryRun {
			key, msg = "would_delete", "counted checkpoints to clean (dry run)"
		}
		log.Info().Str("session", t.ID).Int64(key, n).Bool("dry_run", o.DryRun).
			Int("done", i+1).Int("of", len(targets)).Msg(msg)
		res.Deleted += n
		res.Sessions = append(res.Sessions, SessionCleanup{SessionID: t.ID, Deleted: n})
	}
	return res, nil
}

func cleanSession(ctx context.Context, s Store, sessionID string, o CleanupOptions, log zerolog.Logger) (int64, error) {
	d := db.CheckpointDelete{SessionID: sessionID, Keep: o.Keep, BatchSize: o.BatchSize, DryRun: o.DryRun}
	if o.OlderThan > 0 {
		cut := o.Now.Add(-o.OlderThan)
		d.OlderThan = &cut
	}
	good, err := Restore(ctx, s, sessionID, log)
	switch {
	case err == nil:
		d.Protect = good.CheckpointID
	case errors.Is(err, ErrNoCheckpoint):
	default:
		return 0, err
	}
	n, err := s.DeleteCheckpoints(ctx, d)
	if err != nil {
		return 0, fmt.Errorf("delete checkpoints of session %s: %w", sessionID, err)
	}
	return n, nil
}
