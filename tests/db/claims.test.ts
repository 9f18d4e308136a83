// The worker's claims and batches against a real database (both kinds): compliance topics first,
// round-robin over shops, a failing job retried alone, and a job whose row shop/redact removed
// finishing without stalling the rest of its batch.
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { installShop, uninstallShop } from "~/models/shops.server";
import { claimJobs, processJobs } from "~/webhooks/worker.server";
import { minimisePayload } from "~/webhooks/minimise";
import { orderPayload } from "../emulator/payloads.ts";
import { customer, order } from "../support/orders";
import { dropDatabase, freshDatabaseUrl, describeDialects } from "../support/app";

describeDialects("claims and batches on %s", (dialect) => {
  let db: Db;
  let url = "";
  let seq = 0;
  const job = (shopId: string, topic: string, body: unknown) =>
    db.webhookJob.create({
      data: { shopId, topic, webhookId: `w-${++seq}`, payload: minimisePayload(topic, body), runAt: new Date(Date.now() - 1000) },
    });
  const paidJob = (shopId: string, customerId: number, subtotal = 2_000) =>
    job(shopId, "orders/paid", orderPayload(order(subtotal, customer(customerId))));
  const shop = async (id: string) => {
    await installShop(db, { id, name: id, currency: "USD", timezone: "UTC" });
    return id;
  };

  // A database of its own for each test: claims take whatever is due, so tests must not share an inbox.
  beforeEach(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb(url);
  });
  afterEach(async () => {
    await db?.$disconnect();
    await dropDatabase(url);
  });

  it("claims compliance topics first, then an equal share of every shop with work", async () => {
    const big = await shop("claims-big.myshopify.com");
    const small = await shop("claims-small.myshopify.com");
    for (let i = 0; i < 30; i++) await paidJob(big, 100 + i);
    await paidJob(small, 200);
    const redact = await job(small, "customers/redact", { shop_domain: small, customer: { id: 999 }, orders_to_redact: [] });
    const claimed = await claimJobs(db, dialect, 7);
    // The erasure first; then 6 left for 2 shops, 3 each: the small shop's one order is claimed
    // beside the big shop's first ones, not after all 30.
    expect(claimed.map((j) => j.id)).toContain(redact.id);
    expect(claimed.filter((j) => j.shopId === small && j.topic === "orders/paid")).toHaveLength(1);
    expect(claimed.filter((j) => j.shopId === big)).toHaveLength(3);
    await processJobs(db, claimed);
    expect(await db.webhookJob.count({ where: { id: { in: claimed.map((j) => j.id) }, status: "done" } })).toBe(5);
    // The next claims take the rest, the erasure and the small shop done already.
    for (;;) {
      const more = await claimJobs(db, dialect, 50);
      if (more.length === 0) break;
      await processJobs(db, more);
    }
    expect(await db.webhookJob.groupBy({ by: ["status"], _count: true })).toEqual([{ status: "done", _count: 32 }]);
  });

  it("finishes a batch whose shop/redact removed the job's own row, and the other shops' jobs in it", async () => {
    const gone = await shop("claims-gone.myshopify.com");
    const other = await shop("claims-other.myshopify.com");
    await paidJob(gone, 300);
    await uninstallShop(db, gone);
    await job(gone, "shop/redact", { shop_id: 1, shop_domain: gone });
    await paidJob(other, 301, 4_200);
    const claimed = await claimJobs(db, dialect, 10);
    expect(claimed.map((j) => j.topic).sort()).toEqual(["orders/paid", "orders/paid", "shop/redact"]);
    await processJobs(db, claimed);
    expect(await db.shop.findUnique({ where: { id: gone } })).toBeNull();
    expect(await db.webhookJob.count({ where: { shopId: gone } })).toBe(0);
    const member = await db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: other, customerId: "301" } } });
    expect(member).toMatchObject({ available: 42 });
    expect(await db.webhookJob.findFirstOrThrow({ where: { shopId: other } })).toMatchObject({ status: "done", payload: null });
  });

  it("retries a failing job alone: the rest of its batch is credited", async () => {
    const s = await shop("claims-retry.myshopify.com");
    await paidJob(s, 400, 1_000);
    // A member row another shop's id points at cannot take an entry here: this job's transaction fails.
    const bad = await paidJob(s, 401, 1_000);
    await db.member.create({ data: { id: "m_broken", shopId: "elsewhere.myshopify.com", customerId: "401-elsewhere" } });
    await db.orderFact.create({
      data: {
        shopId: s,
        orderId: String(JSON.parse(bad.payload!).id),
        memberId: "m_broken",
        customerId: "401",
        paid: true,
        subtotalMinor: 1_000,
      },
    });
    await paidJob(s, 402, 1_000);
    const claimed = await claimJobs(db, dialect, 10);
    expect(claimed).toHaveLength(3);
    await processJobs(db, claimed);
    const done = await db.webhookJob.findMany({
      where: { shopId: s },
      orderBy: { id: "asc" },
      select: { status: true, attempts: true },
    });
    expect(done.map((j) => j.status)).toEqual(["done", "pending", "done"]);
    for (const c of ["400", "402"]) {
      expect(await db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: s, customerId: c } } })).toMatchObject({
        available: 10,
      });
    }
  });
});
