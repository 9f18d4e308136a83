// Data protection against a real database (both kinds): keyed hashes, the redaction tombstone,
// the actor of shopper-initiated entries, and the 30-day expiry of dead-letter payloads.
import { withLedger } from "~/models/ledger.server";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createDb } from "~/db.server";
import { normaliseEmail } from "~/domain/referrals";
import { addressHash, emailHash, ensureMember, joinClub, redactCustomer, syncCustomer } from "~/models/members.server";
import { DEAD_LETTER_PAYLOAD_DAYS, expireDeadLetterPayloads } from "~/models/retention.server";
import { installShop } from "~/models/shops.server";
import { dropDatabase, freshDatabaseUrl, describeDialects } from "../support/app";

const DAY = 86_400_000;

describe("personal-data hashes", () => {
  it("are keyed by the server's secret, not only by the public shop domain", () => {
    const shop = "hash-shop.myshopify.com";
    const email = "Some.One+club@gmail.com";
    const legacy = createHash("sha256")
      .update(`${shop}\u0000${normaliseEmail(email)}`)
      .digest("hex");
    const hash = emailHash(shop, email)!;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toBe(legacy);
    // Same person, same shop: the same hash (Gmail folding still applies); another shop: another.
    expect(emailHash(shop, "someone@gmail.com")).toBe(hash);
    expect(emailHash("other.myshopify.com", email)).not.toBe(hash);
    const key = process.env.LOYALTY_SECRET_KEY;
    try {
      process.env.LOYALTY_SECRET_KEY = "another-secret-key-of-at-least-32-characters";
      expect(emailHash(shop, email)).not.toBe(hash);
    } finally {
      process.env.LOYALTY_SECRET_KEY = key;
    }
    const address = { address1: "1 High St", zip: "AB1 2CD", country_code: "GB" };
    const legacyAddress = createHash("sha256").update(`${shop}\u0000addr\u00001highst||ab12cd|gb`).digest("hex").slice(0, 32);
    expect(addressHash(shop, address)).toMatch(/^[0-9a-f]{32}$/);
    expect(addressHash(shop, address)).not.toBe(legacyAddress);
  });
});

describeDialects("erasure and retention on %s", (dialect) => {
  const SHOP = `privacy-db-${dialect}.myshopify.com`;
  let db: Db;
  let url = "";

  // A database of its own for each test: erasure and expiry act on (and count) every row there.
  beforeEach(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb(url);
    await installShop(db, { id: SHOP, name: "Privacy", currency: "USD", timezone: "UTC" });
    await db.programVersion.update({ where: { shopId_version: { shopId: SHOP, version: 1 } }, data: { signupBonus: 50 } });
  });
  afterEach(async () => {
    await db?.$disconnect();
    await dropDatabase(url);
  });

  it("names the shopper's own entries 'shopper', not their customer id", async () => {
    expect(await joinClub(db, SHOP, "5001", null)).toBe("joined");
    const member = await db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: "5001" } } });
    const [entry] = await db.ledgerEntry.findMany({ where: { memberId: member.id } });
    expect(entry).toMatchObject({ kind: "bonus", points: 50, actor: "shopper" });
  });

  it("keeps a tombstone so nothing enrols or updates an erased customer again", async () => {
    await joinClub(db, SHOP, "5002", null);
    // An entry written before this release, naming the shopper.
    const member = await db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: "5002" } } });
    await db.ledgerEntry.updateMany({ where: { memberId: member.id }, data: { actor: "shopper:5002" } });
    await redactCustomer(db, SHOP, "5002", []);

    expect(await db.ledgerEntry.count({ where: { actor: { contains: "5002" } } })).toBe(0);
    const [tombstone, ...others] = await db.redactedCustomer.findMany({ where: { shopId: SHOP } });
    expect(others).toEqual([]);
    expect(tombstone!.customerHash).not.toContain("5002");
    expect(
      await withLedger(db, (ledger) => ensureMember(ledger, SHOP, { customerId: "5002", email: "x@example.com" })),
    ).toBeNull();
    await syncCustomer(db, SHOP, { customerId: "5002", email: "x@example.com", tags: "loyalty-opt-out" });
    expect(await joinClub(db, SHOP, "5002", "01-02")).toBe("opted_out");
    expect(await db.member.count({ where: { shopId: SHOP, customerId: "5002" } })).toBe(0);
    // Other customers are unaffected.
    expect(await withLedger(db, (ledger) => ensureMember(ledger, SHOP, { customerId: "5003" }))).toMatchObject({
      state: "active",
    });
  });

  it("clears inbox payloads by order: refunds and guest orders name no customer", async () => {
    await db.orderFact.create({ data: { shopId: SHOP, orderId: "880001", customerId: "5004", paid: true } });
    const jobs = [
      { topic: "refunds/create", webhookId: "r-1", payload: JSON.stringify({ id: 1, order_id: 880001, note: "Ms Guest" }) },
      {
        topic: "orders/paid",
        webhookId: "g-1",
        payload: JSON.stringify({ id: 880002, email: "guest@example.com", customer: null }),
      },
      { topic: "orders/paid", webhookId: "other-1", payload: JSON.stringify({ id: 880003, email: "keep@example.com" }) },
    ];
    for (const job of jobs) await db.webhookJob.create({ data: { shopId: SHOP, ...job, status: "dead" } });
    await redactCustomer(db, SHOP, "5004", ["880002"]);
    const after = Object.fromEntries(
      (await db.webhookJob.findMany({ where: { shopId: SHOP, webhookId: { in: ["r-1", "g-1", "other-1"] } } })).map((j) => [
        j.webhookId,
        j.payload,
      ]),
    );
    expect(after["r-1"]).not.toContain("Ms Guest");
    expect(JSON.parse(after["r-1"]!)).toEqual({ id: 1, order_id: 880001 });
    expect(JSON.parse(after["g-1"]!)).toEqual({ id: 880002, email: null, customer: null });
    expect(after["other-1"]).toContain("keep@example.com");
  });

  it(`expires dead-letter payloads after ${DEAD_LETTER_PAYLOAD_DAYS} days, and only those`, async () => {
    const now = new Date();
    const at = (days: number) => new Date(now.getTime() - days * DAY);
    await db.webhookJob.createMany({
      data: [
        { shopId: SHOP, topic: "orders/paid", webhookId: "old-dead", payload: "{}", status: "dead", processedAt: at(31) },
        { shopId: SHOP, topic: "orders/paid", webhookId: "new-dead", payload: "{}", status: "dead", processedAt: at(29) },
        { shopId: SHOP, topic: "orders/paid", webhookId: "old-pending", payload: "{}", status: "pending", receivedAt: at(40) },
      ],
    });
    expect(await expireDeadLetterPayloads(db, now)).toBe(1);
    const byId = async (webhookId: string) => db.webhookJob.findFirstOrThrow({ where: { shopId: SHOP, webhookId } });
    expect(await byId("old-dead")).toMatchObject({ status: "dead", payload: null });
    expect(await byId("new-dead")).toMatchObject({ payload: "{}" });
    expect(await byId("old-pending")).toMatchObject({ payload: "{}" });
    expect(await expireDeadLetterPayloads(db, now)).toBe(0);
  });
});
