// Contract §2, §3 and §6 over HTTP: real signed webhooks against the production server, on
// SQLite and (when it answers) PostgreSQL.
import { afterAll, beforeAll, expect, it } from "vitest";
import { assertLedgerConsistent, describeDialects, startApp, tableCounts, type TestApp } from "../support/app";
import { cancelled, customer, customerEvent, order, paid, refund, refunded } from "../support/orders";

const SHOP = "hill-and-co.myshopify.com";

// Every test uses customers of its own (ids 101…), and a test that changes the shop itself
// (installs, uninstalls, erases) a shop of its own, so that any test can run first, last or alone.
describeDialects("webhooks on %s", (dialect) => {
  let app: TestApp;

  async function member(customerId: number) {
    return app.db.member.findUnique({ where: { shopId_customerId: { shopId: SHOP, customerId: String(customerId) } } });
  }

  beforeAll(async () => {
    app = await startApp(dialect);
    app.emulator.addShop(SHOP, "Hill & Co", "USD");
    const res = await app.emulator.install(SHOP);
    expect(res.status, app.server.output()).toBe(200);
  });
  afterAll(() => app?.stop());

  it("installs through token exchange with the default program", async () => {
    const domain = "hill-and-co-two.myshopify.com";
    app.emulator.addShop(domain, "Hill & Co Two", "CAD");
    expect(await app.db.shop.findUnique({ where: { id: domain } })).toBeNull();
    const res = await app.emulator.install(domain);
    expect(res.status, app.server.output()).toBe(200);
    const shop = await app.db.shop.findUniqueOrThrow({ where: { id: domain } });
    expect(shop).toMatchObject({ currency: "CAD", name: "Hill & Co Two", uninstalledAt: null, programVersion: 1 });
    const program = await app.db.programVersion.findUniqueOrThrow({ where: { shopId_version: { shopId: domain, version: 1 } } });
    expect(program).toMatchObject({ earnRateNum: 1, earnRateDen: 1, pendingDays: 0, expiryDays: null, autoEnroll: true });
    const rewards = await app.db.reward.findMany({ where: { shopId: domain } });
    expect(rewards).toMatchObject([{ name: "5 off", type: "fixed_amount", pointsCost: 500, valueMinor: 500 }]);
    const session = await app.db.session.findFirstOrThrow({ where: { shop: domain, isOnline: false } });
    const { decryptToken } = await import("~/secrets.server");
    expect(app.emulator.shop(domain).accessTokens.has(decryptToken(session.accessToken, domain))).toBe(true);
    expect(app.emulator.graphqlCalls.filter((c) => c.shop === domain)).toMatchObject([
      { operationName: "ShopForProgram", errors: null },
      { operationName: "AppInstallationId", errors: null },
      { operationName: "SetAppMetafields", errors: null },
    ]);
    // The theme extension reads the earning rate from this app-data metafield.
    expect(app.emulator.shop(domain).appMetafields.get("loyalty.program")).toEqual({ num: 1, den: 1, version: 1, open: true });
  });

  it("credits an order once when orders/paid arrives 5 times at once", async () => {
    const o = order(12_999, customer(101));
    const event = paid(o);
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        app.emulator.sendWebhook(SHOP, event.topic, event.payload, i % 2 ? { webhookId: "same-delivery-101" } : {}),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await app.settled();
    const m = await member(101);
    expect(m).toMatchObject({ available: 129, pending: 0, lifetimeEarned: 129, state: "active" });
    expect(await app.db.ledgerEntry.count({ where: { memberId: m!.id } })).toBe(1);
    await assertLedgerConsistent(app.db);
  });

  it("earns on the merchandise subtotal in shop currency, not the total or presentment money", async () => {
    const o = order([4_550, 2_000], customer(102), { rate: 150, presentment_currency: "JPY", discountMinor: 550 });
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload);
    await app.settled();
    expect(await member(102)).toMatchObject({ available: 60 }); // (45.50 + 20.00 − 5.50) → 60
  });

  it("reverses refunds in proportion, cumulatively, and exactly E at a full refund", async () => {
    const o = order([3_333, 3_333, 3_334], customer(103)); // S = 100.00 → E = 100
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload);
    await app.settled();
    await app.emulator.sendWebhook(SHOP, "refunds/create", refunded(refund(o, [0])).payload);
    await app.settled();
    expect(await member(103)).toMatchObject({ available: 67 }); // round(100 × 33.33/100) = 33
    await app.emulator.sendWebhook(SHOP, "refunds/create", refunded(refund(o, [1])).payload);
    await app.settled();
    expect(await member(103)).toMatchObject({ available: 33 }); // round(66.66) = 67 in all
    await app.emulator.sendWebhook(SHOP, "refunds/create", refunded(refund(o, [2])).payload);
    await app.settled();
    expect(await member(103)).toMatchObject({ available: 0 });
    const fact = await app.db.orderFact.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(o.id) } } });
    expect(fact).toMatchObject({ earnedPoints: 100, reversedPoints: 100, refundedMinor: 10_000 });
  });

  it("reaches the same final state when the refund arrives before the payment", async () => {
    const first = order([6_000, 4_000], customer(104));
    const second = order([6_000, 4_000], customer(105));
    // in order for 104, reversed for 105
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(first).payload);
    await app.settled();
    await app.emulator.sendWebhook(SHOP, "refunds/create", refunded(refund(first, [1])).payload);
    await app.emulator.sendWebhook(SHOP, "refunds/create", refunded(refund(second, [1])).payload);
    await app.settled();
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(second).payload);
    await app.settled();
    const [a, b] = [await member(104), await member(105)];
    expect(a).toMatchObject({ available: 60, lifetimeEarned: 60 });
    expect(b).toMatchObject({ available: a!.available, pending: a!.pending, lifetimeEarned: a!.lifetimeEarned });
  });

  it("cancelling reverses what is left, and a late orders/paid changes nothing", async () => {
    const o = order(20_000, customer(106));
    const r = refund(o, [0]);
    await app.emulator.deliverAll(SHOP, [cancelled(o), refunded(r), paid(o)], { copies: 3, seed: 7 });
    await app.settled();
    expect(await member(106)).toMatchObject({ available: 0, lifetimeEarned: 0 });
    const entries = await app.db.ledgerEntry.findMany({ where: { sourceId: { in: [String(o.id), String(r.id)] } } });
    expect(entries.reduce((s, e) => s + e.points, 0)).toBe(0);
    expect(entries.find((e) => e.kind === "earn")?.points).toBe(200);
  });

  it("lets a reversal take the balance below zero", async () => {
    const c = customer(107);
    const o = order(10_000, c);
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload);
    await app.settled();
    const m = await member(107);
    // the shopper spent 80 of the 100 points (a redemption, written through the ledger)
    const { withLedger } = await import("~/models/ledger.server");
    await withLedger(app.db, ({ spend }) =>
      spend({
        shopId: SHOP,
        memberId: m!.id,
        kind: "redeem",
        points: -80,
        status: "available",
        availableAt: new Date(),
        idempotencyKey: "test-redeem-107",
        sourceType: "redemption",
        actor: "test",
        reason: "test",
        occurredAt: new Date(),
      }),
    );
    await app.emulator.sendWebhook(SHOP, "orders/cancelled", cancelled(o).payload);
    await app.settled();
    expect(await member(107)).toMatchObject({ available: -80 });
    await assertLedgerConsistent(app.db);
  });

  it("does not enrol guests or opted-out customers", async () => {
    const before = await app.db.member.count();
    const guest = order(5_000, null);
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(guest).payload);
    const optedOut = customer(108, { tags: "loyalty-opt-out, vip" });
    await app.emulator.sendWebhook(SHOP, "customers/create", customerEvent(optedOut, "customers/create").payload);
    await app.settled();
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(5_000, optedOut)).payload);
    await app.settled();
    expect(await app.db.member.count()).toBe(before + 1);
    expect(await member(108)).toMatchObject({ state: "opted_out", available: 0 });
    // The guest's order is known (a later refund or redaction needs it), to no member, for no points.
    expect(
      await app.db.orderFact.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(guest.id) } } }),
    ).toMatchObject({ customerId: null, memberId: null, paid: true, earnedPoints: 0 });
  });

  it("answers a bad HMAC with 401 and writes nothing", async () => {
    const before = await tableCounts(app.db);
    const res = await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(5_000, customer(109))).payload, {
      secret: "wrong-secret",
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_hmac" });
    const missing = await app.emulator.sendWebhook(SHOP, "orders/paid", {}, { headers: { "X-Shopify-Hmac-Sha256": undefined } });
    expect(missing.status).toBe(401);
    const noShop = await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(5_000, customer(109))).payload, {
      headers: { "X-Shopify-Shop-Domain": undefined },
    });
    expect(noShop.status).toBe(400);
    const noTopic = await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(5_000, customer(109))).payload, {
      headers: { "X-Shopify-Topic": undefined },
    });
    expect(noTopic.status).toBe(400);
    await app.settled();
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("answers a body that is not JSON with 4xx, no stack trace, and writes nothing", async () => {
    const before = await tableCounts(app.db);
    for (const rawBody of ["{not json", "[]", "null"]) {
      const res = await app.emulator.sendWebhook(SHOP, "orders/paid", null, { rawBody });
      expect(res.status, rawBody).toBe(400);
      const text = await res.text();
      expect(text).not.toMatch(/at .*\.(js|ts):\d+|prisma|SELECT|INSERT/i);
      expect(JSON.parse(text), rawBody).toMatchObject({ error: "invalid_json" });
    }
    const unknown = await app.emulator.sendWebhook(SHOP, "themes/publish", { id: 1 });
    expect(unknown.status).toBe(404);
    await app.settled();
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("keeps a signed JSON body it cannot use as a dead letter, with 200 and nothing else written", async () => {
    const before = await tableCounts(app.db);
    const ids = ["unusable-a", "unusable-b"];
    for (const [i, rawBody] of [
      JSON.stringify({ id: 1 }),
      JSON.stringify({
        ...paid(order(1, null)).payload,
        subtotal_price_set: { shop_money: { amount: "12.345", currency_code: "USD" } },
      }),
    ].entries()) {
      const res = await app.emulator.sendWebhook(SHOP, "orders/paid", null, { rawBody, webhookId: ids[i] });
      expect(res.status).toBe(200);
    }
    await app.settled();
    expect(await tableCounts(app.db)).toEqual({ ...before, jobs: before.jobs + 2 });
    const dead = await app.db.webhookJob.findMany({ where: { webhookId: { in: ids } } });
    expect(dead.map((j) => [j.status, j.lastError])).toEqual([
      ["dead", "invalid_payload"],
      ["dead", "invalid_payload"],
    ]);
  });

  it("ignores webhooks for a shop that never installed", async () => {
    const before = await tableCounts(app.db);
    const res = await app.emulator.sendWebhook(
      "stranger.myshopify.com",
      "orders/paid",
      paid(order(5_000, customer(110))).payload,
    );
    expect(res.status).toBe(200);
    await app.settled();
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("keeps only an anonymous ledger after customers/redact", async () => {
    const c = customer(111, { email: "redact.me@example.com", tags: "vip" });
    const o = order(7_700, c);
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload);
    await app.settled();
    const m = await member(111);
    await app.emulator.sendWebhook(SHOP, "customers/data_request", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 111, email: c.email, phone: null },
      orders_requested: [o.id],
      data_request: { id: 555 },
    });
    await app.settled();
    const request = await app.db.dataRequest.findFirstOrThrow({ where: { shopId: SHOP, customerId: "111" } });
    expect(JSON.parse(request.export)).toMatchObject({
      customerId: "111",
      member: { points: { available: 77 } },
      ledger: [{ kind: "earn", points: 77 }],
    });

    await app.emulator.sendWebhook(SHOP, "customers/redact", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 111, email: c.email, phone: null },
      orders_to_redact: [o.id],
    });
    await app.settled();
    const after = await app.db.member.findUniqueOrThrow({ where: { id: m!.id } });
    expect(after).toMatchObject({
      customerId: null,
      emailHash: null,
      tags: "",
      referralCode: null,
      state: "redacted",
      available: 77,
    });
    expect(await app.db.orderFact.count({ where: { customerId: "111" } })).toBe(0);
    expect(await app.db.dataRequest.count({ where: { customerId: "111" } })).toBe(0);
    expect(await app.db.webhookJob.count({ where: { customerId: "111" } })).toBe(0);
    const everything = JSON.stringify(
      await Promise.all([
        app.db.member.findMany(),
        app.db.ledgerEntry.findMany(),
        app.db.webhookJob.findMany(),
        app.db.orderFact.findMany(),
      ]),
    );
    expect(everything).not.toContain("redact.me@example.com");
  });

  it("resumes work after a crash between answer and processing", async () => {
    await app.restart({ LOYALTY_WORKER: "off" });
    const o = order(4_200, customer(112));
    expect((await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload)).status).toBe(200);
    await app.restart({}, "SIGKILL");
    await app.settled();
    expect(await member(112)).toMatchObject({ available: 42 });
  });

  it("keeps a job that cannot be processed as a dead letter, visible to the merchant", async () => {
    // A stored body that no longer parses (e.g. written by an older version of the app).
    await app.db.webhookJob.create({
      data: { shopId: SHOP, topic: "orders/paid", webhookId: "poison-1", payload: JSON.stringify({ id: "x" }) },
    });
    await app.restart();
    await app.settled();
    expect(await app.db.webhookJob.findFirstOrThrow({ where: { webhookId: "poison-1" } })).toMatchObject({
      status: "dead",
      payload: expect.any(String),
    });
  });

  it("stops all work at once on app/uninstalled, and shop/redact deletes every row of the shop", async () => {
    // A shop of its own, with a member and history to delete: the other tests keep SHOP installed.
    const LEAVING = await app.installShop("leaving-soon");
    const history = order([2_000, 1_300], customer(114));
    await app.emulator.sendWebhook(LEAVING, "orders/paid", paid(history).payload);
    await app.settled();
    await app.emulator.sendWebhook(LEAVING, "refunds/create", refunded(refund(history, [1])).payload);
    await app.emulator.sendWebhook(LEAVING, "customers/data_request", {
      shop_id: 2,
      shop_domain: LEAVING,
      customer: { id: 114, email: history.email, phone: null },
      orders_requested: [history.id],
      data_request: { id: 556 },
    });
    await app.settled();
    const res = await app.emulator.sendWebhook(LEAVING, "app/uninstalled", { id: 1, domain: LEAVING, myshopify_domain: LEAVING });
    expect(res.status).toBe(200);
    expect(await app.db.shop.findUniqueOrThrow({ where: { id: LEAVING } })).toMatchObject({ uninstalledAt: expect.any(Date) });
    expect(await app.db.session.count({ where: { shop: LEAVING } })).toBe(0);
    const entriesBefore = await app.db.ledgerEntry.count();
    await app.emulator.sendWebhook(LEAVING, "orders/paid", paid(order(9_900, customer(113))).payload);
    await app.settled();
    expect(await app.db.ledgerEntry.count()).toBe(entriesBefore);
    expect(await app.db.member.findUnique({ where: { shopId_customerId: { shopId: LEAVING, customerId: "113" } } })).toBeNull();

    const rows = () =>
      Promise.all([
        app.db.shop.count({ where: { id: LEAVING } }),
        app.db.programVersion.count({ where: { shopId: LEAVING } }),
        app.db.reward.count({ where: { shopId: LEAVING } }),
        app.db.member.count({ where: { shopId: LEAVING } }),
        app.db.ledgerEntry.count({ where: { shopId: LEAVING } }),
        app.db.orderFact.count({ where: { shopId: LEAVING } }),
        app.db.orderRefund.count({ where: { shopId: LEAVING } }),
        app.db.webhookJob.count({ where: { shopId: LEAVING } }),
        app.db.session.count({ where: { shop: LEAVING } }),
        app.db.dataRequest.count({ where: { shopId: LEAVING } }),
      ]);
    // Before: a row of the shop in every table (its sessions went with app/uninstalled).
    const before = await rows();
    expect(
      before.map((n, i) => (i === 8 ? n === 0 : n > 0)),
      String(before),
    ).toEqual(Array(10).fill(true));
    await app.emulator.sendWebhook(LEAVING, "shop/redact", { shop_id: 2, shop_domain: LEAVING });
    await app.settled();
    expect(await rows()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // SHOP, still installed, kept its own.
    expect(await app.db.shop.findUniqueOrThrow({ where: { id: SHOP } })).toMatchObject({ uninstalledAt: null });
  });
});
