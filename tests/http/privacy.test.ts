// Data protection over HTTP, on SQLite and PostgreSQL: after customers/redact nothing Shopify sent
// about the person is anywhere in the database (every text column of every table; on SQLite also
// the raw bytes of the file and its WAL), a job still in flight cannot bring the member back, and
// offline access tokens are encrypted at rest yet still reach Admin GraphQL.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { orderPayload, refundPayload } from "../emulator/payloads.ts";
import { INTEGRATION_OPERATIONS } from "../emulator/server.ts";
import { startApp, describeDialects, storedWebhook, type TestApp } from "../support/app";
import { customer, customerEvent, order, paid, refund, refunded } from "../support/orders";
import { scanFiles, scanTables, sqliteFiles, textColumns } from "../support/scan";

const SHOP = "privacy-shop.myshopify.com";

// The person to erase: every string below is something Shopify sent about them.
const PERSON = {
  id: 4_200_001,
  first: "Ottoline",
  last: "Quarrington",
  email: "ottoline.quarrington@example.net",
  phone: "+14155550187",
  address1: "742 Brackenholt Terrace",
  address2: "Flat 9",
  city: "Wyvernmoor",
  zip: "QX9 7ZT",
  company: "Quillfeather Atelier",
};
const NEEDLES = [
  PERSON.first,
  PERSON.last,
  PERSON.email,
  PERSON.phone,
  PERSON.phone.replace("+", ""),
  PERSON.address1,
  PERSON.city,
  PERSON.zip,
  PERSON.company,
];

const address = {
  first_name: PERSON.first,
  last_name: PERSON.last,
  name: `${PERSON.first} ${PERSON.last}`,
  company: PERSON.company,
  address1: PERSON.address1,
  address2: PERSON.address2,
  city: PERSON.city,
  province: "Kent",
  zip: PERSON.zip,
  country: "United Kingdom",
  country_code: "GB",
  phone: PERSON.phone,
};

