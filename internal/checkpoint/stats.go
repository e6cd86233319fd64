package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Stats summarises a session's checkpoints. JSON names are a stable
// interface for monitoring scripts.
type Stats struct {
	SessionID          string   `json:"session_id"`
	TotalCheckpoints   int64    `json:"total_checkpoints"`
	FirstCheckpoint    *string  `json:"first_checkpoint"`
	LastCheckpoint     *string  `json:"last_checkpoint"`
	TimeSpanMinutes    float64  `json:"time_span_minutes"`
	AvgIntervalSeconds *float64 `json:"avg_interval_seconds"`
	AvgDurationMS      *float64 `json:"avg_duration_ms"`
	MaxDurationMS      *float64 `json:"max_duration_ms"`
	TotalBytes         int64    `json:"total_bytes"`
	SecondsSinceLast   *float64 `json:"seconds_since_last"`
	// LastGoodCheckpoint is the newest checkpoint that verifies, the one
	// resume would use; BadNewer counts newer rows that do not verify.
	LastGoodCheckpoint *string `json:"last_good_checkpoint"`
	BadNewer           int     `json:"bad_newer_checkpoints"`

	last *time.Time
}

// Last is the time of the newest checkpoint, nil when there is none.
func (s Stats) Last() *time.Time { return s.last }

// ComputeStats aggregates in the store and derives the rest. The average
// interval is span / (count - 1): n checkpoints have n-1 gaps.
func ComputeStats(ctx context.Context, s Store, sessionID string, now time.Time) (Stats, error) {
	raw, err := s.CheckpointStats(ctx, sessionID)
	if err != nil {
		return Stats{}, fmt.Errorf("checkpoint stats of session %s: %w", sessionID, err)
	}
	st := Stats{
		SessionID:        sessionID,
		TotalCheckpoints: raw.Total,
		AvgDurationMS:    raw.AvgDurationMS,
		MaxDurationMS:    raw.MaxDurationMS,
		TotalBytes:       raw.TotalBytes,
		last:             raw.Last,
	}
	if raw.First != nil && raw.Last != nil {
		st.FirstCheckpoint, st.LastCheckpoint = rfc3339(*raw.First), rfc3339(*raw.Last)
		span := raw.Last.Sub(*raw.First)
		st.TimeSpanMinutes = span.Minutes()
		if raw.Total > 1 {
			avg := span.Seconds() / float64(raw.Total-1)
			st.AvgIntervalSeconds = &avg
		}
		since := now.Sub(*raw.Last).Seconds()
		st.SecondsSinceLast = &since
	}
	if raw.Total > 0 {
		good, err := Restore(ctx, s, sessionID, zerolog.Nop())
		switch {
		case err == nil:
			st.LastGoodCheckpoint, st.BadNewer = rfc3339(good.CheckpointTime), good.SkippedNewer
		case errors.Is(err, ErrNoCheckpoint):
			st.BadNewer = int(raw.Total)
		default:
			return Stats{}, err
		}
	}
	return st, nil
}

func rfc3339(t time.Time) *string {
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}
