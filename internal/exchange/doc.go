// Package exchange is a simulated Alpaca-compatible broker: it serves the
// trading API and the market-data API that the official Go client
// (github.com/alpacahq/alpaca-trade-api-go/v3, packages alpaca and
// marketdata) calls, on one base URL, so the whole product runs offline.
//
// The matching engine (orders.go, matching.go, positions.go, validate.go,
// account.go, hours.go) knows nothing of HTTP: it refuses with a refusal
// (errors.go) that server.go maps to Alpaca's status, code and body. The
// routes are in server.go's Handler, the handlers in handlers_*.go,
// admin.go and stream.go. Where Alpaca's behaviour is not documented, the
// choice made is written below.
//
// # Trading and market data
//
// Served paths: GET /v2/account, GET /v2/clock, GET /v2/calendar, GET
// /v2/assets/{symbol}, GET /v2/positions, DELETE /v2/positions,
// GET|DELETE /v2/positions/{symbol} (qty or percentage), POST|GET|DELETE
// /v2/orders, GET|DELETE /v2/orders/{id}, GET
// /v2/orders:by_client_order_id, GET /v2/stocks/bars, GET
// /v2/stocks/bars/latest and GET /v2/stocks/trades/latest, and the
// server-sent-events stream GET /v2/events/trades (events new, fill,
// canceled and expired; since/since_id replay the in-memory log of this
// process, until/until_id end the stream; without since it starts with new
// events). Errors carry Alpaca's body {"code":N,"message":"..."}:
// 401/40110000 for a wrong key, 404/40410000 for an unknown order,
// position or asset, 422/40010001 "client_order_id must be unique" for a
// reused client_order_id (also after the first order was canceled),
// 422/42210000 for other invalid orders, 403/40310000 for insufficient
// buying power or position qty, and 400/40010000 for a market-data or
// calendar query that cannot be read.
//
// Symbols: any symbol of one to five upper-case ASCII letters, optionally
// followed by '.' and a one- or two-letter class (BRK.B), is a tradable
// asset with generated prices; anything else (lower case, digits, longer)
// is unknown: 404 from /v2/assets, 422 for an order, 400 for bars. With a
// bars file only the file's symbols exist.
//
// Market time runs Speed times faster than the wall clock (Config.Now,
// injectable) from the moment the state was created; /v2/clock reports it
// in New York's UTC offset, as Alpaca does, orders and bars are stamped
// with it, and it continues across restarts that keep the state file.
//
// # Prices
//
// Generated prices are a pure function of (Seed, symbol, minute): per UTC
// day a Brownian bridge of one-minute steps between day levels, with
// momentum bursts (20-25 minutes of 2.3-3.2% drift in one direction at 5-8x
// volume; about one burst per symbol every four market hours), so the
// default momentum strategy trades. Random-walk volatility (0.7% per hour)
// is calibrated on shared/data's real hourly bars. History exists for any
// past time, and the generated market never sleeps: it has prices at
// night and on holidays too (under market hours nothing trades on them).
//
// A bars file (symbol,timestamp,open,high,low,close,volume; timestamps are
// bar starts in UTC, as Alpaca stamps bars) replays instead, starting at
// its 101st distinct timestamp so strategies have history at once; only
// its symbols exist. Its resolution is the smallest spacing of a symbol's
// bars.
//
// The price path. Every base bar (a generated minute, a bar of the file)
// is replayed as four prices: the open, then whichever of high and low is
// nearer the open (the high on a tie), then the other, then the close, at
// the start of the bar's trading span and a quarter, a half and three
// quarters into it (NautilusTrader's bar execution orders a bar's prices
// the same way). The trading span is the bar itself, except that a bar of
// a bars file that overlaps a regular session traded only inside it: the
// hourly bar stamped 14:00 UTC in winter holds the trades from the 09:30
// open (14:30 UTC), so its path runs 14:30, 14:37:30, 14:45, 14:52:30. The
// current price, the one /v2/stocks/trades/latest reports and market
// orders and positions use, is the last point of the path at or before
// now: between bars (after the close point, overnight, after a file's last
// bar) it is the last close. Bars only cover complete buckets; without
// start, /v2/stocks/bars returns the limit's worth of history before end
// (Alpaca begins at the start of the day). /v2/stocks/bars/latest is the
// last complete base bar.
//
// Timeframes: only the data's resolution or coarser is served; a finer
// one (1Min of an hourly file) is a 400 naming the resolution, and so is
// a minute or hour timeframe that is not a whole number of base bars.
// Minute and hour bars are UTC-aligned multiples of their length (Alpaca
// aligns 4Hour bars to 00:00, 04:00, ... UTC). 1Day, 1Week and 1, 2, 3,
// 4, 6 or 12Month bars follow New York's calendar and are stamped at New
// York midnight: a week starts on Monday, a month on its first day,
// multi-month bars on January, March, ... (the multiple of n from
// January), as Alpaca stamps them. A day bar aggregates every base bar of
// its New York date, extended-hours bars included (Alpaca does not say;
// volume then counts all trades of the day).
//
// # Matching
//
// Every request, every 500 ms of wall time, and every admin price change
// first settle the resting orders: the pass walks every path point since
// the previous pass (the state's matched_to), in time order across
// symbols, and executes each order at the first point that reaches it. So
// however far the clock jumps between requests, an order fills at the
// price and time it would have met (filled_at is that point's time), and
// the bars nobody looked at still count. Bars that lie inside the band of
// a symbol's resting triggers are passed over whole.
//
// Fill prices. A market order fills at the current price plus (buy) or
// minus (sell) SlippageBps. A limit order fills at its limit price when
// the path passed through it between two points, and at the point's price
// when that price is a jump: a bar's open (a gap from the previous close
// or the last session) or an admin price; so a limit fills at its limit,
// or at the open when the open is better. A stop fills likewise at its
// stop price, or at the open when the open gapped through it, and pays
// the slippage of the market order it becomes. A stop-limit triggers at
// its stop (or the jump's price) and is then a limit order. An order also
// fills at the point's price at the first price it meets after going live
// (it was already marketable: a marketable limit placed now fills at the
// current price, which is never worse than its limit). A bracket's legs
// are held until the entry fills and go live from the next path point on;
// when one leg fills the other is canceled; an OCO's two halves are live
// at once and cancel each other. Fills are never partial (IOC and FOK
// agree: what does not fill at once is canceled). Shorts are allowed;
// buying power is 2 x equity minus gross exposure.
//
// # Market hours and the calendar
//
// With MarketHours the exchange follows the NYSE calendar (calendar.go,
// on github.com/rickar/cal): regular hours 09:30-16:00 New York, closed
// on weekends and on the exchange's holidays (a holiday on Saturday is
// observed on Friday, on Sunday on Monday, but New Year's Day on a
// Saturday closes nothing; Juneteenth from 2022; Good Friday) and on the
// unscheduled closures 2018-12-05 and 2025-01-09, closing at 13:00 on the
// day after Thanksgiving and on 3 July and 24 December when they fall on
// Monday to Thursday. `gambler exchange` turns MarketHours on by default
// when given a bars file: a bars file is a real market.
//
//   - /v2/clock: is_open, and the next open and close of that calendar.
//     Without MarketHours the market never closes; next_open and
//     next_close then both name the next UTC midnight.
//   - GET /v2/calendar?start&end (dates, inclusive; RFC 3339 times are
//     taken as their New York date) lists trading days as Alpaca does:
//     date, open and close ("09:30", "13:00"), session_open and
//     session_close ("0400", "2000"; "1700" on an early-close day, when the
//     late session also ends early: Alpaca does not document this), and
//     settlement_date: the next business day (T+1; T+2 for trades before
//     2024-05-28), skipping exchange holidays and the bank holidays on
//     which the exchange trades (Columbus Day, Veterans Day).
//     date_type=SETTLEMENT selects by settlement date. Without start and
//     end it serves 1970 to 2099 (Alpaca: to 2029). It is served whether or
//     not MarketHours applies.
//   - An order placed outside the hours it may trade in is accepted
//     (status accepted, no event) and routed at the next open (status and
//     event new), where it meets the open as its first price. An IOC or
//     FOK order placed then is canceled at once.
//   - A day order not filled by the close expires: status expired,
//     expired_at the close, stream event expired (Alpaca's status and
//     event for an order that reached the end of its time in force). Its
//     bracket legs, held or live, expire with it. A day order placed after
//     the close is for the next trading day. gtc orders never expire.
//   - extended_hours (only DAY limit orders of class simple, as Alpaca
//     requires; anything else is 422) trades from 04:00 to 20:00 (17:00 on
//     an early-close day) and expires at that late close.
//
// Without MarketHours nothing closes and day orders do not expire.
//
// # Admin API
//
// Under /sim/v1/, only for loopback peers (others get 403), no API keys:
//
//	GET  /sim/v1/price?symbol=AAPL          -> {"symbol":"AAPL","price":"187.12"}
//	POST /sim/v1/price {"symbol":"AAPL","price":"190"}
//	POST /sim/v1/price {"symbol":"AAPL","change_pct":"-2.5"}
//	     sets the price from now on: a jump of the path, which continues
//	     from there (later points scaled to it); resting orders are
//	     settled on the old prices first, then executed at the new one;
//	     answers {"symbol","price"}.
//	POST /sim/v1/burst {"symbol":"AAPL","change_pct":3,"minutes":25,"volume_mult":6}
//	     writes a momentum burst into the recent past: over the `minutes`
//	     (default 25) that end at the last 5-minute boundary of market
//	     time the price ramps by change_pct and volume is multiplied by
//	     volume_mult (default 6); the price stays shifted afterwards and
//	     resting orders are executed at it. The default momentum strategy
//	     sees a signal on its next look at 5Min bars. Answers
//	     {"symbol","start","end","price"}.
//	GET  /sim/v1/faults                      -> the current fault config
//	POST /sim/v1/faults {"rate":0.2,"kinds":["429","500","delay","drop","lost_response"],"delay_ms":1000,"seed":7}
//	     each /v2 request fails with probability rate, with a kind drawn
//	     from kinds: 429 and 500 send an Alpaca error body, delay waits
//	     delay_ms (default 1000) and then serves the request, drop closes
//	     the connection without serving it, and lost_response (POST
//	     /v2/orders only) creates and persists the order, then closes the
//	     connection so the client sees a transport error. Rate 0 turns
//	     faults off. The draw sequence is seeded by seed.
//	GET  /sim/v1/orders                      -> every order ever created,
//	     legs included, flat, in creation order (Alpaca order JSON).
//	POST /sim/v1/reset                       -> forgets orders, positions,
//	     cash, price overrides and faults; the clock keeps running.
//
// # Persistence
//
// With Config.StateFile every change of orders, positions, cash or price
// overrides is written (temp file, fsync, rename, fsync of the directory)
// before the response is sent, so a kill -9 loses nothing acknowledged,
// and New restores the file. One exchange uses a state file at a time:
// New takes an exclusive lock on FILE.lock, writes its pid and host
// there, and refuses (ErrStateFileLocked) a state file another exchange
// holds, naming the holder; Close releases it (and writes nothing). The
// file records where its prices came from (the seed, or the bars file's
// path and SHA-256); a restart on other prices (another seed, another
// file's content, or generated prices instead of a file) is refused with
// ErrPriceSourceChanged unless Config.ResetPrices (`--reset-prices`), which
// keeps the account and its orders on the new prices. A bars file that
// only moved (same content) is the same prices. A state file that is
// empty, {} or null, or not an exchange state, is refused with a message
// saying to delete or restore it. Version 1 files (before price paths) are
// upgraded: their orders meet prices from the restart on.
package exchange
