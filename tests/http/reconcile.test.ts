// Reconciliation (webhooks Shopify never delivered) over HTTP, on SQLite and PostgreSQL: the
// store emulator records orders and refunds whose webhooks a test drops; the app lists them
// through Admin GraphQL and applies exactly what its ledger is missing, once.
import { afterAll, beforeAll, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import { BROWSER_UA } from "../emulator/server.ts";
import {
  API_KEY,
  API_SECRET,
  assertLedgerConsistent,
  startApp,
  tableCounts,
  describeDialects,
  type TestApp,
} from "../support/app";
import { customer, order, paid, refund, refunded } from "../support/orders";

// Each test reconciles a shop of its own: what a run finds, and the last run shown, are its own.
describeDialects("reconciliation on %s", (dialect) => {
  let app: TestApp;
  const member = (shop: string, id: number) =>
    app.db.member.findUnique({ where: { shopId_customerId: { shopId: shop, customerId: String(id) } } });
  const reconcile = async (shop: string) => {
    const res = await fetch(`${app.url}/app/api/reconcile`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminIdToken(shop, API_KEY, API_SECRET)}`, "User-Agent": BROWSER_UA },
    });
    expect(res.status, app.server.output()).toBe(200);
    return ((await res.json()) as { report: Record<string, number> }).report;
  };
  const deliver = async (shop: string, event: { topic: string; payload: unknown }) => {
    expect((await app.emulator.sendWebhook(shop, event.topic, event.payload)).status).toBe(200);
    await app.settled();
  };

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  it("needs a valid session token of the shop", async () => {
    const SHOP = await app.installShop("reconcile-auth");
    const before = await tableCounts(app.db);
    const none = await fetch(`${app.url}/app/api/reconcile`, { method: "POST", headers: { "User-Agent": BROWSER_UA } });
    expect(none.status).toBe(401);
    const forged = await fetch(`${app.url}/app/api/reconcile`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, "another-secret")}`, "User-Agent": BROWSER_UA },
    });
    expect(forged.status).toBe(401);
    expect(await app.db.reconciliation.count({ where: { shopId: SHOP } })).toBe(0);
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("changes nothing when every webhook arrived", async () => {
    const SHOP = await app.installShop("reconcile-clean");
    const o = order(4_200, customer(301));
    app.emulator.recordOrder(SHOP, o);
    await deliver(SHOP, paid(o));
    const before = await tableCounts(app.db);
    expect(await reconcile(SHOP)).toMatchObject({ missedPaid: 0, missedCancelled: 0, missedRefunds: 0, pointsCredited: 0 });
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("credits a paid order whose orders/paid never came, once, and a late delivery adds nothing", async () => {
    const SHOP = await app.installShop("reconcile-missed-paid");
    const o = order(12_345, customer(302));
    app.emulator.recordOrder(SHOP, o); // …and its webhook is dropped
    expect(await member(SHOP, 302)).toBeNull();
    // Shopify answers throttled once, then 429: the job waits and goes on.
    app.emulator.failures.push("throttled", 429);
    expect(await reconcile(SHOP)).toMatchObject({ missedPaid: 1, pointsCredited: 123 });
    expect(await member(SHOP, 302)).toMatchObject({ available: 123, lifetimeEarned: 123 });
    expect(await reconcile(SHOP)).toMatchObject({ missedPaid: 0, pointsCredited: 0 });
    await deliver(SHOP, paid(o));
    expect(await member(SHOP, 302)).toMatchObject({ available: 123 });
    expect(await app.db.ledgerEntry.count({ where: { shopId: SHOP, sourceId: String(o.id) } })).toBe(1);
    await assertLedgerConsistent(app.db);
  });

  it("reverses a refund whose refunds/create never came", async () => {
    const SHOP = await app.installShop("reconcile-missed-refund");
    const o = order([6_000, 4_000], customer(303));
    app.emulator.recordOrder(SHOP, o);
    await deliver(SHOP, paid(o));
    expect(await member(SHOP, 303)).toMatchObject({ available: 100 });
    const r = refund(o, [1]);
    app.emulator.recordRefund(SHOP, r); // dropped
    expect(await reconcile(SHOP)).toMatchObject({ missedPaid: 0, missedRefunds: 1, pointsReversed: 40 });
    expect(await member(SHOP, 303)).toMatchObject({ available: 60 });
    await deliver(SHOP, refunded(r)); // arrives after all: counted once
    expect(await member(SHOP, 303)).toMatchObject({ available: 60 });
    await assertLedgerConsistent(app.db);
  });

  it("credits an order whose refund arrived but whose payment did not", async () => {
    const SHOP = await app.installShop("reconcile-refund-first");
    const o = order([5_000, 5_000], customer(304));
    app.emulator.recordOrder(SHOP, o);
    const r = refund(o, [0]);
    app.emulator.recordRefund(SHOP, r);
    await deliver(SHOP, refunded(r)); // the refund came, orders/paid was dropped
    expect(await member(SHOP, 304)).toBeNull();
    expect(await reconcile(SHOP)).toMatchObject({ missedPaid: 1, missedRefunds: 0, pointsCredited: 100, pointsReversed: 50 });
    expect(await member(SHOP, 304)).toMatchObject({ available: 50, lifetimeEarned: 50 });
    await assertLedgerConsistent(app.db);
  });

  it("shows what the last run found", async () => {
    const SHOP = await app.installShop("reconcile-last-run");
    const last = async () => {
      const res = await fetch(`${app.url}/app/api/reconcile`, {
        headers: { Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET)}`, "User-Agent": BROWSER_UA },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { last: Record<string, unknown> | null }).last;
    };
    expect(await last()).toBeNull();
    const arrived = order(1_000, customer(305));
    app.emulator.recordOrder(SHOP, arrived);
    await deliver(SHOP, paid(arrived));
    app.emulator.recordOrder(SHOP, order(2_000, customer(306))); // its webhook is dropped
    const report = await reconcile(SHOP);
    expect(report).toMatchObject({ ordersChecked: 2, missedPaid: 1, pointsCredited: 20 });
    expect(await last()).toEqual({ ...report, ranAt: expect.any(String) });
  });
});
