// `npm run bench`: a benchmark, not a test. Sustained orders/paid ingestion over HTTP from a
// second process (autocannon) against the production server, 50 shops, 5% duplicate deliveries;
// then the same load against a floor server (bare node:http + HMAC + one better-sqlite3 insert).
// Prints throughput, p50/p99 time to answer, time until all are processed, and checks the
// ledger against what was sent. On SQLite, and on PostgreSQL when it answers.
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import http from "node:http";
import { migrate, sqlitePath } from "./migrate.mjs";
import { StoreEmulator } from "../tests/emulator/server.ts";
import { appServerEnv, spawnAppServer } from "../tests/emulator/app-process.ts";
import { orderPayload } from "../tests/emulator/payloads.ts";
import { webhookHmac } from "../tests/emulator/signing.ts";
import { Random } from "../tests/emulator/prng.ts";
import { ENTRIES_PER_MEMBER, MEMBERS, proxyRequests, seedShopper } from "./bench/proxy.mjs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "bench-secret";
const API_KEY = "bench-key";
const SHOPS = 50;
const MAX_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const PROXY_RATE = Number(process.env.BENCH_PROXY_RATE ?? 200);
const PROXY_SECONDS = Number(process.env.BENCH_PROXY_SECONDS ?? 20);
const ONLY = process.env.BENCH_ONLY ?? "all"; // all | ingest | proxy
const PG_ADMIN = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const results = [];

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function waitFor(child, text) {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes(text)) resolve();
    });
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** Signed orders/paid deliveries for `count` distinct orders over the shops, plus 5% repeats. */
function prepare(count, seed, shops) {
  const rnd = new Random(seed);
  const requests = [];
  const expected = new Map(); // shop → { orders, points }
  for (let i = 0; i < count; i++) {
    const shop = shops[i % shops.length];
    const subtotalMinor = rnd.int(500, 40_000);
    const customerId = 10_000 + rnd.int(0, 199);
    const order = {
      id: seed * 10_000_000 + i,
      number: 1000 + i,
      customer: {
        id: customerId,
        email: `c${customerId}@example.com`,
        first_name: "B",
        last_name: "C",
        tags: "",
        created_at: "2026-01-01T00:00:00Z",
        phone: null,
      },
      email: `c${customerId}@example.com`,
      created_at: new Date().toISOString(),
      currency: "USD",
      presentment_currency: "USD",
      rate: 1,
      lines: [{ id: i, product_id: 1, variant_id: 1, title: "Thing", quantity: 1, unitMinor: subtotalMinor }],
      discountMinor: 0,
      discountCode: null,
      shippingMinor: 500,
      taxMinor: 100,
      test: false,
      financial_status: "paid",
      cancelled_at: null,
    };
    const body = JSON.stringify(orderPayload(order));
    const e = expected.get(shop) ?? { orders: 0, points: 0 };
    e.orders += 1;
    e.points += Math.floor(subtotalMinor / 100);
    expected.set(shop, e);
    const request = {
      path: "/webhooks/orders/paid",
      body,
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "orders/paid",
        "x-shopify-hmac-sha256": webhookHmac(body, SECRET),
        "x-shopify-shop-domain": shop,
        "x-shopify-webhook-id": randomUUID(),
        "x-shopify-event-id": randomUUID(),
        "x-shopify-api-version": "2026-10",
        "x-shopify-triggered-at": new Date().toISOString(),
      },
    };
    requests.push(request);
    // 5% duplicates: half the same delivery again, half a new webhook id for the same event.
    if (rnd.chance(0.05)) {
      requests.push(
        rnd.chance(0.5) ? request : { ...request, headers: { ...request.headers, "x-shopify-webhook-id": randomUUID() } },
      );
    }
  }
  // Shuffle so duplicates arrive at any time, sometimes concurrently with the original.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [requests[i], requests[j]] = [requests[j], requests[i]];
  }
  return { requests, expected };
}

