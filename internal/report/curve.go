package report

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// CurvePoint is one vertex of the equity curve: the session's own value
// right after everything that happened at a market instant.
type CurvePoint struct {
	At         time.Time       `json:"market_time"`
	Equity     decimal.Decimal `json:"equity"`
	Realized   decimal.Decimal `json:"realized_pnl"`
	Unrealized decimal.Decimal `json:"unrealized_pnl"`
	// What the instant is: Fills counts the fills at it; Start marks a
	// run's start and Checkpoint a checkpoint (from the value series, or
	// from a checkpoint row older than the series); Trade an entry or exit
	// of a position with no fill recorded (written by another tool).
	Fills      int  `json:"fills"`
	Start      bool `json:"start"`
	Checkpoint bool `json:"checkpoint"`
	Trade      bool `json:"trade"`
	f          float64
}

// Curve is the session's equity over market time.
type Curve struct {
	Points []CurvePoint
	// Fills counts the fills the curve passes through; FillInstants the
	// distinct market instants they fell on; Starts and Checkpoints the
	// instants of runs' starts and of checkpoints.
	Fills, FillInstants, Starts, Checkpoints int
	// AccountValue says the curve is the account's portfolio value at each
	// checkpoint: the session has no starting capital to value it from.
	AccountValue bool
}

// priceSeen is a price of symbol observed at a market time.
type priceSeen struct {
	at     time.Time
	symbol string
	price  decimal.Decimal
}

// replay is what the curve is computed from: the session's own record.
type replay struct {
	capital     decimal.NullDecimal
	positions   []db.Position
	fills       []db.Fill
	values      []db.ValuePoint
	checkpoints []db.CheckpointPoint
}

