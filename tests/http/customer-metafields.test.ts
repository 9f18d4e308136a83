// Members' $app:loyalty metafields on their Shopify customers, over HTTP on SQLite and
// PostgreSQL: written with metafieldsSet (validated by the emulator against the 2026-10 schema,
// at most 25 a call), converging to the latest values after a burst, deleted when they lapse,
// and erased with the tier tag on customers/redact.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { customer, order, paid } from "../support/orders";

describeDialects("customer metafields on %s", (dialect) => {
  let app: TestApp;
  let nextCustomer = 63_000 + (dialect === "sqlite" ? 0 : 500);
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  const admin =
    (shop: string) =>
    (path: string, init: RequestInit = {}) =>
      adminFetch(app.url, shop, "88002")(path, init);
  const fieldsOf = (shop: string, id: number) =>
    Object.fromEntries([...(app.emulator.shop(shop).customerMetafields.get(id) ?? new Map())].map(([k, v]) => [k, v.value]));
  const converged = async (shop: string, id: number, expected: Record<string, string>) =>
    expect
      .poll(async () => [fieldsOf(shop, id), await app.db.metafieldJob.count({ where: { shopId: shop } })], {
        timeout: 30_000,
        interval: 100,
      })
      .toEqual([expected, 0]);

  it("waits quietly on a shop whose offline session is gone (uninstalled a moment ago), and drops its queue once the uninstall is in", async () => {
    const shop = await app.installShop("metafields-leaving");
    const c = customer(nextCustomer++);
    app.emulator.shop(shop).customers.set(c.id, c);
    // The moment between Shopify revoking the token and app/uninstalled being processed.
    await app.db.session.deleteMany({ where: { shop } });
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(1_000, c)).payload);
    await app.settled();
    await expect
      .poll(() => app.server.stdout(), { timeout: 15_000 })
      .toContain(`"msg":"metafields: shop not connected","shop":"${shop}"`);
    expect(await app.db.metafieldJob.count({ where: { shopId: shop } })).toBe(1); // kept: not a failure of the member
    const res = await app.emulator.sendWebhook(shop, "app/uninstalled", { id: 1, domain: shop, myshopify_domain: shop });
    expect(res.status).toBe(200);
    await app.settled();
    await expect.poll(() => app.db.metafieldJob.count({ where: { shopId: shop } }), { timeout: 30_000 }).toBe(0);
    expect(fieldsOf(shop, c.id)).toEqual({});
  }, 60_000);

  it("converges to the final balance after a burst of 100 changes for one customer, coalesced into one write", async () => {
    const shop = await app.installShop("metafields-burst");
    const c = customer(nextCustomer++);
    app.emulator.shop(shop).customers.set(c.id, c);
    const adjust = admin(shop);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(1_000, c)).payload);
    await app.settled();
    await converged(shop, c.id, { "$app:loyalty.points_balance": "10" });
    // The shop's metafield writer is busy (its lease held) while the burst comes in.
    await app.db.integrationLease.upsert({
      where: { shopId_channel: { shopId: shop, channel: "metafields" } },
      create: { shopId: shop, channel: "metafields", lockedUntil: new Date(Date.now() + 600_000) },
      update: { lockedUntil: new Date(Date.now() + 600_000) },
    });
    // 100 adjustments at once, 1..100 points: 10 + 5,050.
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        adjust(`/app/api/members/${c.id}/adjustments`, {
          method: "POST",
          body: JSON.stringify({ points: i + 1, reason: "burst", idempotencyKey: randomUUID() }),
        }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    // Coalesced: one row for the member, whatever happened to them.
    expect(await app.db.metafieldJob.count({ where: { shopId: shop } })).toBe(1);
    const setCalls = () =>
      app.emulator.graphqlCalls.filter((x) => x.shop === shop && x.operationName === "SetCustomerMetafields");
    const before = setCalls().length;
    await app.db.integrationLease.update({
      where: { shopId_channel: { shopId: shop, channel: "metafields" } },
      data: { lockedUntil: new Date() },
    });
    await converged(shop, c.id, { "$app:loyalty.points_balance": "5060" });
    // One write of the latest values, within Shopify's 25 a call.
    const calls = setCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.errors).toBeNull();
    expect((calls[0]!.variables as { metafields: unknown[] }).metafields.length).toBeLessThanOrEqual(25);
  }, 90_000);

  it("writes tier and expiry, and deletes them when they lapse", async () => {
    const shop = await app.installShop("metafields-lapse");
    const adjust = admin(shop);
    const doc = await (await adjust("/app/api/program")).json();
    const saved = await adjust("/app/api/program", {
      method: "PUT",
      body: JSON.stringify({
        ...doc,
        expiry: { ...doc.expiry, inactiveDays: 365 },
        tiers: [{ name: "Gold", thresholdPoints: 100, earnMultiplierPct: 100 }],
      }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const c = customer(nextCustomer++);
    app.emulator.shop(shop).customers.set(c.id, c);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(15_000, c)).payload);
    await app.settled();
    const member = await app.db.member.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: shop, customerId: String(c.id) } },
    });
    // The day on the shop's calendar (its time zone, as installed from Shopify's shop).
    const { timezone } = await app.db.shop.findUniqueOrThrow({ where: { id: shop } });
    const on = new Date(member.lastActivityAt!.getTime() + 365 * 86_400_000).toLocaleDateString("en-CA", { timeZone: timezone });
    await converged(shop, c.id, {
      "$app:loyalty.points_balance": "150",
      "$app:loyalty.tier": "Gold",
      "$app:loyalty.points_expiring": "150",
      "$app:loyalty.points_expiring_on": on,
    });
    // Taken back below the tier and to nothing: tier and expiry go, the balance stays (0).
    const res = await adjust(`/app/api/members/${c.id}/adjustments`, {
      method: "POST",
      body: JSON.stringify({ points: -150, reason: "correction", idempotencyKey: randomUUID() }),
    });
    expect(res.status).toBe(200);
    await converged(shop, c.id, { "$app:loyalty.points_balance": "0" });
  });

  it("deletes the metafields and the tier tag in Shopify on customers/redact", async () => {
    const shop = await app.installShop("metafields-redact");
    const adjust = admin(shop);
    const doc = await (await adjust("/app/api/program")).json();
    await adjust("/app/api/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, tiers: [{ name: "Gold", thresholdPoints: 100, earnMultiplierPct: 100 }] }),
    });
    const c = customer(nextCustomer++);
    app.emulator.shop(shop).customers.set(c.id, c);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(15_000, c)).payload);
    await app.settled();
    // An adjustment queues the tier tag too.
    await adjust(`/app/api/members/${c.id}/adjustments`, {
      method: "POST",
      body: JSON.stringify({ points: 1, reason: "hello", idempotencyKey: randomUUID() }),
    });
    await converged(shop, c.id, { "$app:loyalty.points_balance": "151", "$app:loyalty.tier": "Gold" });
    await expect.poll(() => app.emulator.shop(shop).customers.get(c.id)!.tags, { timeout: 15_000 }).toBe("loyalty-tier:Gold");

    await app.emulator.sendWebhook(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: c.id, email: c.email, phone: null },
      orders_to_redact: [],
    });
    await app.settled();
    await converged(shop, c.id, {});
    expect(app.emulator.shop(shop).customers.get(c.id)!.tags).toBe("");
    // Nothing about the customer is left in the queue.
    expect(await app.db.metafieldJob.count({ where: { customerId: String(c.id) } })).toBe(0);
  });
});
