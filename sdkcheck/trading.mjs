// Trading calls through the SDK's generated trading APIs and its order
// builders. Market time starts at 08:00 New York on a trading day; the
// exchange's admin clock moves it to 09:45 and then past the 16:00 close.
import assert from "node:assert/strict";

const OPEN = "2025-03-12T13:30:00.000Z";
const CLOSE = "2025-03-12T20:00:00.000Z";

export async function tradingCalls(ctx) {
  const { alpaca, trading: t, seen } = ctx;
  const tr = alpaca.trading;
  const order = (r, raw = seen.raw) => {
    ctx.model(t, "Order", r, raw);
    ctx.oneOf(r.status, t.OrderStatus, "status");
    ctx.oneOf(r.type, t.OrderType, "type");
    ctx.oneOf(r.timeInForce, t.TimeInForce, "time_in_force");
    ctx.oneOf(r.side, t.OrderSide, "side");
    return r;
  };
  const get = async (id) => order(await tr.orders.getOrderByOrderID({ orderId: id }));
  const price = async (sym) => (await alpaca.marketData.stocks.stockLatestTradeSingle({ symbol: sym })).trade.p;

  await ctx.call("GET /v2/account (getAccount)", async () => {
    const a = await tr.account.getAccount();
    ctx.model(t, "Account", a, seen.raw);
    ctx.oneOf(a.status, t.AccountStatus, "status");
  });
  await ctx.call("GET /v2/clock (legacyClock)", async () => {
    const c = await tr.clock.legacyClock();
    ctx.model(t, "LegacyClock", c, seen.raw);
    assert.equal(c.isOpen, false, "closed at 08:00");
    assert.equal(c.nextOpen.toISOString(), OPEN);
  });
  await ctx.call("GET /v3/clock (clock)", async () => {
    const c = await tr.clock.clock({ markets: "NYSE" });
    ctx.model(t, "ClockResp", c, seen.raw);
    const [nyse] = c.clocks;
    assert.equal(nyse.phase, "pre");
    assert.ok(nyse.isMarketDay);
    assert.equal(nyse.phaseUntil.toISOString(), OPEN);
  });
  await ctx.call("GET /v3/calendar/{market} (calendar)", async () => {
    const c = await tr.calendar.calendar({ market: "NYSE", start: new Date("2025-04-14"), end: new Date("2025-04-21") });
    ctx.model(t, "PublicCalendarResp", c, seen.raw);
    assert.deepEqual(seen.raw.calendar.map((d) => d.date), ["2025-04-14", "2025-04-15", "2025-04-16", "2025-04-17", "2025-04-21"], "Good Friday is closed");
  });
  await ctx.call("GET /v2/calendar (legacyCalendar)", async () => {
    const days = await tr.calendar.legacyCalendar({ start: new Date("2024-11-27"), end: new Date("2024-11-29") });
    days.forEach((d, i) => ctx.model(t, "LegacyCalendarDay", d, seen.raw[i]));
    assert.deepEqual(seen.raw.map((d) => [d.date, d.close]), [["2024-11-27", "16:00"], ["2024-11-29", "13:00"]]);
  });
  let aapl;
  await ctx.call("GET /v2/assets (getV2Assets, status and asset_class)", async () => {
    const list = await tr.assets.getV2Assets({ status: "active", assetClass: "us_equity" });
    list.forEach((a, i) => ctx.model(t, "Assets", a, seen.raw[i]));
    aapl = list.find((a) => a.symbol === "AAPL");
    assert.ok(aapl && list.some((a) => a.symbol === "MSFT"), "AAPL and MSFT listed");
    assert.deepEqual(await tr.assets.getV2Assets({ status: "inactive" }), []);
  });
  await ctx.call("GET /v2/assets/{asset_id} (getV2AssetsSymbolOrAssetId)", async () => {
    const a = await tr.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: aapl.id });
    ctx.model(t, "Assets", a, seen.raw);
    assert.equal(a.symbol, "AAPL");
  });
  await ctx.call("GET /v2/account/configurations (getAccountConfig)", async () => {
    const c = await tr.accountConfigurations.getAccountConfig();
    ctx.model(t, "AccountConfigurations", c, seen.raw);
  });
  await ctx.call("PATCH /v2/account/configurations (patchAccountConfig)", async () => {
    const c = await tr.accountConfigurations.patchAccountConfig({ accountConfigurations: { tradeConfirmEmail: "none" } });
    ctx.model(t, "AccountConfigurations", c, seen.raw);
    assert.equal(c.tradeConfirmEmail, "none");
    assert.equal((await tr.accountConfigurations.getAccountConfig()).tradeConfirmEmail, "none");
  });
  await watchlistCalls(ctx);

  // Before the open: an opening-auction buy, a closing-auction buy, a
  // day order that will expire, and an order to cancel.
  const px = await price("AAPL");
  let opg, cls, day;
  await ctx.call("POST /v2/orders market opg (orders.market)", async () => {
    opg = order(await tr.orders.market({ symbol: "AAPL", qty: 2, side: "buy", timeInForce: "opg" }));
    assert.equal(opg.status, "new");
  });
  await ctx.call("POST /v2/orders limit cls (orders.limit)", async () => {
    cls = order(await tr.orders.limit({ symbol: "MSFT", qty: 1, side: "buy", limitPrice: 10000, timeInForce: "cls" }));
  });
  await ctx.call("POST /v2/orders limit day before the open (accepted)", async () => {
    day = order(await tr.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: (px / 2).toFixed(2), timeInForce: "day" }));
    assert.equal(day.status, "accepted");
  });
  await ctx.call("DELETE /v2/orders/{id} (deleteOrderByOrderID)", async () => {
    const o = await tr.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: (px / 2).toFixed(2), timeInForce: "gtc" });
    await tr.orders.deleteOrderByOrderID({ orderId: o.id });
    assert.equal((await get(o.id)).status, "canceled");
  });

  await ctx.admin(ctx.url, "/sim/v1/clock", { to: "2025-03-12T13:45:00Z" }); // 09:45 New York
  await ctx.call("opg order filled at the opening auction (getOrderByOrderID)", async () => {
    const o = await get(opg.id);
    assert.equal(o.status, "filled");
    assert.equal(o.filledAt.toISOString(), OPEN);
  });
  await ctx.call("POST /v2/orders market qty (orders.market)", async () => {
    const o = order(await tr.orders.market({ symbol: "AAPL", qty: 10, side: "buy", clientOrderId: `sdk-${ctx.source.replace(/\W/g, "")}` }));
    assert.equal(o.status, "filled");
  });
  await ctx.call("GET /v2/orders:by_client_order_id (getOrderByClientOrderId)", async () => {
    const o = order(await tr.orders.getOrderByClientOrderId({ clientOrderId: `sdk-${ctx.source.replace(/\W/g, "")}` }));
    assert.equal(o.symbol, "AAPL");
  });
  await ctx.call("POST /v2/orders notional market (orders.market)", async () => {
    const o = order(await tr.orders.market({ symbol: "MSFT", notional: 1000, side: "buy" }));
    assert.equal(o.status, "filled");
    assert.equal(seen.raw.qty, null);
    assert.equal(seen.raw.notional, "1000");
    const cost = Number(o.filledQty) * Number(o.filledAvgPrice);
    assert.ok(Math.abs(cost - 1000) < 0.01, `filled for ${cost}`);
  });
  await positionCalls(ctx, aapl);
  await ctx.call("PATCH /v2/orders/{id} (patchOrderByOrderId: replace)", async () => {
    const cur = await price("AAPL");
    const o = await tr.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: (cur * 0.5).toFixed(2), timeInForce: "gtc" });
    const n = order(await tr.orders.patchOrderByOrderId({ orderId: o.id, patchOrderRequest: { limitPrice: (cur * 0.6).toFixed(2), qty: "2" } }));
    assert.equal(n.replaces, o.id);
    assert.equal(n.qty, "2");
    const old = await get(o.id);
    assert.equal(old.status, "replaced");
    assert.equal(old.replacedBy, n.id);
  });
  await ctx.call("POST /v2/orders trailing_stop (orders.trailingStop), triggered", async () => {
    const o = order(await tr.orders.trailingStop({ symbol: "AAPL", qty: 5, side: "sell", trailPercent: 2, timeInForce: "gtc" }));
    assert.equal(o.status, "new");
    assert.ok(o.hwm && o.stopPrice, "hwm and stop_price set");
    assert.ok(Math.abs(Number(o.stopPrice) - Number(o.hwm) * 0.98) < 0.011, `stop ${o.stopPrice} trails hwm ${o.hwm} by 2%`);
    const drop = (Number(o.hwm) * 0.95).toFixed(2);
    await ctx.admin(ctx.url, "/sim/v1/price", { symbol: "AAPL", price: drop });
    const f = await get(o.id);
    assert.equal(f.status, "filled");
    assert.equal(Number(f.filledAvgPrice), Number(drop));
  });
  await ctx.call("GET /v2/orders with date-only after/until (getAllOrders)", async () => {
    const list = await tr.orders.getAllOrders({ status: "all", after: "2025-03-12", until: "2025-03-13", limit: 500, direction: "asc" });
    list.forEach((o, i) => order(o, seen.raw[i]));
    assert.ok(list.length >= 8, `${list.length} orders`);
    assert.deepEqual(await tr.orders.getAllOrders({ status: "all", after: "2025-03-13" }), []);
  });

  await ctx.admin(ctx.url, "/sim/v1/clock", { to: "2025-03-12T20:05:00Z" }); // 16:05 New York
  await ctx.call("cls order filled at the closing auction", async () => {
    const o = await get(cls.id);
    assert.equal(o.status, "filled");
    assert.equal(o.filledAt.toISOString(), CLOSE);
  });
  await ctx.call("day order expired at the close", async () => {
    const o = await get(day.id);
    assert.equal(o.status, "expired");
    assert.equal(o.expiredAt.toISOString(), CLOSE);
  });
  await activityCalls(ctx);
  await ctx.call("DELETE /v2/positions (closeAllPositions)", async () => {
    const out = await tr.closeAllPositions({ cancelOrders: true });
    out.forEach((p, i) => ctx.model(t, "PositionClosedReponse", p, seen.raw[i]));
    assert.ok(out.length >= 1);
  });
  await ctx.call("GET /v2/orders/{id} unknown: NotFoundError 40410000", async () => {
    await assert.rejects(tr.orders.getOrderByOrderID({ orderId: "00000000-0000-4000-8000-00000000dead" }),
      (e) => e instanceof ctx.NotFoundError && e.status === 404 && e.code === 40410000);
  });
}

