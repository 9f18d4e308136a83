// Members' tiers as tags on their Shopify customers, over HTTP on SQLite and PostgreSQL: saving the
// program's tiers (PUT /app/api/program) queues the members whose tag no longer matches, and the
// app brings Shopify in line in the background through tagsAdd/tagsRemove (validated by the
// emulator against the 2026-10 Admin schema), throttle-aware, once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, describeDialects, type TestApp, adminFetch } from "../support/app";
import { customer, order, paid } from "../support/orders";

const SHOP = "tier-tags.myshopify.com";

describeDialects("tier tags on %s", (dialect) => {
  let app: TestApp;
  const call = (path: string, init: RequestInit = {}) => adminFetch(app.url, SHOP, "88001")(path, init);
  const program = async () => (await call("/app/api/program")).json();
  const save = async (change: (doc: Record<string, unknown>) => Record<string, unknown>) => {
    const res = await call("/app/api/program", { method: "PUT", body: JSON.stringify(change(await program())) });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const tagsOf = (id: number) => app.emulator.shop(SHOP).customers.get(id)!.tags;
  const tagCalls = () =>
    app.emulator.graphqlCalls.filter((c) => c.operationName === "AddCustomerTags" || c.operationName === "RemoveCustomerTags");
  /** waits until the queue is empty and the customers' tags are as expected */
  const expectTags = async (expected: Record<number, string>) => {
    await expect
      .poll(
        async () => [
          Object.fromEntries(Object.keys(expected).map((id) => [id, tagsOf(Number(id))])),
          await app.db.tierTagJob.count(),
        ],
        {
          timeout: 15_000,
          interval: 100,
        },
      )
      .toEqual([Object.fromEntries(Object.entries(expected).map(([id, tags]) => [id, tags])), 0]);
  };

  beforeAll(async () => {
    app = await startApp(dialect);
    const shop = app.emulator.addShop(SHOP, "Tier Tags", "USD");
    // 5001 earns 1,200 points, 5002 3,000, 5003 300; 5001 already carries a tag of its own.
    for (const [id, tags] of [
      [5001, "vip"],
      [5002, ""],
      [5003, ""],
    ] as const)
      shop.customers.set(id, customer(id, { tags }));
    expect((await app.emulator.install(SHOP)).status).toBe(200);
    for (const [id, units] of [
      [5001, 1_200],
      [5002, 3_000],
      [5003, 300],
    ] as const) {
      const o = order(units * 100, customer(id));
      expect((await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload)).status).toBe(200);
    }
    await app.settled();
  });
  afterAll(() => app?.stop());

  it("tags each member with their tier when tiers are added, keeping the customer's other tags", async () => {
    // Shopify is busy at first (throttled, then 429): calls wait and retry, and the tags still arrive.
    app.emulator.failures.push("throttled", 429);
    await save((doc) => ({
      ...doc,
      tiers: [
        { name: "Silver", thresholdPoints: 1_000, earnMultiplierPct: 100 },
        { name: "Gold", thresholdPoints: 2_500, earnMultiplierPct: 125 },
      ],
    }));
    await expectTags({ 5001: "vip, loyalty-tier:Silver", 5002: "loyalty-tier:Gold", 5003: "" });
    const members = await app.db.member.findMany({ where: { shopId: SHOP }, orderBy: { customerId: "asc" } });
    expect(members.map((m) => [m.customerId, m.tierTag])).toEqual([
      ["5001", "Silver"],
      ["5002", "Gold"],
      ["5003", null],
    ]);
    expect(tagCalls().map((c) => [c.operationName, c.variables])).toEqual(
      expect.arrayContaining([
        ["AddCustomerTags", { id: "gid://shopify/Customer/5001", tags: ["loyalty-tier:Silver"] }],
        ["AddCustomerTags", { id: "gid://shopify/Customer/5002", tags: ["loyalty-tier:Gold"] }],
      ]),
    );
    expect(tagCalls().filter((c) => c.errors)).toEqual([]);
  });

  it("moves the tag when a tier is renamed or its threshold changes, and removes it when a member drops out", async () => {
    await save((doc) => ({
      ...doc,
      tiers: (doc.tiers as Array<Record<string, unknown>>).map((t) =>
        t.name === "Gold" ? { ...t, name: "Gold Circle" } : { ...t, thresholdPoints: 1_500 },
      ),
    }));
    await expectTags({ 5001: "vip", 5002: "loyalty-tier:Gold Circle", 5003: "" });
    expect(
      await app.db.member.findMany({ where: { shopId: SHOP }, orderBy: { customerId: "asc" }, select: { tierTag: true } }),
    ).toEqual([{ tierTag: "" }, { tierTag: "Gold Circle" }, { tierTag: null }]);
  });

  it("sends nothing when a save leaves every member's tier as it was", async () => {
    const before = tagCalls().length;
    await save((doc) => ({ ...doc, pendingDays: 1 }));
    await save((doc) => ({ ...doc, pendingDays: 0 }));
    await new Promise((r) => setTimeout(r, 500));
    expect(tagCalls().length).toBe(before);
    expect(await app.db.tierTagJob.count()).toBe(0);
  });

  it("follows a member across a threshold when the merchant adjusts their points", async () => {
    const res = await call("/app/api/members/5003/adjustments", {
      method: "POST",
      body: JSON.stringify({ points: 1_300, reason: "Welcome from our old program", idempotencyKey: randomUUID() }),
    });
    expect(res.status).toBe(200);
    await expectTags({ 5001: "vip", 5002: "loyalty-tier:Gold Circle", 5003: "loyalty-tier:Silver" });
  });

  it("removes every tier tag when the tiers are archived", async () => {
    await save((doc) => ({ ...doc, tiers: [] }));
    await expectTags({ 5001: "vip", 5002: "", 5003: "" });
    const removes = tagCalls().filter((c) => c.operationName === "RemoveCustomerTags");
    expect(removes.map((c) => (c.variables as { tags: string[] }).tags)).toEqual(
      expect.arrayContaining([["loyalty-tier:Gold Circle"], ["loyalty-tier:Silver"]]),
    );
  });
});
