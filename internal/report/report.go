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
	ValueSeries(ctx context.Context, sessionID string) ([]db.ValuePoint, error)
	CheckpointSeries(ctx context.Context, sessionID string) ([]db.CheckpointPoint, error)
	Fills(ctx context.Context, sessionID string) ([]db.Fill, error)
}

// Report is the view model of the HTML report. Every time in it is
// market time (the broker's clock, which fills carry and the simulated
// exchange runs faster than the wall clock) except the session's wall
// start and end and GeneratedAt, which the page states once.
type Report struct {
	Summary Summary
	// Trades are all of the session's positions; Closed and Open split
	// them, so the page counts them as the summary does.
	Trades       []Trade
	Closed, Open []Trade
	// Curve is the equity curve's points; Checkpoints counts the
	// checkpoints stored now (cleanup may have deleted older ones).
	Curve          Curve
	Checkpoints    int
	MaxDrawdownPct decimal.NullDecimal
	// MarketStart and MarketEnd are the market-time span of the curve, or
	// of the trades when there is no curve; nil when neither exists.
	MarketStart, MarketEnd *time.Time
	// Equity and Drawdown are nil when nothing can be plotted.
	Equity      *Chart
	Drawdown    *Chart
	GeneratedAt time.Time
}

// Build reads the session's summary, positions, value series, checkpoint
// series and fills (one query each, however long the session), values
// the session along them (buildCurve) and lays out the charts.
func Build(ctx context.Context, s Source, sess db.Session, now time.Time, log zerolog.Logger) (Report, error) {
	sum, positions, err := LoadSummary(ctx, s, sess, log)
	if err != nil {
		return Report{}, err
	}
	values, err := s.ValueSeries(ctx, sess.ID)
	if err != nil {
		return Report{}, fmt.Errorf("read value series of session %s: %w", sess.ID, err)
	}
	checkpoints, err := s.CheckpointSeries(ctx, sess.ID)
	if err != nil {
		return Report{}, fmt.Errorf("read checkpoint series of session %s: %w", sess.ID, err)
	}
	fills, err := s.Fills(ctx, sess.ID)
	if err != nil {
		return Report{}, fmt.Errorf("read fills of session %s: %w", sess.ID, err)
	}
	r := Report{Summary: sum, Trades: Trades(positions), Checkpoints: len(checkpoints), GeneratedAt: now.UTC()}
	r.Open, r.Closed = Split(r.Trades)
	r.Curve = buildCurve(replay{capital: sum.InitialValue, positions: positions, fills: fills, values: values,
		checkpoints: checkpoints})
	if pts := r.Curve.Points; len(pts) > 0 {
		eq := equityChart(r.Curve, sum.InitialValue, r.Trades)
		dd, worst := drawdownChart(pts)
		r.Equity, r.Drawdown, r.MaxDrawdownPct = &eq, &dd, decimal.NewNullDecimal(worst)
		r.MarketStart, r.MarketEnd = &pts[0].At, &pts[len(pts)-1].At
	} else {
		r.MarketStart, r.MarketEnd = tradeSpan(r.Trades)
	}
	return r, nil
}

// tradeSpan is the market time from the first entry to the last entry or
// exit.
func tradeSpan(trades []Trade) (first, last *time.Time) {
	for _, t := range trades {
		for _, at := range []*time.Time{&t.EntryTime, t.ExitTime} {
			if at == nil {
				continue
			}
			if first == nil || at.Before(*first) {
				first = at
			}
			if last == nil || at.After(*last) {
				last = at
			}
		}
	}
	return first, last
}

// WallClock states the session's wall-time span once: when it started,
// when it ended (or that it has not), how long that was, and when the
// report was made.
func (r Report) WallClock() string {
	start := r.Summary.StartTime.UTC()
	out := start.Format("2006-01-02 15:04:05")
	end := r.GeneratedAt
	if r.Summary.EndTime != nil {
		end = *r.Summary.EndTime
		layout := "15:04:05"
		if end.Format("2006-01-02") != start.Format("2006-01-02") {
			layout = "2006-01-02 15:04:05"
		}
		out += " to " + end.UTC().Format(layout) + " UTC (" + end.Sub(start).Round(time.Second).String() + ")"
	} else {
		out += " UTC, not ended (" + end.Sub(start).Round(time.Second).String() + " so far)"
	}
	return out + "; report generated " + r.GeneratedAt.Format("2006-01-02 15:04:05") + " UTC"
}