function load(url, requests, options) {
  const file = path.join(os.tmpdir(), `bench-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(requests));
  try {
    const out = execFileSync(process.execPath, [path.join(root, "scripts/bench/load.mjs"), url, file, JSON.stringify(options)], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    return JSON.parse(out);
  } finally {
    rmSync(file, { force: true });
  }
}

function query(dialect, url) {
  if (dialect === "sqlite") {
    const db = new Database(sqlitePath(url), { readonly: true });
    return { all: async (sql) => db.prepare(sql).all(), close: async () => db.close() };
  }
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  return { all: async (sql) => (await connected, (await client.query(sql)).rows), close: () => client.end() };
}

async function settle(q) {
  const started = performance.now();
  for (;;) {
    const [{ n }] = await q.all(`SELECT count(*) AS n FROM "WebhookJob" WHERE "status" IN ('pending','processing')`);
    if (Number(n) === 0) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function checkLedger(q, expected) {
  const rows = await q.all(`SELECT "shopId", count(*) AS entries, sum("points") AS points FROM "LedgerEntry" GROUP BY "shopId"`);
  const got = new Map(rows.map((r) => [r.shopId, { orders: Number(r.entries), points: Number(r.points) }]));
  let orders = 0;
  let points = 0;
  const wrong = [];
  for (const [shop, e] of expected) {
    orders += e.orders;
    points += e.points;
    const g = got.get(shop) ?? { orders: 0, points: 0 };
    if (g.orders !== e.orders || g.points !== e.points)
      wrong.push(`${shop}: expected ${e.orders} entries/${e.points} points, got ${g.orders}/${g.points}`);
  }
  const [{ n: dead }] = await q.all(`SELECT count(*) AS n FROM "WebhookJob" WHERE "status" = 'dead'`);
  return { ok: wrong.length === 0 && Number(dead) === 0, orders, points, dead: Number(dead), wrong: wrong.slice(0, 5) };
}

async function startBenchApp(dialect, shops) {
  const name = `lc_bench_${Date.now().toString(36)}`;
  const url =
    dialect === "sqlite"
      ? `file:${path.join(os.tmpdir(), `${name}.sqlite`)}`
      : Object.assign(new URL(PG_ADMIN), { pathname: `/${name}` }).toString();
  await migrate(url);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const emulator = new StoreEmulator({ apiKey: API_KEY, apiSecret: SECRET, appUrl });
  await emulator.start();
  shops.forEach((s) => emulator.addShop(s, s, "USD"));
  const app = await spawnAppServer(
    appServerEnv({ port, databaseUrl: url, apiKey: API_KEY, apiSecret: SECRET, appUrl, emulatorUrl: emulator.url }),
    { showErrors: Boolean(process.env.BENCH_TRACE) },
  );
  for (const s of shops) {
    const res = await emulator.install(s);
    if (res.status !== 200) throw new Error(`install ${s}: ${res.status}`);
  }
  const q = query(dialect, url);
  const stop = async () => {
    await q.close();
    await app.stop();
    await emulator.stop();
    if (dialect === "sqlite") for (const s of ["", "-wal", "-shm"]) rmSync(sqlitePath(url) + s, { force: true });
    else {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  };
  return { url, appUrl, q, stop };
}

async function benchApp(dialect) {
  const shops = Array.from({ length: SHOPS }, (_, i) => `bench-shop-${i}.myshopify.com`);
  const { appUrl, q, stop } = await startBenchApp(dialect, shops);
  try {
    const burst = prepare(MAX_REQUESTS, 1, shops);
    const max = load(appUrl, burst.requests, { connections: 32 });
    max.secondsToProcessAfterLoad = await settle(q);
    max.ledger = await checkLedger(q, burst.expected);

    const steady = prepare(RATE * RATE_SECONDS, 2, shops);
    const rated = load(appUrl, steady.requests, { connections: 32, rate: RATE });
    rated.secondsToProcessAfterLoad = await settle(q);
    const all = new Map(burst.expected);
    for (const [shop, e] of steady.expected) {
      const b = all.get(shop) ?? { orders: 0, points: 0 };
      all.set(shop, { orders: b.orders + e.orders, points: b.points + e.points });
    }
    rated.ledger = await checkLedger(q, all);
    return { max, rated };
  } finally {
    await stop();
  }
}

async function benchProxy(dialect) {
  const shop = "big-club.myshopify.com";
  const { url, appUrl, q, stop } = await startBenchApp(dialect, [shop]);
  try {
    const seeded = await seedShopper(dialect, url, shop);
    const [{ n: entries }] = await q.all(`SELECT count(*) AS n FROM "LedgerEntry"`);
    load(appUrl, proxyRequests(shop, SECRET, 500, 1), { connections: 8 }); // warm up
    // On a fresh connection: pooled ones may have idled out during seeding.
    const check = await new Promise((resolve, reject) =>
      http
        .get(`${appUrl}${proxyRequests(shop, SECRET, 1, 3)[0].path}`, { agent: false }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve(JSON.parse(text)));
        })
        .on("error", reject),
    );
    const correct =
      check.enrolled === true &&
      check.points.available === 50 * ENTRIES_PER_MEMBER &&
      check.history.length === Math.min(25, ENTRIES_PER_MEMBER);
    const r = load(appUrl, proxyRequests(shop, SECRET, PROXY_RATE * PROXY_SECONDS, 2), { connections: 16, rate: PROXY_RATE });
    return { ...r, seededSeconds: seeded, entries: Number(entries), correct };
  } finally {
    await stop();
  }
}

async function benchFloor() {
  const port = await freePort();
  const file = path.join(os.tmpdir(), `floor-${randomUUID()}.sqlite`);
  const floor = spawn(process.execPath, [path.join(root, "scripts/bench/floor.mjs"), String(port), file, SECRET], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitFor(floor, "floor listening");
  try {
    const shops = Array.from({ length: SHOPS }, (_, i) => `bench-shop-${i}.myshopify.com`);
    const max = load(`http://127.0.0.1:${port}`, prepare(MAX_REQUESTS, 1, shops).requests, { connections: 32 });
    const rated = load(`http://127.0.0.1:${port}`, prepare(RATE * RATE_SECONDS, 2, shops).requests, {
      connections: 32,
      rate: RATE,
    });
    return { ...max, rated };
  } finally {
    floor.kill("SIGTERM");
    for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  }
}