// buildCurve values the session at every instant of market time at which
// its record says something: each fill, each entry and exit, each run's
// start and each checkpoint. At an instant, the session is what
// internal/pnl makes of it: the starting capital, plus the P&L of the
// positions closed by then, plus the positions open then at the latest
// price seen at or before it (a fill's, an entry's or exit's, or one the
// trader valued them at when it started or checkpointed). Valuing from
// the record, in market order, and not taking the trader's figures as
// they were written keeps the curve consistent: the trader learns of a
// fill only at its next read-back, so a checkpoint between the two still
// counts the position as open. Checkpoint rows count only before the
// value series begins (a session older than it), and only when they
// recorded their market time.
func buildCurve(r replay) Curve {
	if !r.capital.Valid {
		return accountCurve(r.checkpoints)
	}
	instants := map[time.Time]*CurvePoint{}
	at := func(t time.Time) *CurvePoint {
		t = t.UTC()
		if p, ok := instants[t]; ok {
			return p
		}
		p := &CurvePoint{At: t}
		instants[t] = p
		return p
	}
	var seen []priceSeen
	see := func(t time.Time, symbol string, price decimal.Decimal) {
		if price.IsPositive() {
			seen = append(seen, priceSeen{at: t.UTC(), symbol: symbol, price: price})
		}
	}
	for _, f := range r.fills {
		at(f.FilledAt).Fills++
		see(f.FilledAt, f.Symbol, f.Price)
	}
	for _, p := range r.positions {
		at(p.EntryTime)
		see(p.EntryTime, p.Symbol, p.EntryPrice)
		if p.ExitTime != nil {
			at(*p.ExitTime)
			see(*p.ExitTime, p.Symbol, p.ExitPrice.Decimal)
		}
	}
	for _, p := range r.positions {
		for _, t := range []*time.Time{&p.EntryTime, p.ExitTime} {
			if t != nil && instants[t.UTC()].Fills == 0 {
				instants[t.UTC()].Trade = true
			}
		}
	}
	for _, v := range r.values {
		p := at(v.MarketTime)
		p.Start, p.Checkpoint = p.Start || v.Source == db.ValueStart, p.Checkpoint || v.Source != db.ValueStart
		if !v.PricesStale {
			for sym, px := range v.Prices {
				see(v.MarketTime, sym, px)
			}
		}
	}
	for _, c := range r.checkpoints {
		if c.MarketTime == nil || (len(r.values) > 0 && !c.MarketTime.Before(r.values[0].MarketTime)) {
			continue
		}
		at(*c.MarketTime).Checkpoint = true
		if !c.SessionPricesStale {
			for sym, px := range c.SessionPrices {
				see(*c.MarketTime, sym, px)
			}
		}
	}
	pts := make([]CurvePoint, 0, len(instants))
	for _, p := range instants {
		pts = append(pts, *p)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	sort.SliceStable(seen, func(i, j int) bool { return seen[i].at.Before(seen[j].at) })
	value(pts, r.capital.Decimal, r.positions, seen)
	c := Curve{Points: pts, Fills: len(r.fills)}
	for _, p := range pts {
		c.FillInstants += min(p.Fills, 1)
		c.Starts += boolInt(p.Start)
		c.Checkpoints += boolInt(p.Checkpoint)
	}
	return c
}

// value sweeps the instants in order, opening and closing positions and
// taking prices as they come, and values the session right after each.
func value(pts []CurvePoint, capital decimal.Decimal, positions []db.Position, seen []priceSeen) {
	type event struct {
		at   time.Time
		p    db.Position
		open bool
	}
	var events []event
	for _, p := range positions {
		events = append(events, event{at: p.EntryTime.UTC(), p: p, open: true})
		if p.Status == db.PositionClosed {
			exit := p.EntryTime
			if p.ExitTime != nil {
				exit = *p.ExitTime
			}
			events = append(events, event{at: exit.UTC(), p: p})
		}
	}
	// At one instant an entry comes before an exit, so that a position
	// opened and closed at once ends closed.
	sort.SliceStable(events, func(i, j int) bool {
		return events[i].at.Before(events[j].at) || (events[i].at.Equal(events[j].at) && events[i].open && !events[j].open)
	})
	open := map[int64]db.Position{}
	prices := map[string]decimal.Decimal{}
	realized := decimal.Zero
	for i := range pts {
		t := pts[i].At
		for ; len(seen) > 0 && !seen[0].at.After(t); seen = seen[1:] {
			prices[seen[0].symbol] = seen[0].price
		}
		for ; len(events) > 0 && !events[0].at.After(t); events = events[1:] {
			e := events[0]
			switch {
			case e.open:
				open[e.p.ID] = e.p
			default:
				delete(open, e.p.ID)
				if e.p.PnL.Valid {
					realized = realized.Add(e.p.PnL.Decimal)
				}
			}
		}
		unrealized := decimal.Zero
		for _, p := range open {
			if px, ok := prices[p.Symbol]; ok {
				unrealized = unrealized.Add(pnl.Unrealized(p, px))
			}
		}
		pts[i].Realized, pts[i].Unrealized = realized, unrealized
		pts[i].Equity = capital.Add(realized).Add(unrealized)
		pts[i].f = pts[i].Equity.InexactFloat64()
	}
}

// accountCurve is the account's portfolio value at each checkpoint, for a
// session without a starting capital (rows written by other tools), at
// its market time or, without one, at its checkpoint_time.
func accountCurve(checkpoints []db.CheckpointPoint) Curve {
	c := Curve{AccountValue: true}
	for _, p := range checkpoints {
		if !p.PortfolioValue.Valid {
			continue
		}
		at := p.CheckpointTime.UTC()
		if p.MarketTime != nil {
			at = p.MarketTime.UTC()
		}
		c.Points = append(c.Points, CurvePoint{At: at, Equity: p.PortfolioValue.Decimal, Checkpoint: true,
			f: p.PortfolioValue.Decimal.InexactFloat64()})
	}
	sort.SliceStable(c.Points, func(i, j int) bool { return c.Points[i].At.Before(c.Points[j].At) })
	c.Checkpoints = len(c.Points)
	return c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