async function positionCalls(ctx, aapl) {
  const { alpaca, trading: t, seen } = ctx;
  const tr = alpaca.trading;
  await ctx.call("GET /v2/positions (getAllOpenPositions)", async () => {
    const ps = await tr.positions.getAllOpenPositions();
    ps.forEach((p, i) => ctx.model(t, "Position", p, seen.raw[i]));
    const p = ps.find((x) => x.symbol === "AAPL");
    assert.ok(p, "an AAPL position");
    const change = (Number(p.currentPrice) - Number(p.lastdayPrice)) / Number(p.lastdayPrice);
    assert.ok(Math.abs(change - Number(p.changeToday)) < 1e-5, `change_today ${p.changeToday}, want ${change}`);
  });
  await ctx.call("GET /v2/positions/{asset_id} (getOpenPosition)", async () => {
    const p = await tr.positions.getOpenPosition({ symbolOrAssetId: aapl.id });
    ctx.model(t, "Position", p, seen.raw);
    assert.equal(p.symbol, "AAPL");
    assert.equal(p.qty, "12");
  });
  await ctx.call("DELETE /v2/positions/{symbol} percentage (deleteOpenPosition)", async () => {
    const o = await tr.positions.deleteOpenPosition({ symbolOrAssetId: "AAPL", percentage: 50 });
    ctx.model(t, "Order", o, seen.raw);
    assert.equal(o.qty, "6");
    assert.equal(o.side, "sell");
  });
}

