// Shopify Flow over HTTP, on SQLite and PostgreSQL: the outbox's events reach Flow as
// flowTriggerReceive calls (validated by the emulator against the 2026-10 schema and the
// trigger extensions' fields), once per event under redelivery, in order per customer under a
// throttled burst; the trigger lifecycle callback; the "Adjust loyalty points" action's
// signature, idempotency and bad input.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { remindExpiringPoints } from "~/models/expiry-reminders.server";
import { webhookHmac } from "../emulator/signing.ts";
import type { FiredTrigger } from "../emulator/flow.ts";
import { API_SECRET, describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { customer, order, paid } from "../support/orders";

describeDialects("Shopify Flow on %s", (dialect) => {
  let app: TestApp;
  let nextCustomer = 61_000 + (dialect === "sqlite" ? 0 : 500);

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  const newCustomer = (shop: string, tags = "") => {
    const c = customer(nextCustomer++, { tags });
    app.emulator.shop(shop).customers.set(c.id, c);
    return c;
  };
  const triggersOf = (shop: string, customerId: number): FiredTrigger[] =>
    app.emulator.shop(shop).flowTriggers.filter((t) => t.payload.customer_id === customerId);
  /** waits until the shop's outbox has nothing left for Flow (every event sent, skipped or dead) */
  const flowSettled = async (shop: string, timeout = 20_000) => {
    await app.settled();
    await expect
      .poll(() => app.db.outboxEvent.count({ where: { shopId: shop, flowState: "pending" } }), { timeout, interval: 50 })
      .toBe(0);
  };
  const signedPost = (path: string, body: unknown, secret = API_SECRET) => {
    const raw = JSON.stringify(body);
    return fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": webhookHmac(raw, secret) },
      body: raw,
    });
  };
  const adjustRun = (shop: string, customerId: number | string, Points: unknown, Reason: unknown, runId = randomUUID()) => ({
    shop_id: 1,
    shopify_domain: shop,
    action_run_id: runId,
    action_definition_id: "loyalty-adjust-points",
    handle: "loyalty-adjust-points",
    properties: { customer_id: customerId, Points, Reason },
  });

  it("fires member joined and points earned once for an order, however often its webhook comes", async () => {
    const shop = await app.installShop("flow-once");
    const c = newCustomer(shop);
    const o = order(12_000, c);
    const first = await app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload);
    expect(first.status).toBe(200);
    await flowSettled(shop);
    expect(triggersOf(shop, c.id).map((t) => [t.handle, t.payload])).toEqual([
      ["loyalty-member-joined", { customer_id: c.id, "Points balance": 0 }],
      ["loyalty-points-earned", { customer_id: c.id, Points: 120, "Points balance": 120, Reason: `Order #${o.number}` }],
    ]);

    // The same webhook again, under its id and a new one, three at once: nothing more.
    await Promise.all([
      app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload, { webhookId: "repeat-a" }),
      app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload, { webhookId: "repeat-a" }),
      app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload, { webhookId: "repeat-b" }),
    ]);
    await flowSettled(shop);
    expect(triggersOf(shop, c.id)).toHaveLength(2);
    expect(await app.db.outboxEvent.count({ where: { shopId: shop } })).toBe(2);
  });

  it("tells Flow when a reward becomes affordable, and only again after the balance fell below its cost", async () => {
    const shop = await app.installShop("flow-reward");
    const c = newCustomer(shop);
    // 300 + 300 crosses the default reward's 500; another 100 does not cross it again.
    for (const units of [300, 300, 100]) await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, c)).payload);
    await flowSettled(shop);
    const available = triggersOf(shop, c.id).filter((t) => t.handle === "loyalty-reward-available");
    expect(available.map((t) => t.payload)).toEqual([{ customer_id: c.id, Reward: "5 off", "Points balance": 600 }]);
  });

  it("keeps each customer's triggers in order and drops none under a throttled burst", async () => {
    const shop = await app.installShop("flow-burst");
    // A small bucket: 60 points, 50 a second (each flowTriggerReceive costs 10).
    app.emulator.throttle = { maximumAvailable: 60, restoreRate: 50 };
    const throttledBefore = app.emulator.throttledCalls;
    // And Shopify is busy at first: a Throttled answer, then a 429.
    app.emulator.integrationFailures.push("throttled", 429);
    try {
      const shoppers = [newCustomer(shop), newCustomer(shop), newCustomer(shop)];
      const sentAt = Date.now();
      const orders = shoppers.flatMap((c) => Array.from({ length: 8 }, (_, i) => order((i + 1) * 100, c)));
      await Promise.all(orders.map((o) => app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload)));
      await flowSettled(shop, 30_000);
      for (const c of shoppers) {
        const fired = triggersOf(shop, c.id);
        expect(fired[0]!.handle).toBe("loyalty-member-joined");
        const balances = fired.filter((t) => t.handle === "loyalty-points-earned").map((t) => t.payload["Points balance"]);
        // 8 earnings of 1..8 points: the balances Flow heard rise in the order they were posted.
        expect(balances).toHaveLength(8);
        expect(balances).toEqual([...balances].sort((a, b) => Number(a) - Number(b)));
        expect(balances.at(-1)).toBe(36);
      }
      const events = await app.db.outboxEvent.findMany({ where: { shopId: shop }, select: { flowState: true } });
      expect(events.every((e) => e.flowState === "sent")).toBe(true);
      const last = Math.max(...app.emulator.shop(shop).flowTriggers.map((t) => t.at));
      // The bucket holds 60 points and refills 50 a second: 27 calls of 10 cannot all go in less
      // than (270 - 60) / 50 s. The emulator refuses what the bucket cannot pay, so every trigger
      // accepted within that time means the app spread them out as the throttle allowed.
      expect(last - sentAt).toBeGreaterThanOrEqual(((events.length * 10 - 60) / 50) * 1000 - 250);
      console.log(
        `[flow burst ${dialect}] ${orders.length} orders → ${events.length} triggers in ${last - sentAt} ms, ${app.emulator.throttledCalls - throttledBefore} throttled answers`,
      );
    } finally {
      app.emulator.throttle = null;
    }
  });

  it("answers the lifecycle callback 200 and skips a trigger no workflow uses", async () => {
    const shop = await app.installShop("flow-lifecycle");
    const callback = (handle: string, enabled: boolean, timestamp: string) => ({
      flow_trigger_definition_id: handle,
      has_enabled_flow: enabled,
      shop_id: 1,
      shopify_domain: shop,
      timestamp,
    });
    expect(
      (await signedPost("/flow/lifecycle", callback("loyalty-points-earned", false, "2026-12-01T10:00:00Z"), "wrong")).status,
    ).toBe(401);
    expect(await app.db.flowTriggerUse.count({ where: { shopId: shop } })).toBe(0);
    expect((await signedPost("/flow/lifecycle", { nonsense: true })).status).toBe(400);

    const off = await signedPost("/flow/lifecycle", callback("loyalty-points-earned", false, "2026-12-01T10:00:00Z"));
    expect(off.status).toBe(200);
    // An older callback saying "enabled" does not undo a newer one.
    expect((await signedPost("/flow/lifecycle", callback("loyalty-points-earned", true, "2026-11-30T10:00:00Z"))).status).toBe(
      200,
    );

    const c = newCustomer(shop);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(5_000, c)).payload);
    await flowSettled(shop);
    expect(triggersOf(shop, c.id).map((t) => t.handle)).toEqual(["loyalty-member-joined"]);
    expect(await app.db.outboxEvent.count({ where: { shopId: shop, type: "points.earned", flowState: "skipped" } })).toBe(1);
  });

  it("adjusts points from a Flow action once per run, enrolling the customer, and fires points earned", async () => {
    const shop = await app.installShop("flow-action");
    const c = newCustomer(shop);
    const run = adjustRun(shop, c.id, 250, "Thanks for your review");
    const res = await signedPost("/flow/actions/adjust-points", run);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).entry).toMatchObject({
      type: "adjustment",
      points: 250,
      reason: "Thanks for your review",
      actor: "flow",
    });
    // Flow resends the run: 200, nothing more.
    expect((await signedPost("/flow/actions/adjust-points", run)).status).toBe(200);
    const member = await app.db.member.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: shop, customerId: String(c.id) } },
    });
    expect(member.available).toBe(250);
    expect(await app.db.ledgerEntry.count({ where: { memberId: member.id } })).toBe(1);
    await flowSettled(shop);
    expect(triggersOf(shop, c.id).map((t) => [t.handle, t.payload])).toEqual([
      ["loyalty-member-joined", { customer_id: c.id, "Points balance": 0 }],
      ["loyalty-points-earned", { customer_id: c.id, Points: 250, "Points balance": 250, Reason: "Thanks for your review" }],
    ]);
  });

  it("refuses a Flow action with a bad signature or bad input, changing nothing", async () => {
    const shop = await app.installShop("flow-action-bad");
    const c = newCustomer(shop);
    const cases: Array<[unknown, string | undefined, number]> = [
      [adjustRun(shop, c.id, 100, "ok"), "wrong-secret", 401],
      [adjustRun(shop, c.id, 0, "zero"), undefined, 422],
      [adjustRun(shop, c.id, 1.5, "fraction"), undefined, 422],
      [adjustRun(shop, c.id, "100", "text"), undefined, 422],
      [adjustRun(shop, c.id, 100, "  "), undefined, 422],
      [adjustRun(shop, "not-a-customer", 100, "who"), undefined, 422],
      [{ shopify_domain: shop }, undefined, 422],
    ];
    for (const [body, secret, status] of cases) {
      const res = await signedPost("/flow/actions/adjust-points", body, secret);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await res.json()).toHaveProperty("error");
    }
    const raw = await fetch(`${app.url}/flow/actions/adjust-points`, {
      method: "POST",
      headers: { "X-Shopify-Hmac-Sha256": webhookHmac("{nope", API_SECRET) },
      body: "{nope",
    });
    expect(raw.status).toBe(400);
    expect(await app.db.member.count({ where: { shopId: shop } })).toBe(0);
    expect(await app.db.ledgerEntry.count({ where: { shopId: shop } })).toBe(0);
  });

  it("answers not_eligible for a customer the program would not enrol (pilot without the tag, erased)", async () => {
    const shop = await app.installShop("flow-action-pilot");
    const call = (path: string, init: RequestInit = {}) => adminFetch(app.url, shop, "88001")(path, init);
    const doc = await (await call("/app/api/program")).json();
    const saved = await call("/app/api/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, launch: { ...doc.launch, state: "pilot", pilotTag: "pilot" } }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);

    const outsider = newCustomer(shop);
    const insider = newCustomer(shop, "pilot");
    const refused = await signedPost("/flow/actions/adjust-points", adjustRun(shop, outsider.id, 100, "Survey"));
    expect(refused.status).toBe(422);
    expect((await refused.json()).error).toBe("not_eligible");
    expect((await signedPost("/flow/actions/adjust-points", adjustRun(shop, insider.id, 100, "Survey"))).status).toBe(200);

    // An erased customer is never enrolled again.
    await app.emulator.sendWebhook(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: insider.id, email: insider.email, phone: null },
      orders_to_redact: [],
    });
    await app.settled();
    const again = await signedPost("/flow/actions/adjust-points", adjustRun(shop, insider.id, 100, "Survey"));
    expect(again.status).toBe(422);
    expect(await app.db.member.count({ where: { shopId: shop, customerId: { not: null } } })).toBe(0);
  });

  it("erases a customer's events on customers/redact", async () => {
    const shop = await app.installShop("flow-redact");
    const c = newCustomer(shop);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(9_000, c)).payload);
    await flowSettled(shop);
    expect(await app.db.outboxEvent.count({ where: { shopId: shop, customerId: String(c.id) } })).toBe(2);
    await app.emulator.sendWebhook(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: c.id, email: c.email, phone: null },
      orders_to_redact: [],
    });
    await app.settled();
    const rows = await app.db.outboxEvent.findMany({ where: { shopId: shop } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.customerId === null && r.data === "{}")).toBe(true);
    expect(rows.map((r) => r.flowState)).toEqual(["sent", "sent"]);
  });
});

