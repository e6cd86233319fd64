// Market-data calls through the SDK's StockApi (raw generated methods, so
// every answer can be checked against its model) and its ergonomic layer.
import assert from "node:assert/strict";

const SAFE = Number.MAX_SAFE_INTEGER;

function checkTrade(ctx, t, what) {
  assert.ok(Number.isSafeInteger(t.i) && t.i > 0 && t.i <= SAFE, `${what}: trade id ${t.i} is not a safe integer`);
  assert.ok(Array.isArray(t.c) && t.c.length > 0 && typeof t.x === "string", `${what}: conditions and exchange`);
  ctx.oneOf(t.z, ctx.marketData.StockTape, `${what}.z`);
  assert.ok(t.p > 0 && t.s > 0, `${what}: price and size`);
}

function checkQuote(ctx, q, what) {
  assert.ok(q.bp > 0 && q.ap > q.bp, `${what}: bid ${q.bp} below ask ${q.ap}`);
  assert.ok(Array.isArray(q.c) && typeof q.bx === "string" && typeof q.ax === "string", `${what}: conditions and exchanges`);
  ctx.oneOf(q.z, ctx.marketData.StockTape, `${what}.z`);
}

// nyMidnight reports whether t is 00:00 in New York.
function nyMidnight(t) {
  const s = new Date(t).toLocaleString("en-US", { timeZone: "America/New_York", hour12: false, hour: "2-digit", minute: "2-digit" });
  return s === "24:00" || s === "00:00";
}