async function watchlistCalls(ctx) {
  const { alpaca, trading: t, seen } = ctx;
  const wl = alpaca.trading.watchlists;
  const name = `tech-${ctx.source.replace(/\W/g, "")}`;
  const check = (w) => ctx.model(t, "Watchlist", w, seen.raw);
  let id;
  await ctx.call("POST /v2/watchlists (postWatchlist)", async () => {
    const w = await wl.postWatchlist({ createWatchlistRequest: { name, symbols: ["AAPL"] } });
    check(w);
    assert.deepEqual(w.assets.map((a) => a.symbol), ["AAPL"]);
    id = w.id;
  });
  await ctx.call("GET /v2/watchlists (getWatchlists)", async () => {
    const ws = await wl.getWatchlists();
    ws.forEach((w, i) => ctx.model(t, "WatchlistWithoutAsset", w, seen.raw[i]));
    assert.ok(ws.some((w) => w.id === id));
  });
  await ctx.call("POST /v2/watchlists/{id} (addAssetToWatchlist)", async () => {
    const w = await wl.addAssetToWatchlist({ watchlistId: id, addAssetToWatchlistRequest: { symbol: "MSFT" } });
    check(w);
    assert.deepEqual(w.assets.map((a) => a.symbol), ["AAPL", "MSFT"]);
  });
  await ctx.call("GET /v2/watchlists/{id} (getWatchlistById)", async () => {
    check(await wl.getWatchlistById({ watchlistId: id }));
  });
  await ctx.call("DELETE /v2/watchlists/{id}/{symbol} (removeAssetFromWatchlist)", async () => {
    const w = await wl.removeAssetFromWatchlist({ watchlistId: id, symbol: "AAPL" });
    check(w);
    assert.deepEqual(w.assets.map((a) => a.symbol), ["MSFT"]);
  });
  await ctx.call("PUT /v2/watchlists/{id} (updateWatchlistById)", async () => {
    const w = await wl.updateWatchlistById({ watchlistId: id, updateWatchlistRequest: { name: `${name}2`, symbols: ["AAPL", "MSFT"] } });
    check(w);
    assert.equal(w.name, `${name}2`);
  });
  await ctx.call("GET /v2/watchlists:by_name (getWatchlistByName)", async () => {
    const w = await wl.getWatchlistByName({ name: `${name}2` });
    check(w);
    assert.equal(w.id, id);
  });
  await ctx.call("PUT /v2/watchlists:by_name (updateWatchlistByName)", async () => {
    check(await wl.updateWatchlistByName({ name: `${name}2`, updateWatchlistRequest: { name: `${name}3`, symbols: ["MSFT"] } }));
  });
  await ctx.call("POST /v2/watchlists:by_name (addAssetToWatchlistByName)", async () => {
    const w = await wl.addAssetToWatchlistByName({ name: `${name}3`, addAssetToWatchlistRequest: { symbol: "AAPL" } });
    check(w);
    assert.deepEqual(w.assets.map((a) => a.symbol), ["MSFT", "AAPL"]);
  });
  await ctx.call("DELETE /v2/watchlists:by_name (deleteWatchlistByName)", async () => {
    const other = await wl.postWatchlist({ createWatchlistRequest: { name: `${name}-x` } });
    await wl.deleteWatchlistByName({ name: `${name}-x` });
    await assert.rejects(wl.getWatchlistById({ watchlistId: other.id }), (e) => e instanceof ctx.NotFoundError);
  });
  await ctx.call("DELETE /v2/watchlists/{id} (deleteWatchlistById)", async () => {
    await wl.deleteWatchlistById({ watchlistId: id });
    assert.ok(!(await wl.getWatchlists()).some((w) => w.id === id));
  });
}