describeDialects("points expiring reminders on %s", (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  it("fires loyalty-points-expiring once per member per expiry date, and /proxy/me says what expires when", async () => {
    const shop = await app.installShop("flow-expiring");
    // A shop whose calendar is a day away from UTC's at this hour, so the date told must be the shop's.
    const timezone = new Date().getUTCHours() >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago"; // +14 h from 10:00 UTC, −11 h before
    await app.db.shop.update({ where: { id: shop }, data: { timezone } });
    const admin = (path: string, init: RequestInit = {}) => adminFetch(app.url, shop, "88003")(path, init);
    const doc = await (await admin("/app/api/program")).json();
    expect(doc.expiry.reminderDays).toBe(14);
    const saved = await admin("/app/api/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, expiry: { inactiveDays: 90, reminderDays: 10 } }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const c = customer(62_000 + (dialect === "sqlite" ? 0 : 1));
    app.emulator.shop(shop).customers.set(c.id, c);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(4_200, c)).payload);
    await app.settled();
    const member = await app.db.member.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: shop, customerId: String(c.id) } },
    });

    // Active today: nothing to remind of yet (the reminder is 10 days before day 90).
    expect(await remindExpiringPoints(app.db, new Date(member.lastActivityAt!.getTime() + 79 * 86_400_000))).toBe(0);
    // Day 81: the reminder, once, however often the sweep runs.
    const day81 = new Date(member.lastActivityAt!.getTime() + 81 * 86_400_000);
    expect(await remindExpiringPoints(app.db, day81)).toBe(1);
    expect(await remindExpiringPoints(app.db, day81)).toBe(0);
    const expiresAt = new Date(member.lastActivityAt!.getTime() + 90 * 86_400_000);
    const on = expiresAt.toLocaleDateString("en-CA", { timeZone: timezone });
    expect(on).not.toBe(expiresAt.toISOString().slice(0, 10));
    await expect
      .poll(
        () =>
          app.emulator
            .shop(shop)
            .flowTriggers.filter((t) => t.handle === "loyalty-points-expiring")
            .map((t) => t.payload),
        {
          timeout: 15_000,
        },
      )
      .toEqual([{ customer_id: c.id, Points: 42, "Expiry date": on }]);

    const me = await app.emulator.proxy(shop, "/me", { customerId: String(c.id) });
    expect((await me.json()).expiring).toEqual({ points: 42, on });
  });
});
