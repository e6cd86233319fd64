package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Run is one run of a session: from a process taking it (a start, a resume
// after a crash, a reopen of a completed session) to that process ending
// it cleanly, or to the next run when it did not.
type Run struct {
	N int `json:"run"`
	// How is "start", "resume" (after a run that did not end cleanly) or
	// "reopen" (after one that did).
	How          string     `json:"how"`
	BeganWall    time.Time  `json:"began_wall"`
	BeganMarket  time.Time  `json:"began_market"`
	EndedWall    *time.Time `json:"ended_wall"`
	EndedMarket  *time.Time `json:"ended_market"`
	EndedCleanly bool       `json:"ended_cleanly"`
	// Equity and PnL are the session's value at the run's end (its last
	// value point), against the session's starting capital.
	Equity decimal.NullDecimal `json:"equity"`
	PnL    decimal.NullDecimal `json:"pnl"`
}

// Runs reads the session's runs from its value series (which checkpoint
// cleanup never touches): each "start" point begins a run, an "end" point
// ends it cleanly, and the last point before the next start is where a run
// that crashed stood. A series that predates the runs' points gives none.
func Runs(points []db.ValuePoint, capital decimal.NullDecimal) []Run {
	var runs []Run
	for _, p := range points {
		switch p.Source {
		case db.ValueStart:
			r := Run{N: len(runs) + 1, How: "start", BeganWall: p.RecordedAt, BeganMarket: p.MarketTime}
			if n := len(runs); n > 0 {
				r.How = "resume"
				if runs[n-1].EndedCleanly {
					r.How = "reopen"
				}
			}
			runs = append(runs, r)
			continue
		case db.ValueEnd:
			if len(runs) > 0 {
				runs[len(runs)-1].EndedCleanly = true
			}
		}
		if len(runs) == 0 {
			continue
		}
		r := &runs[len(runs)-1]
		wall, market := p.RecordedAt, p.MarketTime
		r.EndedWall, r.EndedMarket, r.Equity = &wall, &market, p.Equity
		r.PnL = decimal.NullDecimal{}
		if p.Equity.Valid && capital.Valid {
			r.PnL = decimal.NewNullDecimal(p.Equity.Decimal.Sub(capital.Decimal))
		}
	}
	return runs
}
