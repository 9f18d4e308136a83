// The scheduled jobs and the ledger's guarded writes against a real database (both kinds):
// pending points released once, inactivity expiry once, and concurrent spends never overspend.
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createDb } from "~/db.server";
import { expireInactivePoints } from "~/models/expiry.server";
import { InsufficientPointsError, releaseDuePoints, withLedger } from "~/models/ledger.server";
import { applyOrderEvent } from "~/models/orders.server";
import { installShop } from "~/models/shops.server";
import { assertLedgerConsistent, dropDatabase, freshDatabaseUrl, describeDialects } from "../support/app";
import { orderFacts } from "../support/orders";

const SHOP = "jobs-shop.myshopify.com";
const DAY = 86_400_000;

describeDialects("jobs and guarded writes on %s", (dialect) => {
  let db: Db;
  let url = "";
  const member = (customerId: string) =>
    db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId } } });

  // The jobs run over every shop of a database, and count what they did: each test has a
  // database of its own, so that those counts are its own whatever ran before.
  beforeEach(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb(url);
    await installShop(db, { id: SHOP, name: "Jobs", currency: "USD", timezone: "UTC" });
    await db.programVersion.create({ data: { shopId: SHOP, version: 2, pendingDays: 14, expiryDays: 365 } });
    await db.shop.update({ where: { id: SHOP }, data: { programVersion: 2 } });
  });
  afterEach(async () => {
    await db?.$disconnect();
    await dropDatabase(url);
  });

  it("keeps points pending for the pending period, then releases them once", async () => {
    const paidAt = new Date(Date.now() - 2 * DAY);
    await applyOrderEvent(db, SHOP, { type: "paid", order: orderFacts("o1", "c1", 10_000, paidAt) }, "test");
    expect(await member("c1")).toMatchObject({ available: 0, pending: 100 });
    // A partial refund while pending is pending too.
    await applyOrderEvent(
      db,
      SHOP,
      { type: "refund", orderId: "o1", refundId: "r1", subtotalMinor: 2_500, createdAt: new Date() },
      "test",
    );
    expect(await member("c1")).toMatchObject({ available: 0, pending: 75 });
    expect(await releaseDuePoints(db, new Date(Date.now() + 1 * DAY))).toBe(0);
    const releasedAt = new Date(paidAt.getTime() + 15 * DAY);
    const [a, b] = await Promise.all([releaseDuePoints(db, releasedAt), releaseDuePoints(db, releasedAt)]);
    expect(a + b).toBe(2);
    expect(await member("c1")).toMatchObject({ available: 75, pending: 0 });
    await assertLedgerConsistent(db);
  });

  it("expires points after a year without activity, once", async () => {
    const long = new Date(Date.now() - 400 * DAY);
    await applyOrderEvent(db, SHOP, { type: "paid", order: orderFacts("o2", "c2", 5_000, long) }, "test");
    // Another member, active 20 days ago, with points available too.
    await applyOrderEvent(
      db,
      SHOP,
      { type: "paid", order: orderFacts("o2b", "c2b", 7_500, new Date(Date.now() - 20 * DAY)) },
      "test",
    );
    await releaseDuePoints(db, new Date());
    expect(await member("c2")).toMatchObject({ available: 50 });
    expect(await member("c2b")).toMatchObject({ available: 75 });
    expect(await expireInactivePoints(db)).toBe(1);
    expect(await expireInactivePoints(db)).toBe(0);
    expect(await member("c2")).toMatchObject({ available: 0 });
    const entries = await db.ledgerEntry.findMany({ where: { memberId: (await member("c2")).id, kind: "expiry" } });
    expect(entries).toMatchObject([{ points: -50 }]);
    expect(await member("c2b")).toMatchObject({ available: 75 }); // active recently: untouched
    await assertLedgerConsistent(db);
  });

  it("never lets concurrent spends take more than the balance", async () => {
    await applyOrderEvent(
      db,
      SHOP,
      { type: "paid", order: orderFacts("o3", "c3", 100_000, new Date(Date.now() - 20 * DAY)) },
      "test",
    );
    await releaseDuePoints(db, new Date());
    const m = await member("c3");
    expect(m.available).toBe(1_000);
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        withLedger(db, ({ spend }) =>
          spend({
            shopId: SHOP,
            memberId: m.id,
            kind: "redeem",
            points: -300,
            status: "available",
            availableAt: new Date(),
            idempotencyKey: `spend-${i}`,
            sourceType: "redemption",
            actor: "test",
            reason: "spend",
            occurredAt: new Date(),
          }),
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(3);
    expect(
      attempts
        .filter((a) => a.status === "rejected")
        .every((a) => (a as PromiseRejectedResult).reason instanceof InsufficientPointsError),
    ).toBe(true);
    expect(await member("c3")).toMatchObject({ available: 100 });
    await assertLedgerConsistent(db);
  });

  it("applies the same order event once however many times it runs at once", async () => {
    const event = { type: "paid" as const, order: orderFacts("o4", "c4", 12_345, new Date(Date.now() - 30 * DAY)) };
    await Promise.all(Array.from({ length: 8 }, () => applyOrderEvent(db, SHOP, event, "test")));
    expect(await db.ledgerEntry.count({ where: { memberId: (await member("c4")).id } })).toBe(1);
  });
});