describeDialects("data protection on %s", (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp(dialect);
    app.emulator.addShop(SHOP, "Privacy & Co", "USD");
    const res = await app.emulator.install(SHOP);
    expect(res.status, app.server.output()).toBe(200);
  });
  afterAll(() => app?.stop());

  it("discovers every table's text columns from the database itself", async () => {
    const columns = (await textColumns(app.db, dialect)).map((c) => `${c.table}.${c.column}`);
    for (const known of [
      "WebhookJob.payload",
      "WebhookJob.lastError",
      "LedgerEntry.actor",
      "Member.emailHash",
      "Session.accessToken",
    ]) {
      expect(columns).toContain(known);
    }
  });

  it("leaves no trace of an erased customer: not in a table, a free page or the WAL", async () => {
    const c = customer(PERSON.id, { email: PERSON.email, first_name: PERSON.first, last_name: PERSON.last, phone: PERSON.phone });
    const withAddresses = { addresses: [{ id: 1, customer_id: PERSON.id, ...address, default: true }], default_address: address };
    const send = async (topic: string, payload: unknown) => {
      const res = await app.emulator.sendWebhook(SHOP, topic, payload);
      expect(res.status, await res.text()).toBe(200);
    };

    // Their history: a customer record, an order (with addresses), an update, a refund with a
    // note naming them, a guest checkout with their email, and two dead letters as an older
    // version of the app stored them (the whole raw body).
    await send("customers/create", customerEvent(c, "customers/create").payload);
    await app.settled();
    const oA = order([6_000, 4_000], c);
    await send("orders/paid", { ...paid(oA).payload, shipping_address: address, billing_address: address, phone: PERSON.phone });
    await app.settled();
    await send("customers/update", { ...customerEvent({ ...c, tags: "vip" }).payload, ...withAddresses });
    const rA = refund(oA, [1]);
    await send("refunds/create", { ...refunded(rA).payload, note: `Returned by ${PERSON.first} ${PERSON.last}` });
    const guest = order(2_500, null, { email: PERSON.email });
    await send("orders/paid", { ...paid(guest).payload, shipping_address: address, billing_address: address });
    await app.settled();

    const oB = order(3_000, c);
    const guestC = order(1_500, null, { email: PERSON.email });
    await app.db.webhookJob.createMany({
      data: [
        {
          shopId: SHOP,
          topic: "refunds/create",
          webhookId: `dead-refund-${randomUUID()}`,
          payload: JSON.stringify({ ...refundPayload(refund(oA, [0])), note: `Call ${PERSON.phone} (${PERSON.first})` }),
          status: "dead",
          attempts: 8,
          lastError: "refund_line_items: test",
          processedAt: new Date(),
        },
        {
          shopId: SHOP,
          topic: "orders/paid",
          webhookId: `dead-guest-${randomUUID()}`,
          payload: JSON.stringify({ ...orderPayload(guestC), shipping_address: address, billing_address: address }),
          status: "dead",
          attempts: 8,
          lastError: "test",
          processedAt: new Date(),
        },
        {
          shopId: SHOP,
          topic: "orders/cancelled",
          webhookId: `dead-order-${randomUUID()}`,
          customerId: String(PERSON.id),
          payload: JSON.stringify({ ...orderPayload(oB), shipping_address: address }),
          status: "dead",
          attempts: 8,
          lastError: "test",
          processedAt: new Date(),
        },
      ],
    });

    const member = await app.db.member.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: SHOP, customerId: String(PERSON.id) } },
    });
    expect(member).toMatchObject({ available: 60, state: "active", emailHash: expect.any(String) });
    // The test itself must be able to see the person before the erasure.
    const before = await scanTables(app.db, dialect, NEEDLES);
    expect(before.map((f) => f.where)).toContain("WebhookJob.payload");

    await send("customers/redact", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: PERSON.id, email: PERSON.email, phone: PERSON.phone },
      orders_to_redact: [oA.id, oB.id, guest.id, guestC.id],
    });
    await app.settled();

    expect(await scanTables(app.db, dialect, NEEDLES)).toEqual([]);
    if (dialect === "sqlite") expect(scanFiles(sqliteFiles(app.databaseUrl), NEEDLES)).toEqual([]);

    // The books keep the anonymous totals.
    expect(await app.db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({
      customerId: null,
      emailHash: null,
      addressHashes: "",
      state: "redacted",
      available: 60,
      lifetimeEarned: 60,
    });
    const tombstones = await app.db.redactedCustomer.findMany({ where: { shopId: SHOP } });
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]!.customerHash).not.toContain(String(PERSON.id));
    // Dead letters are still listed, without the person: the orders became a guest's.
    const dead = await app.db.webhookJob.findMany({ where: { shopId: SHOP, status: "dead" } });
    expect(dead).toHaveLength(3);
    for (const job of dead) expect(job.customerId).toBeNull();
  });

  it("does not bring an erased customer back from a job that was already in flight", async () => {
    // A customer of its own, erased here, in a shop of its own (the test above counts SHOP's tombstones).
    const shop = await app.installShop("privacy-in-flight");
    const c = customer(4_200_010, { email: "in.flight@example.net" });
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(2_000, c)).payload);
    await app.settled();
    expect(await app.db.member.count({ where: { shopId: shop, customerId: String(c.id) } })).toBe(1);
    await app.emulator.sendWebhook(shop, "customers/redact", {
      shop_id: 3,
      shop_domain: shop,
      customer: { id: c.id, email: c.email, phone: null },
      orders_to_redact: [],
    });
    await app.settled();
    expect(await app.db.redactedCustomer.count({ where: { shopId: shop } })).toBe(1);

    // Jobs about them that Shopify had already sent: an update (opting out) and an order.
    await app.emulator.sendWebhook(shop, "customers/update", customerEvent({ ...c, tags: "loyalty-opt-out" }).payload);
    const late = order(9_900, c);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(late).payload);
    await app.settled();
    expect(await app.db.member.count({ where: { shopId: shop, customerId: String(c.id) } })).toBe(0);
    const fact = await app.db.orderFact.findUniqueOrThrow({
      where: { shopId_orderId: { shopId: shop, orderId: String(late.id) } },
    });
    expect(fact).toMatchObject({ customerId: null, memberId: null, earnedPoints: 0 });
    const join = await app.emulator.proxy(shop, "join", { customerId: String(c.id), method: "POST" });
    expect(join.status).toBe(409);
    expect(await app.db.member.count({ where: { shopId: shop, customerId: String(c.id) } })).toBe(0);
  });

  it("keeps only the fields the app reads in the inbox", async () => {
    await app.restart({ LOYALTY_WORKER: "off" });
    try {
      const c = customer(4_200_002, { first_name: "Persimmon", last_name: "Oakhaven", phone: "+14155550999" });
      const o = order(4_400, c);
      await app.emulator.sendWebhook(
        SHOP,
        "orders/paid",
        { ...paid(o).payload, billing_address: { ...address, first_name: "Persimmon" } },
        { webhookId: "inbox-fields-1" },
      );
      const job = (await storedWebhook(app, SHOP, "inbox-fields-1"))!;
      expect(job.status).toBe("pending");
      // Of the lines only what earning reads (product, quantity, price, discounts, gift card), no titles.
      expect(job.payload).not.toMatch(/Persimmon|Oakhaven|4155550999|"title"|"sku"|billing_address/);
      expect(JSON.parse(job.payload!)).toMatchObject({
        id: o.id,
        customer: { id: c.id, email: c.email },
        subtotal_price_set: {},
      });
    } finally {
      await app.restart();
      await app.settled();
    }
  });

  it("stores the offline access token encrypted, and still calls Admin GraphQL with it", async () => {
    const SHOP = await app.installShop("privacy-tokens"); // a new shop: every token it has came from this install
    const session = await app.db.session.findFirstOrThrow({ where: { shop: SHOP, isOnline: false } });
    const tokens = [...app.emulator.shop(SHOP).accessTokens];
    expect(tokens.length).toBeGreaterThan(0);
    expect(session.accessToken).toMatch(/^v1:/);
    const { decryptToken } = await import("~/secrets.server");
    expect(tokens).toContain(decryptToken(session.accessToken, SHOP));
    for (const token of tokens) {
      expect(session.accessToken).not.toContain(token);
      expect(JSON.stringify(await app.db.session.findMany())).not.toContain(token);
    }
    if (dialect === "sqlite") {
      await app.db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
      expect(scanFiles(sqliteFiles(app.databaseUrl), tokens)).toEqual([]);
    }

    // A redemption loads the stored session (unauthenticated.admin) and creates a discount.
    const shopper = customer(4_200_003);
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(60_000, shopper)).payload);
    await app.settled();
    const reward = await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP, active: true } });
    const calls = app.emulator.graphqlCalls.length;
    const res = await app.emulator.proxy(SHOP, "redeem", {
      customerId: String(shopper.id),
      method: "POST",
      body: { rewardId: reward.id, idempotencyKey: randomUUID() },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // (The integrations' background calls, Flow triggers and metafields, go on beside it.)
    const redemptionCalls = app.emulator.graphqlCalls
      .slice(calls)
      .filter((c) => !INTEGRATION_OPERATIONS.has(c.operationName ?? ""));
    expect(redemptionCalls.map((c) => [c.shop, c.operationName, c.errors])).toEqual([[SHOP, "CreateRewardDiscount", null]]);
  });
});
