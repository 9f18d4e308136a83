// Tiers reached by amount spent or over a rolling 12 months, over HTTP with real signed requests,
// on SQLite and PostgreSQL: the merchant sets how tiers are reached through the admin API (422 and
// nothing saved for what is wrong); orders, refunds and cancellations move a member's spend and
// tier, told as tier.changed events; the storefront says how much more to spend; the member list
// filters by it; points leaving the 12-month window take a member down; and a program that starts
// measuring another way recomputes every member in the background, without telling changes.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { refreshDueTierValues } from "~/models/tier-values.server";
import { adminFetch, assertLedgerConsistent, describeDialects, startApp, tableCounts, type TestApp } from "../support/app";
import { cancelled, customer, order, paid, refund, refunded } from "../support/orders";

describeDialects("tiers by spend or a rolling 12 months on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  let admin: ReturnType<typeof adminFetch>;
  const getProgram = async () => (await admin("/app/api/program")).json();
  const putProgram = (doc: unknown) => admin("/app/api/program", { method: "PUT", body: JSON.stringify(doc) });
  const send = async (webhook: { topic: string; payload: unknown }) => {
    expect((await app.emulator.sendWebhook(SHOP, webhook.topic, webhook.payload)).status).toBe(200);
    await app.settled();
  };
  const member = (id: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });
  const me = async (id: number) => (await app.emulator.proxy(SHOP, "me", { customerId: String(id) })).json();
  const tierEvents = async (id: number) =>
    (
      await app.db.outboxEvent.findMany({
        where: { shopId: SHOP, customerId: String(id), type: "tier.changed" },
        orderBy: { id: "asc" },
      })
    ).map((e) => JSON.parse(e.data) as { tier: string | null; previousTier: string | null; direction: string });
  const listed = async (query: string) =>
    ((await (await admin(`/app/api/members?${query}`)).json()).members as Array<{ customerId: string; tier: string | null }>)
      .map((m) => `${m.customerId}:${m.tier ?? "-"}`)
      .sort();

  /** Silver from $100 spent and Gold from $500 (earning half again); by points they would be 1 and 2. */
  async function spendProgram(period: "lifetime" | "rolling_12_months" = "lifetime") {
    const doc = await getProgram();
    const res = await putProgram({
      ...doc,
      tierEntry: { measure: "spend", period },
      tiers: [
        { name: "Silver", thresholdPoints: 1, thresholdSpendMinor: 10_000 },
        { name: "Gold", thresholdPoints: 2, thresholdSpendMinor: 50_000, earnMultiplierPct: 150 },
      ],
    });
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved.tierEntry).toEqual({ measure: "spend", period });
    return saved;
  }

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  beforeEach(async () => {
    SHOP = await app.installShop("tier-entry");
    admin = adminFetch(app.url, SHOP, "77003");
  });
  afterEach(async () => {
    await assertLedgerConsistent(app.db);
  });

  it("refuses a measure it does not know and two tiers from the same amount, and saves nothing", async () => {
    const doc = await getProgram();
    expect(doc.tierEntry).toEqual({ measure: "points", period: "lifetime" });
    const before = await tableCounts(app.db);
    const wrong = await putProgram({ ...doc, tierEntry: { measure: "visits", period: "lifetime" } });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).errors.map((e: { path: string }) => e.path)).toEqual(["tierEntry.measure"]);
    const same = await putProgram({
      ...doc,
      tierEntry: { measure: "spend", period: "lifetime" },
      tiers: [
        { name: "Silver", thresholdPoints: 10, thresholdSpendMinor: 10_000 },
        { name: "Gold", thresholdPoints: 20, thresholdSpendMinor: 10_000 },
      ],
    });
    expect(same.status).toBe(422);
    expect(await same.json()).toEqual({
      errors: [{ path: "tiers.1.thresholdSpendMinor", message: "another tier starts at the same amount" }],
    });
    // (by points the same thresholds would be fine: only the measure in force must differ)
    expect(await tableCounts(app.db)).toEqual(before);
    expect((await getProgram()).version).toBe(doc.version);
  });

  it("moves a member by what they paid, less refunds; cancelled and test orders count nothing", async () => {
    await spendProgram();
    const alice = customer(6101);
    // $60 of goods (shipping and tax are not spend): no tier yet, $40 to Silver.
    const first = order(6_000, alice);
    await send(paid(first));
    expect((await member(6101)).tierValue).toBe(6_000);
    await expect
      .poll(async () => (await me(6101)).nextTier, { timeout: 8_000 })
      .toMatchObject({ name: "Silver", spendToGoMinor: 4_000, spendToGo: "$40", threshold: 10_000 });
    expect((await me(6101)).tier).toBeNull();
    expect((await me(6101)).nextTier.pointsToGo).toBeUndefined();

    // Two lines of $30 and $20: $110 in all, Silver.
    const second = order([3_000, 2_000], alice);
    await send(paid(second));
    expect((await member(6101)).tierValue).toBe(11_000);
    expect((await me(6101)).tier).toMatchObject({ name: "Silver" });
    expect((await me(6101)).nextTier).toMatchObject({ name: "Gold", spendToGoMinor: 39_000, spendToGo: "$390" });

    // The $30 line refunded: $80, back below Silver.
    await send(refunded(refund(second, [0])));
    expect((await member(6101)).tierValue).toBe(8_000);
    expect((await me(6101)).tier).toBeNull();

    // A test order and an order cancelled after payment count nothing.
    await send(paid(order(90_000, alice, { test: true })));
    const gone = order(90_000, alice);
    await send(paid(gone));
    expect((await member(6101)).tierValue).toBe(98_000);
    await send(cancelled(gone));
    expect((await member(6101)).tierValue).toBe(8_000);
    expect(await tierEvents(6101)).toEqual([
      { tier: "Silver", previousTier: null, direction: "up" },
      { tier: null, previousTier: "Silver", direction: "down" },
      { tier: "Gold", previousTier: null, direction: "up" },
      { tier: null, previousTier: "Gold", direction: "down" },
    ]);
    const moves = await app.db.tierChange.findMany({ where: { shopId: SHOP }, orderBy: { id: "asc" } });
    expect(moves.map((m) => [m.fromTier, m.toTier, m.fromThreshold, m.toThreshold])).toEqual([
      [null, "Silver", -1, 10_000],
      ["Silver", null, 10_000, -1],
      [null, "Gold", -1, 50_000],
      ["Gold", null, 50_000, -1],
    ]);
  });

  it("earns at the tier the spend reached before the order, lists members by it, and counts what they bought before joining", async () => {
    await spendProgram();
    await send(paid(order(60_000, customer(6201)))); // $600: Gold from the next order on
    await send(paid(order(15_000, customer(6202)))); // $150: Silver
    await send(paid(order(5_000, customer(6203)))); // $50: none
    // The first order earned at the base rate (1 point per $1); Gold's next one at 1.5×.
    expect((await member(6201)).available).toBe(600);
    await send(paid(order(10_000, customer(6201))));
    expect((await member(6201)).available).toBe(600 + 150);

    const doc = await getProgram();
    const silver = doc.tiers.find((t: { name: string }) => t.name === "Silver").id;
    const gold = doc.tiers.find((t: { name: string }) => t.name === "Gold").id;
    expect(await listed(`tier=${gold}`)).toEqual(["6201:Gold"]);
    expect(await listed(`tier=${silver}`)).toEqual(["6202:Silver"]);
    expect(await listed("tier=none")).toEqual(["6203:-"]);

    // A guest's orders before they join count once they do.
    const guest = customer(6204);
    const offDoc = await getProgram();
    expect((await putProgram({ ...offDoc, earning: { ...offDoc.earning, autoEnroll: false } })).status).toBe(200);
    await send(paid(order(20_000, guest)));
    expect(await app.db.member.count({ where: { shopId: SHOP, customerId: "6204" } })).toBe(0);
    const joined = await app.emulator.proxy(SHOP, "join", { customerId: "6204", method: "POST", body: {} });
    expect(joined.status).toBe(200);
    expect((await member(6204)).tierValue).toBe(20_000);
    expect((await joined.json()).tier).toMatchObject({ name: "Silver" });
  });

  it("takes a member down when the points that reached a tier leave the 12-month window", async () => {
    const doc = await getProgram();
    expect(
      (
        await putProgram({
          ...doc,
          tierEntry: { measure: "points", period: "rolling_12_months" },
          tiers: [{ name: "Silver", thresholdPoints: 100 }],
        })
      ).status,
    ).toBe(200);
    await send(paid(order(4_000, customer(6301)))); // 40 points
    const adjusted = await admin("/app/api/members/6301/adjustments", {
      method: "POST",
      body: JSON.stringify({ points: 80, reason: "Store credit moved over", idempotencyKey: randomUUID() }),
    });
    expect(adjusted.status).toBe(200);
    const now = await member(6301);
    expect(now.tierValue).toBe(120);
    expect(await tierEvents(6301)).toEqual([{ tier: "Silver", previousTier: null, direction: "up" }]);
    // The order's points count until 12 months after they were earned: then the member is due.
    const order40 = await app.db.ledgerEntry.findFirstOrThrow({ where: { memberId: now.id, kind: "earn" } });
    const leaves = new Date(order40.occurredAt);
    leaves.setUTCMonth(leaves.getUTCMonth() + 12);
    expect(now.tierValueDropsAt?.getTime()).toBe(leaves.getTime());
    // Nothing is due before then; after it, 80 points are left and Silver is gone.
    expect(await refreshDueTierValues(app.db, new Date(leaves.getTime() - 60_000))).toBe(0);
    // (a millisecond after: the adjustment, made after the order, still counts)
    expect(await refreshDueTierValues(app.db, new Date(leaves.getTime() + 1))).toBeGreaterThanOrEqual(1);
    const later = await member(6301);
    expect(later.tierValue).toBe(80);
    expect(await tierEvents(6301)).toEqual([
      { tier: "Silver", previousTier: null, direction: "up" },
      { tier: null, previousTier: "Silver", direction: "down" },
    ]);
    // (lifetime points are untouched: spending or ageing never lowers them)
    expect(later.lifetimeEarned).toBe(120);
  });

  it("recomputes every member when the program starts measuring by spend, and tells no change for it", async () => {
    const doc = await getProgram();
    expect((await putProgram({ ...doc, tiers: [{ name: "Silver", thresholdPoints: 50 }] })).status).toBe(200);
    await send(paid(order(8_000, customer(6401)))); // 80 points: Silver by points; $80: not by spend (Silver from $100)
    await send(paid(order(25_000, customer(6402)))); // 250 points and $250: Silver either way
    expect(await tierEvents(6401)).toEqual([{ tier: "Silver", previousTier: null, direction: "up" }]);
    const events = await app.db.outboxEvent.count({ where: { shopId: SHOP, type: "tier.changed" } });

    await spendProgram();
    // The save's answer comes first; the values follow in the background.
    await expect.poll(async () => (await member(6401)).tierValue, { timeout: 10_000 }).toBe(8_000);
    await expect.poll(async () => (await member(6402)).tierValue, { timeout: 10_000 }).toBe(25_000);
    expect((await member(6401)).tierValueDropsAt).toBeNull();
    await expect.poll(async () => (await me(6401)).tier, { timeout: 8_000 }).toBeNull();
    expect((await me(6402)).tier).toMatchObject({ name: "Silver" });
    expect(await app.db.outboxEvent.count({ where: { shopId: SHOP, type: "tier.changed" } })).toBe(events);

    // Back to lifetime points: lifetimeEarned is the measure again, at once.
    const spendDoc = await getProgram();
    expect((await putProgram({ ...spendDoc, tierEntry: { measure: "points", period: "lifetime" } })).status).toBe(200);
    expect(
      await app.db.member.count({
        where: { shopId: SHOP, OR: [{ tierValue: { not: 0 } }, { tierValueDropsAt: { not: null } }] },
      }),
    ).toBe(0);
    await expect.poll(async () => (await me(6401)).tier, { timeout: 8_000 }).toMatchObject({ name: "Gold" });
  });
});
