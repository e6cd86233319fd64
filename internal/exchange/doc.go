// Package exchange is a simulated Alpaca-compatible broker: it serves the
// trading API and the market-data API that the official Go client
// (github.com/alpacahq/alpaca-trade-api-go/v3, packages alpaca and
// marketdata) calls, on one base URL, so the whole product runs offline.
//
// # Trading and market data
//
// Served paths: GET /v2/account, GET /v2/clock, GET /v2/assets/{symbol},
// GET /v2/positions, DELETE /v2/positions, GET|DELETE /v2/positions/{symbol}
// (qty or percentage), POST|GET|DELETE /v2/orders, GET|DELETE
// /v2/orders/{id}, GET /v2/orders:by_client_order_id, GET /v2/stocks/bars,
// GET /v2/stocks/bars/latest and GET /v2/stocks/trades/latest, and the
// server-sent-events stream GET /v2/events/trades (events new, fill and
// canceled; since/since_id replay the in-memory log of this process,
// until/until_id end the stream; without since it starts with new events).
// Errors carry
// Alpaca's body {"code":N,"message":"..."}: 401/40110000 for a wrong key,
// 404/40410000 for an unknown order, position or asset, 422/40010001
// "client_order_id must be unique" for a reused client_order_id (also after
// the first order was canceled), 422/42210000 for other invalid orders and
// 403/40310000 for insufficient buying power.
//
// Symbols: any symbol of one to five upper-case ASCII letters, optionally
// followed by '.' and a one- or two-letter class (BRK.B), is a tradable
// asset with generated prices; anything else (lower case, digits, longer)
// is unknown: 404 from /v2/assets, 422 for an order, 400 for bars. With a
// bars file only the file's symbols exist.
//
// Market time runs Speed times faster than the wall clock from the moment
// the state was created; /v2/clock reports it, orders and bars are stamped
// with it, and it continues across restarts that keep the state file.
// Without MarketHours the market never closes.
//
// Prices are a pure function of (Seed, symbol, minute): per UTC day a
// Brownian bridge of one-minute steps between day levels, with momentum
// bursts (20-25 minutes of 2.3-3.2% drift in one direction at 5-8x volume;
// about one burst per symbol every four market hours), so the default
// momentum strategy trades. Random-walk volatility (0.7% per hour) is
// calibrated on shared/data's real hourly bars. History exists for any past time. The current
// price is the open of the minute bar forming now; bars only cover complete
// buckets; without start, /v2/stocks/bars returns the limit's worth of
// history before end. Admin price changes and bursts show in bars,
// trades and fills alike.
//
// Matching: market and stop orders fill at the current price plus (buy) or
// minus (sell) SlippageBps; limit orders fill at the current price once it
// is at or through the limit. A bracket's legs are "held" until the entry
// fills; when one leg fills the other is canceled; an OCO's two halves are
// live at once and cancel each other. Orders are matched on every request,
// every 500 ms of wall time, and after an admin price change. Shorts are
// allowed; buying power is 2 x equity minus gross exposure. Day orders do
// not expire and fills are never partial.
//
// # Admin API
//
// Under /sim/v1/, only for loopback peers (others get 403), no API keys:
//
//	GET  /sim/v1/price?symbol=AAPL          -> {"symbol":"AAPL","price":"187.12"}
//	POST /sim/v1/price {"symbol":"AAPL","price":"190"}
//	POST /sim/v1/price {"symbol":"AAPL","change_pct":"-2.5"}
//	     sets the price from the current minute on (the generated path
//	     continues from there) and matches resting orders at once;
//	     answers {"symbol","price"}.
//	POST /sim/v1/burst {"symbol":"AAPL","change_pct":3,"minutes":25,"volume_mult":6}
//	     writes a momentum burst into the recent past: over the `minutes`
//	     (default 25) that end at the last 5-minute boundary of market
//	     time the price ramps by change_pct and volume is multiplied by
//	     volume_mult (default 6); the price stays shifted afterwards and
//	     resting orders are matched. The default momentum strategy sees a
//	     signal on its next look at 5Min bars. Answers
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
// and New restores the file.
package exchange
