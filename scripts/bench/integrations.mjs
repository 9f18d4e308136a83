// Integrations benchmark (not a test): `node scripts/node.mjs scripts/bench/integrations.mjs`.
// Against the production server and the store emulator with Shopify's leaky bucket switched on
// (1,000 points, 100 a second: a standard plan; a flowTriggerReceive costs 10):
// - a burst of orders/paid for many customers; for each order, the time from its webhook being
//   sent to its loyalty-points-earned trigger being accepted by (emulated) Flow: p50, p95, max;
// - end-to-end order throughput (first webhook sent → last order credited) with the integrations
//   quiet (every Flow trigger reported unused, no webhook endpoint) and with all of them on (Flow,
//   metafields, a webhook endpoint on loopback subscribed to every event).
// BENCH_DIALECTS=sqlite,postgresql, BENCH_ORDERS (default 400), BENCH_CUSTOMERS (default 100).
import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { removeSqliteDatabase } from "../../app/sqlite-files.ts";
import { migrate, sqlitePath } from "../migrate.mjs";
import { StoreEmulator } from "../../tests/emulator/server.ts";
import { appServerEnv, spawnAppServer } from "../../tests/emulator/app-process.ts";
import { adminIdToken, webhookHmac } from "../../tests/emulator/signing.ts";
import { BROWSER_UA } from "../../tests/emulator/server.ts";
import { orderPayload } from "../../tests/emulator/payloads.ts";
import { benchCustomer } from "./customer.mjs";

