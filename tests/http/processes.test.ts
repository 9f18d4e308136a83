// Several app processes on one PostgreSQL, and a process killed at any moment: every order is
// credited exactly once. Also the operator's view: health, readiness, metrics, JSON logs.
import { afterAll, beforeAll, expect, it } from "vitest";
import { appServerEnv, spawnAppServer, type AppServer } from "../emulator/app-process.ts";
import { API_KEY, API_SECRET, assertLedgerConsistent, freePort, startApp, describeDialects, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

const SHOP = "many-processes.myshopify.com";
const LEASE = { LOYALTY_JOB_LEASE_MS: "2000" };

/** Orders of the shop credited so far (each test's app has its own database, and only its orders). */
async function creditedOrders(app: TestApp) {
  return app.db.orderFact.count({ where: { shopId: SHOP, earnVersion: { not: null } } });
}

/** Every order of the list has exactly one earn entry, for exactly its points. */
async function assertCreditedOnce(app: TestApp, orders: Array<{ id: number; points: number }>) {
  const entries = await app.db.ledgerEntry.findMany({
    where: { shopId: SHOP, kind: "earn" },
    select: { sourceId: true, points: true },
  });
  expect(entries).toHaveLength(orders.length);
  const byOrder = new Map<string, number[]>();
  for (const e of entries) byOrder.set(e.sourceId!, [...(byOrder.get(e.sourceId!) ?? []), e.points]);
  for (const o of orders) expect(byOrder.get(String(o.id)), `order ${o.id}`).toEqual([o.points]);
  await assertLedgerConsistent(app.db);
}

function makeOrders(n: number, firstCustomer: number) {
  return Array.from({ length: n }, (_, i) => {
    const o = order(1_000 + (i % 7) * 1_000, customer(firstCustomer + (i % 40)));
    return { order: o, id: o.id, points: Math.floor((1_000 + (i % 7) * 1_000) / 100) };
  });
}

describeDialects("a process killed mid-batch on %s", (dialect) => {
  let app: TestApp;
  const others: AppServer[] = [];

  beforeAll(async () => {
    // The door only, at first: the whole inbox is filled before any process starts on it.
    app = await startApp(dialect, { ...LEASE, LOYALTY_WORKER: "off" });
    app.emulator.addShop(SHOP, "Many Processes", "USD");
    expect((await app.emulator.install(SHOP)).status).toBe(200);
  });
  afterAll(async () => {
    for (const o of others) await o.stop();
    await app?.stop();
  });

  it("credits every order exactly once when a process dies while processing", async () => {
    const orders = makeOrders(1_200, 8_000);
    const answers = await app.emulator.deliverAll(
      SHOP,
      orders.map((o) => paid(o.order)),
      { copies: 1, concurrency: 16 },
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await creditedOrders(app)).toBe(0);
    // Now processes work on it. On PostgreSQL a second one shares the work; SQLite runs one
    // process, restarted after the kill.
    await app.restart(LEASE);
    if (dialect === "postgresql") {
      const port = await freePort();
      others.push(
        await spawnAppServer({
          ...appServerEnv({
            port,
            databaseUrl: app.databaseUrl,
            apiKey: API_KEY,
            apiSecret: API_SECRET,
            appUrl: app.url,
            emulatorUrl: app.emulator.url,
          }),
          ...LEASE,
        }),
      );
    }
    // Kill the first process while the inbox is part processed.
    const deadline = Date.now() + 60_000;
    while ((await creditedOrders(app)) < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const atKill = await creditedOrders(app);
    expect(atKill).toBeGreaterThanOrEqual(50);
    expect(atKill).toBeLessThan(orders.length);
    await app.server.stop("SIGKILL");
    if (dialect === "sqlite") await app.restart(LEASE);
    await app.settled(120_000);
    expect(await creditedOrders(app)).toBe(orders.length);
    await assertCreditedOnce(app, orders);
    if (dialect === "postgresql") {
      // Both processes did work: the survivor finished what the killed one had claimed.
      const jobs = await app.db.webhookJob.count({ where: { shopId: SHOP, status: "done" } });
      expect(jobs).toBe(orders.length);
    }
  }, 180_000);
});

describeDialects("operations endpoints on %s", (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(dialect, { LOYALTY_METRICS_TOKEN: "metrics-secret-token" });
    app.emulator.addShop(SHOP, "Many Processes", "USD");
    expect((await app.emulator.install(SHOP)).status).toBe(200);
  });
  afterAll(() => app?.stop());

  it("answers health and readiness", async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: "alive" }]);
    const ready = await fetch(`${app.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
  });

  it("serves metrics to the bearer of the metrics token only", async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    const scrape = async () => {
      const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: "Bearer metrics-secret-token" } });
      expect(res.status).toBe(200);
      const text = await res.text();
      return (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    };
    const before = await scrape();
    const orders = makeOrders(5, 9_000);
    for (const o of orders) await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o.order).payload);
    await app.settled();
    const after = await scrape();
    expect(after("loyalty_webhooks_stored_total") - before("loyalty_webhooks_stored_total")).toBe(5);
    expect(after("loyalty_jobs_processed_total") - before("loyalty_jobs_processed_total")).toBe(5);
    expect(after("loyalty_inbox_backlog")).toBe(0);
    expect(after("loyalty_dead_letters")).toBe(0);
    expect(after("loyalty_process_resident_bytes")).toBeGreaterThan(10_000_000);
    if (dialect === "sqlite") {
      // The checkpointer thread copies the WAL back: what the orders wrote is copied within its turns.
      await expect.poll(async () => (await scrape())("loyalty_sqlite_wal_uncopied_frames"), { timeout: 5_000 }).toBe(0);
    } else {
      expect(after("loyalty_sqlite_wal_frames")).toBeNaN(); // PostgreSQL has no such thing to report
    }
  });

  it("logs as JSON lines", async () => {
    const rich = makeOrders(1, 9_200)[0]!.order;
    rich.lines[0]!.unitMinor = 60_000;
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(rich).payload);
    await app.settled();
    app.emulator.failures = [503, 503, 503];
    app.expectServerErrors(/redemption failed/);
    const failed = await app.emulator.proxy(SHOP, "redeem", {
      customerId: String(rich.customer!.id),
      method: "POST",
      body: { rewardId: (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP } })).id, idempotencyKey: "json-log-key" },
    });
    expect(failed.status).toBe(503);
    const line = app.server
      .output()
      .split("\n")
      .find((l) => l.includes("redemption failed"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: "warn", msg: "redemption failed", code: "shopify_unavailable" });
  });
});
