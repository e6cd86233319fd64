package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// Auction order cut-offs (Alpaca's): opg orders are refused from 09:28 to
// 19:00 New York, cls orders from ten minutes before the close to 19:00;
// after 19:00 they are queued for the next trading day's auction.
const (
	opgCutoff      = 2 * time.Minute
	clsCutoff      = 10 * time.Minute
	auctionQueueAt = 19 * time.Hour
)

func auction(tif string) bool { return tif == "opg" || tif == "cls" }

// auctionAtLocked is the auction an opg (opening) or cls (closing) order
// placed at now takes part in. Auction times come from the NYSE calendar
// whether or not the exchange applies market hours.
func (e *Exchange) auctionAtLocked(tif string, now time.Time) (time.Time, error) {
	at := func(td tradingDay) time.Time {
		if tif == "opg" {
			return td.open
		}
		return td.close
	}
	d := civilOf(now, e.cal.ny)
	if td, ok := e.cal.day(d); ok {
		cut := td.open.Add(-opgCutoff)
		if tif == "cls" {
			cut = td.close.Add(-clsCutoff)
		}
		if now.Before(cut) {
			return at(td), nil
		}
		if now.Before(d.midnight(e.cal.ny).Add(auctionQueueAt)) {
			return time.Time{}, invalid(tif + " orders are not accepted from " + cut.In(e.cal.ny).Format("15:04") +
				" to 19:00 ET; after 19:00 they are queued for the next trading day")
		}
	}
	return at(e.cal.nextDay(d)), nil
}

// nextAuctionLocked is the earliest auction in (from, to] that an open
// order waits for.
func (e *Exchange) nextAuctionLocked(from, to time.Time) (time.Time, bool) {
	var next time.Time
	for _, o := range e.st.Orders {
		if o.working() && o.AuctionAt != nil && o.AuctionAt.After(from) && !o.AuctionAt.After(to) &&
			(next.IsZero() || o.AuctionAt.Before(next)) {
			next = *o.AuctionAt
		}
	}
	return next, !next.IsZero()
}

// runAuctionsLocked crosses the orders of the auction at `at`: the opening
// auction's price is the session's first price, the closing auction's its
// last; a market order fills there (one price, no slippage), a limit order
// if the price is at or better than its limit. What does not fill is
// canceled at the auction, as Alpaca cancels unfilled opg and cls orders.
func (e *Exchange) runAuctionsLocked(at time.Time) {
	for _, o := range append([]*order(nil), e.st.Orders...) {
		if !o.working() || o.AuctionAt == nil || !o.AuctionAt.Equal(at) {
			continue
		}
		if px, ok := e.auctionPriceLocked(o, at); ok && (o.Type == "market" || limitOK(o.Side == "buy", px, *o.LimitPrice)) {
			e.fillLocked(o, px, at)
			continue
		}
		e.endLocked(o, statusCanceled, at)
	}
}

func (e *Exchange) auctionPriceLocked(o *order, at time.Time) (decimal.Decimal, bool) {
	if o.TimeInForce == "cls" {
		return e.priceLocked(o.Symbol, at.Add(-time.Nanosecond))
	}
	return e.priceLocked(o.Symbol, at)
}