const SECRET = "bench-secret-0123456789abcdef";
const API_KEY = "bench-key";
const ORDERS = Number(process.env.BENCH_ORDERS ?? 400);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgresql").split(",");
const PG_ADMIN = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const HANDLES = [
  "loyalty-member-joined",
  "loyalty-points-earned",
  "loyalty-reward-redeemed",
  "loyalty-reward-available",
  "loyalty-tier-changed",
  "loyalty-points-expiring",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function database(dialect) {
  const name = `lc_bench_int_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const url =
    dialect === "sqlite"
      ? `file:${path.join(os.tmpdir(), `${name}.sqlite`)}`
      : Object.assign(new URL(PG_ADMIN), { pathname: `/${name}` }).toString();
  await migrate(url);
  const drop = async () => {
    if (dialect === "sqlite") removeSqliteDatabase(sqlitePath(url));
    else {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  };
  return { url, drop };
}

function orderBody(i, customerId) {
  const subtotalMinor = 1_000 + ((i * 7919) % 30_000);
  const customer = benchCustomer(customerId);
  return orderPayload({
    id: 8_000_000_000 + i,
    number: 10_000 + i,
    customer,
    email: customer.email,
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
  });
}

async function post(appUrl, shop, topic, payload) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${appUrl}/webhooks/${topic}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-hmac-sha256": webhookHmac(body, SECRET),
      "x-shopify-shop-domain": shop,
      "x-shopify-webhook-id": randomBytes(12).toString("hex"),
      "x-shopify-event-id": randomBytes(12).toString("hex"),
      "x-shopify-api-version": "2026-10",
      "x-shopify-triggered-at": new Date().toISOString(),
    },
    body,
  });
  if (res.status !== 200) throw new Error(`webhook ${res.status}: ${await res.text()}`);
}

/** One run: a fresh database and server; `on` switches every integration on. */
async function run(dialect, on) {
  const { url, drop } = await database(dialect);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const emulator = new StoreEmulator({ apiKey: API_KEY, apiSecret: SECRET, appUrl });
  await emulator.start();
  emulator.throttle = { maximumAvailable: 1_000, restoreRate: 100 };
  const shop = `bench-int-${on ? "on" : "off"}.myshopify.com`;
  emulator.addShop(shop, "Bench", "USD");
  for (let c = 0; c < CUSTOMERS; c++) {
    const id = 20_000 + c;
    emulator.shop(shop).customers.set(id, benchCustomer(id));
  }
  const env = {
    ...appServerEnv({ port, databaseUrl: url, apiKey: API_KEY, apiSecret: SECRET, appUrl, emulatorUrl: emulator.url }),
    LOYALTY_WEBHOOKS_ALLOW_PRIVATE: "1",
  };
  const server = await spawnAppServer(env);
  const receiver = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end()));
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const q = dialect === "sqlite" ? null : new pg.Client({ connectionString: url });
  await q?.connect();
  const count = async (sql) => {
    if (q) return Number((await q.query(sql)).rows[0].n);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(sqlitePath(url), { readonly: true });
    try {
      return Number(db.prepare(sql).get().n);
    } finally {
      db.close();
    }
  };
  try {
    if ((await emulator.install(shop)).status !== 200) throw new Error("install failed");
    const signed = (body) => ({ "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": webhookHmac(body, SECRET) });
    for (const handle of HANDLES) {
      const body = JSON.stringify({
        flow_trigger_definition_id: handle,
        has_enabled_flow: on,
        shop_id: 1,
        shopify_domain: shop,
        timestamp: new Date().toISOString(),
      });
      await fetch(`${appUrl}/flow/lifecycle`, { method: "POST", headers: signed(body), body });
    }
    if (on) {
      const res = await fetch(`${appUrl}/app/api/webhook-endpoints`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${adminIdToken(shop, API_KEY, SECRET)}`,
          "Content-Type": "application/json",
          "User-Agent": BROWSER_UA,
        },
        body: JSON.stringify({ url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ["*"] }),
      });
      if (res.status !== 201) throw new Error(`endpoint ${res.status}`);
    }
    const sentAt = new Map();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ORDERS) {
          const i = next++;
          sentAt.set(`Order #${10_000 + i}`, Date.now());
          await post(appUrl, shop, "orders/paid", orderBody(i, 20_000 + (i % CUSTOMERS)));
        }
      }),
    );
    while ((await count(`SELECT count(*) AS n FROM "OrderFact" WHERE "earnVersion" IS NOT NULL`)) < ORDERS) await sleep(50);
    const seconds = (performance.now() - started) / 1000;
    const result = {
      dialect,
      integrations: on ? "on" : "quiet",
      orders: ORDERS,
      customers: CUSTOMERS,
      endToEndSeconds: +seconds.toFixed(2),
      ordersPerSecond: Math.round(ORDERS / seconds),
    };
    if (on) {
      const fired = () => emulator.shop(shop).flowTriggers.filter((t) => t.handle === "loyalty-points-earned");
      const deadline = Date.now() + 600_000;
      while (fired().length < ORDERS && Date.now() < deadline) await sleep(200);
      const latencies = fired()
        .map((t) => t.at - sentAt.get(t.payload.Reason))
        .sort((a, b) => a - b);
      const triggers = emulator.shop(shop).flowTriggers.length;
      result.flow = {
        pointsEarnedTriggers: latencies.length,
        allTriggers: triggers,
        latencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), max: latencies.at(-1) },
        throttledAnswers: emulator.throttledCalls,
        // the bucket's own ceiling: 100 points a second / 10 per call
        ceilingPerSecond: 10,
      };
      while ((await count(`SELECT count(*) AS n FROM "MetafieldJob"`)) > 0 && Date.now() < deadline) await sleep(200);
      result.metafieldCalls = emulator.graphqlCalls.filter((c) => c.operationName === "SetCustomerMetafields").length;
      while (
        (await count(`SELECT count(*) AS n FROM "WebhookDelivery" WHERE "status" <> 'delivered'`)) > 0 &&
        Date.now() < deadline
      )
        await sleep(200);
      result.webhookDeliveries = await count(`SELECT count(*) AS n FROM "WebhookDelivery" WHERE "status" = 'delivered'`);
    }
    return result;
  } finally {
    await q?.end();
    await server.stop();
    await new Promise((r) => receiver.close(r));
    await emulator.stop();
    await drop();
  }
}

for (const dialect of DIALECTS) {
  const quiet = await run(dialect, false);
  console.log(JSON.stringify(quiet));
  const on = await run(dialect, true);
  console.log(JSON.stringify(on));
  console.log(
    `${dialect}: ${quiet.ordersPerSecond} orders/s with the integrations quiet, ${on.ordersPerSecond} with all on (${Math.round((100 * on.ordersPerSecond) / quiet.ordersPerSecond)}%); order → Flow trigger p50 ${on.flow.latencyMs.p50} ms, p95 ${on.flow.latencyMs.p95} ms, max ${on.flow.latencyMs.max} ms (Flow's bucket allows 10 triggers a second)`,
  );
}