async function postgresUp() {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const fmt = (n, d = 0) => Number(n).toFixed(d);
const dialects = ["sqlite", ...((await postgresUp()) ? ["postgresql"] : [])].filter(
  (d) => !process.env.BENCH_DIALECTS || process.env.BENCH_DIALECTS.split(",").includes(d),
);
const launcher = readFileSync(path.join(root, "extensions/loyalty-theme/assets/launcher.js"));
console.log(
  `storefront launcher: ${launcher.length} bytes, ${gzipSync(launcher, { level: 9 }).length} bytes gzipped (budget 12288)\n`,
);

if (ONLY !== "proxy") {
  console.log(
    `ingest: ${SHOPS} shops, ${MAX_REQUESTS} orders (+5% duplicate deliveries) flat out, then ${RATE} req/s for ${RATE_SECONDS} s\n`,
  );
  const floor = await benchFloor();
  console.log(
    `floor (node:http + HMAC + better-sqlite3 insert): ${fmt(floor.throughput)} req/s, p50 ${floor.p50} ms, p99 ${floor.p99} ms; at ${RATE} req/s: p50 ${floor.rated.p50} ms, p99 ${floor.rated.p99} ms`,
  );
  for (const dialect of dialects) {
    const r = await benchApp(dialect);
    const ratio = r.max.throughput / floor.throughput;
    console.log(`\n${dialect}:`);
    console.log(
      `  flat out:  ${fmt(r.max.throughput)} req/s = ${fmt(ratio * 100, 1)}% of the floor; p50 ${r.max.p50} ms, p99 ${r.max.p99} ms; non-2xx ${r.max.non2xx}, errors ${r.max.errors}`,
    );
    console.log(
      `             all processed ${fmt(r.max.secondsToProcessAfterLoad, 1)} s after the load ended; ledger ${r.max.ledger.ok ? "exact" : "WRONG"}: ${r.max.ledger.orders} orders, ${r.max.ledger.points} points${r.max.ledger.wrong.length ? "\n             " + r.max.ledger.wrong.join("\n             ") : ""}`,
    );
    console.log(
      `  ${RATE} req/s: p50 ${r.rated.p50} ms, p99 ${r.rated.p99} ms, max ${r.rated.max} ms; non-2xx ${r.rated.non2xx}; processed ${fmt(r.rated.secondsToProcessAfterLoad, 1)} s after; ledger ${r.rated.ledger.ok ? "exact" : "WRONG"} (${r.rated.ledger.orders} orders, ${r.rated.ledger.points} points, ${r.rated.ledger.dead} dead)`,
    );
    results.push({ bench: "ingest", dialect, ratio, floor, ...r });
  }
}
if (ONLY !== "ingest") {
  console.log(
    `\nGET /proxy/me: one shop with ${MEMBERS} members and ${MEMBERS * ENTRIES_PER_MEMBER} ledger entries, ${PROXY_RATE} req/s for ${PROXY_SECONDS} s`,
  );
  for (const dialect of dialects) {
    const r = await benchProxy(dialect);
    console.log(
      `  ${dialect}: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; ${fmt(r.throughput)} req/s; non-2xx ${r.non2xx}; answers ${r.correct ? "correct" : "WRONG"} (${r.entries} entries seeded in ${fmt(r.seededSeconds, 1)} s)`,
    );
    results.push({ bench: "proxy", dialect, ...r });
  }
}
writeFileSync(path.join(root, ".cache", "bench.json"), JSON.stringify(results, null, 2));
