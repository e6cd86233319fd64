// Runs Alpaca's official JavaScript SDK (@alpacahq/alpaca-trade-api,
// pinned in package-lock.json) against real `gambler exchange` processes,
// one on generated prices and one on a bars file, and checks every answer
// against the SDK's own response models: the model's instanceOf (its
// required fields), a round trip through the model's FromJSON and ToJSON
// that must give back every field the exchange sent (so no field is
// unknown to the model and none has the wrong shape), the SDK's enums, and
// what the call should have done.
//
//   node check.mjs BINARY [BARS_FILE]
//
// It prints one line per call and "SDK conformance: N of M calls"; it
// exits non-zero when any call fails.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import assert from "node:assert/strict";
import { Alpaca, trading, marketData, NotFoundError } from "@alpacahq/alpaca-trade-api";
import { tradingCalls } from "./trading.mjs";
import { marketDataCalls } from "./marketdata.mjs";
import { streamCheck } from "./stream.mjs";

const [bin, barsFile] = process.argv.slice(2);
if (!bin) {
  console.error("usage: node check.mjs BINARY [BARS_FILE]");
  process.exit(2);
}

const KEY = "sdk-key";
const SECRET = "sdk-secret";
// Wednesday 12 March 2025, 08:00 in New York: before the open of a
// regular trading day (daylight time: the open is 13:30 UTC).
const START = "2025-03-12T12:00:00Z";

// startExchange runs `gambler exchange` on a free port and resolves its URL.
function startExchange(args) {
  const child = spawn(bin, ["exchange", "--listen", "127.0.0.1:0", "--key-id", KEY, "--secret", SECRET,
    "--start", START, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ url: m[1], child });
    });
    child.on("exit", (code) => reject(new Error(`gambler exchange exited with ${code}: ${stderr}`)));
  });
}

// client is the SDK's Alpaca facade pointed at the exchange: a middleware
// rewrites Alpaca's hosts to it and keeps each raw answer for the checks.
function client(url) {
  const seen = { raw: undefined };
  const rewrite = {
    async pre({ url: u, init }) {
      return { url: u.replace(/^https:\/\/(paper-api|data)\.alpaca\.markets/, url), init };
    },
    async post({ response }) {
      seen.raw = undefined;
      if (response.status !== 204) {
        seen.raw = await response.clone().json().catch(() => undefined);
      }
    },
  };
  const alpaca = new Alpaca({ keyId: KEY, secret: SECRET, paper: true, retry: false, rateLimit: false, middleware: [rewrite] });
  return { alpaca, seen };
}

// documented lists, per model, the fields Alpaca's API reference documents
// that the SDK's generated model lacks; any other field the model does not
// know is an error.
const documented = {
  Account: ["daytrading_buying_power", "effective_buying_power", "pattern_day_trader", "position_market_value", "daytrade_count"],
};

// same compares a raw answer with the model's ToJSON of it: every field
// sent must come back equal; null and absent are the same; times compare
// as instants.
function same(raw, back, path, extra = []) {
  if (raw === null || raw === undefined) {
    assert.ok(back === null || back === undefined, `${path}: sent null, model gives ${JSON.stringify(back)}`);
    return;
  }
  if (Array.isArray(raw)) {
    assert.ok(Array.isArray(back), `${path}: an array, the model has ${typeof back}`);
    assert.equal(back.length, raw.length, `${path}: length`);
    raw.forEach((v, i) => same(v, back[i], `${path}[${i}]`));
    return;
  }
  if (typeof raw === "object") {
    assert.ok(back && typeof back === "object", `${path}: an object, the model has ${typeof back}`);
    for (const k of Object.keys(raw)) {
      if (extra.includes(k)) continue;
      assert.ok(k in back || raw[k] === null, `${path}.${k}: not a field of the SDK's model`);
      same(raw[k], back[k], `${path}.${k}`);
    }
    return;
  }
  if (typeof raw === "string" && typeof back === "string" && raw !== back) {
    const a = Date.parse(raw), b = Date.parse(back);
    assert.ok(/^\d{4}-\d\d-\d\d/.test(raw) && !Number.isNaN(a) && a === b, `${path}: sent ${raw}, model gives ${back}`);
    return;
  }
  assert.equal(back, raw, `${path}`);
}

// model checks an answer against an SDK model of namespace ns.
export function model(ns, name, parsed, raw) {
  const inst = ns[`instanceOf${name}`];
  if (inst) assert.ok(inst(parsed), `${name}: a required field is missing`);
  same(raw, ns[`${name}ToJSON`](parsed), name, documented[name]);
}

// oneOf asserts v is a value of the SDK enum e.
export function oneOf(v, e, what) {
  assert.ok(Object.values(e).includes(v), `${what}: ${v} is not one of ${Object.values(e).join(", ")}`);
}

// admin calls the exchange's loopback admin API.
export async function admin(url, path, body) {
  const r = await fetch(url + path, { method: "POST", body: JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

async function run(name, args) {
  const { url, child } = await startExchange(args);
  const { alpaca, seen } = client(url);
  const results = [];
  const ctx = {
    url, alpaca, trading, marketData, NotFoundError, seen, key: KEY, secret: SECRET, source: name, model, oneOf, admin,
    async call(label, fn) {
      try {
        await fn();
        results.push({ label, ok: true });
        console.log(`  ok    ${label}`);
      } catch (err) {
        results.push({ label, ok: false });
        console.log(`  FAIL  ${label}: ${err && err.message ? err.message : err}`);
      }
    },
  };
  console.log(`${name}:`);
  try {
    const stream = await streamCheck(ctx);
    await marketDataCalls(ctx);
    await tradingCalls(ctx);
    await stream.finish();
  } finally {
    child.kill("SIGTERM");
  }
  return results;
}

const runs = [["generated prices", ["--seed", "7", "--market-hours"]]];
if (barsFile) runs.push(["bars file", ["--bars-file", barsFile]]);
let all = [];
for (const [name, args] of runs) {
  all = all.concat(await run(name, args));
}
const passed = all.filter((r) => r.ok).length;
console.log(`SDK conformance: ${passed} of ${all.length} calls`);
process.exit(passed === all.length ? 0 : 1);
