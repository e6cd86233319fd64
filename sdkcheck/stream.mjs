// The trade-updates websocket through the SDK's TradingStream: it must
// authenticate, acknowledge the trade_updates listen, and deliver the
// events the trading calls cause, each with an order of the SDK's model.
import assert from "node:assert/strict";
import { streaming } from "@alpacahq/alpaca-trade-api";

// The events the trading calls cause. partial_fill is absent: the
// exchange never fills an order in part (internal/exchange/doc.go).
const WANTED = ["new", "fill", "canceled", "expired", "replaced"];

export async function streamCheck(ctx) {
  const updates = [];
  const stream = ctx.alpaca.trading.stream({ url: ctx.url.replace(/^http/, "ws") + "/stream", reconnect: false, pingIntervalMs: 0 });
  stream.onTradeUpdate((u) => updates.push(u));
  const listening = new Promise((resolve) => stream.on(streaming.EVENT.SUBSCRIPTION, resolve));
  stream.subscribeTradeUpdates();
  stream.connect();
  await ctx.call("stream: authenticate (TradingStream.whenAuthenticated)", async () => {
    const res = await stream.whenAuthenticated();
    assert.ok(res.authenticated, `not authenticated: ${res.status} ${res.message}`);
  });
  await ctx.call("stream: listen to trade_updates (subscription acknowledged)", async () => {
    const streams = await Promise.race([listening, new Promise((_, rej) => setTimeout(() => rej(new Error("no listening frame")), 5000))]);
    assert.deepEqual(streams, ["trade_updates"]);
  });
  return {
    async finish() {
      // The last trading call's events may still be on the wire.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !WANTED.every((ev) => updates.some((u) => u.event === ev))) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const ev of WANTED) {
        await ctx.call(`stream: trade_updates event ${ev}`, async () => {
          const got = updates.filter((u) => u.event === ev);
          assert.ok(got.length > 0, `no ${ev} event among ${[...new Set(updates.map((u) => u.event))].join(", ")}`);
          for (const u of got) {
            assert.ok(ctx.trading.instanceOfOrder(u.order), "the update's order is not an SDK Order");
            ctx.oneOf(u.order.status, ctx.trading.OrderStatus, "order.status");
            if (ev === "fill") {
              assert.ok(typeof u.price === "string" && typeof u.qty === "string" && typeof u.positionQty === "string",
                "a fill carries price, qty and position_qty as decimal strings");
              assert.ok(u.timestamp instanceof Date && !Number.isNaN(u.timestamp.getTime()), "a fill has a timestamp");
              assert.equal(u.order.status, "filled");
            }
            if (ev === "replaced") {
              assert.equal(u.order.status, "replaced");
              assert.ok(u.order.replacedBy, "a replaced order names its replacement");
            }
            if (ev === "expired") assert.equal(u.order.status, "expired");
            if (ev === "canceled") assert.equal(u.order.status, "canceled");
          }
        });
      }
      stream.disconnect();
    },
  };
}