export async function marketDataCalls(ctx) {
  const { alpaca, marketData: md, seen } = ctx;
  const stocks = alpaca.marketData.stocks;
  const day = { start: new Date("2025-03-11T13:30:00Z"), end: new Date("2025-03-11T20:00:00Z") };

  await ctx.call("GET /v2/stocks/{symbol}/bars (stockBarSingle, 1Hour)", async () => {
    const r = await stocks.stockBarSingle({ symbol: "AAPL", timeframe: "1Hour", ...day });
    ctx.model(md, "StockBarsRespSingle", r, seen.raw);
    assert.equal(r.symbol, "AAPL");
    assert.ok(r.bars.length >= 6, `${r.bars.length} bars`);
  });
  await ctx.call("GET /v2/stocks/bars (stockBars, 1Week)", async () => {
    const r = await stocks.stockBars({ symbols: "AAPL,MSFT", timeframe: "1Week", start: new Date("2025-01-06T05:00:00Z"), end: new Date("2025-03-03T05:00:00Z") });
    ctx.model(md, "StockBarsResp", r, seen.raw);
    for (const b of seen.raw.bars.AAPL) {
      assert.ok(nyMidnight(b.t) && new Date(Date.parse(b.t) + 12 * 3600e3).getUTCDay() === 1, `week bar at ${b.t}: not a Monday in New York`);
    }
    assert.equal(seen.raw.bars.AAPL.length, 9, "6 January to 3 March: nine weeks, the bar starting at end included");
  });
  await ctx.call("GET /v2/stocks/bars (stockBars, 1Month)", async () => {
    const r = await stocks.stockBars({ symbols: "AAPL", timeframe: "1Month", start: new Date("2024-12-01T05:00:00Z"), end: new Date("2025-03-01T05:00:00Z") });
    ctx.model(md, "StockBarsResp", r, seen.raw);
    const ts = seen.raw.bars.AAPL.map((b) => b.t);
    assert.equal(ts.length, 3);
    for (const t of ts) assert.ok(nyMidnight(t) && new Date(Date.parse(t) + 12 * 3600e3).getUTCDate() === 1, `month bar at ${t}`);
  });
  let last;
  await ctx.call("GET /v2/stocks/{symbol}/trades/latest (stockLatestTradeSingle)", async () => {
    const r = await stocks.stockLatestTradeSingle({ symbol: "AAPL" });
    ctx.model(md, "StockLatestTradesRespSingle", r, seen.raw);
    checkTrade(ctx, seen.raw.trade, "trade");
    last = seen.raw.trade;
  });
  await ctx.call("GET /v2/stocks/trades/latest (stockLatestTrades)", async () => {
    const r = await stocks.stockLatestTrades({ symbols: "AAPL,MSFT" });
    ctx.model(md, "StockLatestTradesResp", r, seen.raw);
    assert.deepEqual(Object.keys(seen.raw.trades).sort(), ["AAPL", "MSFT"]);
    assert.equal(seen.raw.trades.AAPL.p, last.p);
  });
  await ctx.call("getLatestPrice (ergonomic, latest trade)", async () => {
    assert.equal(await alpaca.marketData.getLatestPrice("AAPL"), last.p);
  });
  await ctx.call("GET /v2/stocks/{symbol}/bars/latest (stockLatestBarSingle)", async () => {
    const r = await stocks.stockLatestBarSingle({ symbol: "AAPL" });
    ctx.model(md, "StockLatestBarsRespSingle", r, seen.raw);
    assert.equal(r.symbol, "AAPL");
  });
  await ctx.call("GET /v2/stocks/bars/latest (stockLatestBars)", async () => {
    const r = await stocks.stockLatestBars({ symbols: "AAPL,MSFT" });
    ctx.model(md, "StockLatestBarsResp", r, seen.raw);
    assert.equal(Object.keys(seen.raw.bars).length, 2);
  });
  await ctx.call("GET /v2/stocks/{symbol}/quotes/latest (stockLatestQuoteSingle)", async () => {
    const r = await stocks.stockLatestQuoteSingle({ symbol: "AAPL" });
    ctx.model(md, "StockLatestQuotesRespSingle", r, seen.raw);
    checkQuote(ctx, seen.raw.quote, "quote");
    assert.ok(seen.raw.quote.bp < last.p && last.p < seen.raw.quote.ap, "the last trade lies inside the quote");
  });
  await ctx.call("GET /v2/stocks/quotes/latest (stockLatestQuotes)", async () => {
    const r = await stocks.stockLatestQuotes({ symbols: "AAPL,MSFT" });
    ctx.model(md, "StockLatestQuotesResp", r, seen.raw);
    for (const q of Object.values(seen.raw.quotes)) checkQuote(ctx, q, "quote");
  });
  await ctx.call("GET /v2/stocks/{symbol}/snapshot (stockSnapshotSingle)", async () => {
    const r = await stocks.stockSnapshotSingle({ symbol: "AAPL" });
    ctx.model(md, "StockSnapshotsRespSingle", r, seen.raw);
    for (const k of ["latestTrade", "latestQuote", "minuteBar", "dailyBar", "prevDailyBar"]) assert.ok(seen.raw[k], `no ${k}`);
    assert.ok(nyMidnight(seen.raw.dailyBar.t) && nyMidnight(seen.raw.prevDailyBar.t), "day bars at New York midnight");
    assert.ok(Date.parse(seen.raw.prevDailyBar.t) < Date.parse(seen.raw.dailyBar.t));
  });
  await ctx.call("GET /v2/stocks/snapshots (stockSnapshots)", async () => {
    const r = await stocks.stockSnapshots({ symbols: "AAPL,MSFT" });
    assert.deepEqual(Object.keys(seen.raw).sort(), ["AAPL", "MSFT"]);
    for (const sym of Object.keys(seen.raw)) ctx.model(md, "StockSnapshot", r[sym], seen.raw[sym]);
  });
  await ctx.call("GET /v2/stocks/{symbol}/trades (stockTradeSingle, two pages)", async () => {
    const r = await stocks.stockTradeSingle({ symbol: "AAPL", ...day, limit: 5 });
    ctx.model(md, "StockTradesRespSingle", r, seen.raw);
    const first = seen.raw.trades;
    assert.equal(first.length, 5);
    assert.ok(r.nextPageToken, "a first page of 5 has a next_page_token");
    for (const t of first) {
      checkTrade(ctx, t, "trade");
      assert.deepEqual(t.c, ["@"], "a regular-session trade is a regular sale");
    }
    const r2 = await stocks.stockTradeSingle({ symbol: "AAPL", ...day, limit: 5, pageToken: r.nextPageToken });
    ctx.model(md, "StockTradesRespSingle", r2, seen.raw);
    assert.ok(Date.parse(seen.raw.trades[0].t) > Date.parse(first[4].t), "the second page follows the first");
  });
  await ctx.call("GET /v2/stocks/trades (stockTrades)", async () => {
    const r = await stocks.stockTrades({ symbols: "AAPL,MSFT", ...day, limit: 20 });
    ctx.model(md, "StockTradesResp", r, seen.raw);
    for (const t of seen.raw.trades.AAPL) checkTrade(ctx, t, "trade");
  });
  await ctx.call("GET /v2/stocks/{symbol}/quotes (stockQuoteSingle)", async () => {
    const r = await stocks.stockQuoteSingle({ symbol: "AAPL", ...day, limit: 8 });
    ctx.model(md, "StockQuotesRespSingle", r, seen.raw);
    assert.equal(seen.raw.quotes.length, 8);
    for (const q of seen.raw.quotes) checkQuote(ctx, q, "quote");
  });
  await ctx.call("GET /v2/stocks/quotes (stockQuotes)", async () => {
    const r = await stocks.stockQuotes({ symbols: "AAPL,MSFT", ...day, limit: 20 });
    ctx.model(md, "StockQuotesResp", r, seen.raw);
    for (const q of seen.raw.quotes.AAPL) checkQuote(ctx, q, "quote");
  });
}