async function activityCalls(ctx) {
  const { alpaca, trading: t, seen } = ctx;
  const tr = alpaca.trading;
  await ctx.call("GET /v2/account/activities (getAccountActivities)", async () => {
    const acts = await tr.accountActivities.getAccountActivities({ activityTypes: ["FILL"] });
    acts.forEach((a, i) => ctx.model(t, "GetAccountActivities200ResponseInner", a, seen.raw[i]));
    assert.ok(acts.length >= 5 && acts.every((a) => a.activityType === "FILL"), `${acts.length} fills`);
    for (const a of acts) ctx.oneOf(a.type, t.GetAccountActivities200ResponseInnerTypeEnum, "type");
  });
  await ctx.call("GET /v2/account/activities/{type} (getAccountActivitiesByActivityType)", async () => {
    const acts = await tr.accountActivities.getAccountActivitiesByActivityType({ activityType: "CSD" });
    acts.forEach((a, i) => ctx.model(t, "GetAccountActivitiesByActivityType200ResponseInner", a, seen.raw[i]));
    assert.equal(acts.length, 1);
    assert.equal(acts[0].netAmount, "100000");
  });
  await ctx.call("activities paged by page_token (collectActivities)", async () => {
    const all = await tr.collectActivities({ pageSize: 2 });
    const ids = all.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, "no activity twice");
    assert.deepEqual([...ids].sort().reverse(), ids, "newest first");
    assert.ok(all.some((a) => a.activityType === "CSD") && all.some((a) => a.activityType === "FILL"));
  });
  await ctx.call("GET /v2/account/portfolio/history 1D (getAccountPortfolioHistory)", async () => {
    const h = await tr.portfolioHistory.getAccountPortfolioHistory({ period: "1W", timeframe: "1D" });
    ctx.model(t, "PortfolioHistory", h, seen.raw);
    assert.equal(h.timestamp.length, h.equity.length);
    assert.equal(h.timestamp.length, 5, "five trading days in a week");
    assert.equal(h.baseValue, 100000);
  });
  await ctx.call("GET /v2/account/portfolio/history intraday (getAccountPortfolioHistory)", async () => {
    const h = await tr.portfolioHistory.getAccountPortfolioHistory({ period: "1D", timeframe: "15Min" });
    ctx.model(t, "PortfolioHistory", h, seen.raw);
    assert.equal(h.timestamp.length, 26, "26 quarter hours in a session");
    assert.ok(h.equity.every((e, i) => Math.abs(e - h.baseValue - h.profitLoss[i]) < 0.011));
  });
}
