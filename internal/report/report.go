package report

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Source is what the HTML report reads from the store.
type Source interface {
	SummarySource
	CheckpointSeries(ctx context.Context, sessionID string) ([]db.CheckpointPoint, error)
}

// Report is the view model of the HTML report.
type Report struct {
	Summary Summary
	Trades  []Trade
	// Checkpoints counts the session's checkpoints; Plotted those with a
	// portfolio value, each one point of the equity curve.
	Checkpoints    int
	Plotted        int
	MaxDrawdownPct decimal.NullDecimal
	// Equity and Drawdown are nil when nothing can be plotted.
	Equity      *Chart
	Drawdown    *Chart
	GeneratedAt time.Time
}

// Build reads the session's summary, positions and checkpoint series (one
// query, however long the session) and lays out the charts.
func Build(ctx context.Context, s Source, sess db.Session, now time.Time, log zerolog.Logger) (Report, error) {
	sum, positions, err := LoadSummary(ctx, s, sess, log)
	if err != nil {
		return Report{}, err
	}
	series, err := s.CheckpointSeries(ctx, sess.ID)
	if err != nil {
		return Report{}, fmt.Errorf("read checkpoint series of session %s: %w", sess.ID, err)
	}
	r := Report{Summary: sum, Trades: Trades(positions), Checkpoints: len(series), GeneratedAt: now.UTC()}
	pts, skipped := valuePoints(series)
	if skipped > 0 {
		log.Warn().Str("session", sess.ID).Int("checkpoints", skipped).
			Msg("checkpoints without a portfolio value are left out of the charts")
	}
	r.Plotted = len(pts)
	if len(pts) > 0 {
		eq := equityChart(pts, r.Trades, newClockMap(series))
		dd, worst := drawdownChart(pts)
		r.Equity, r.Drawdown, r.MaxDrawdownPct = &eq, &dd, decimal.NewNullDecimal(worst)
	}
	return r, nil
}
