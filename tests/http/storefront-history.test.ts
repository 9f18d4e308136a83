// The shopper's history and codes over the app proxy: entries as a stable type + params with a
// description in the shopper's language, dates, cursor paging past the first 25, and the unused
// codes "My rewards" lists. SQLite and PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDialects, startApp, type TestApp } from "../support/app";
import { cancelled, customer, order, paid, refund, refunded } from "../support/orders";

const SHOP = "history-hall.myshopify.com";
// The test that adds a reward has a shop of its own: the storefront caches a shop's program for 5 s.
const CODES_SHOP = "codes-corner.myshopify.com";

interface Entry {
  id: string;
  type: string;
  points: number;
  status: string;
  params: Record<string, unknown>;
  description: string;
  createdAt: string;
}

describeDialects("storefront history on %s", (dialect) => {
  let app: TestApp;

  const me = async (customerId: number, locale?: string, shop = SHOP) => {
    const res = await app.emulator.proxy(shop, `me${locale ? `?locale=${locale}` : ""}`, { customerId: String(customerId) });
    expect(res.status).toBe(200);
    return res.json();
  };
  const history = (customerId: number | null, cursor: string, locale = "") =>
    app.emulator.proxy(SHOP, `history?cursor=${encodeURIComponent(cursor)}${locale ? `&locale=${locale}` : ""}`, {
      customerId: customerId === null ? null : String(customerId),
    });
  const sendTo = async (shop: string, ...events: Array<{ topic: string; payload: unknown }>) => {
    for (const e of events) expect((await app.emulator.sendWebhook(shop, e.topic, e.payload)).status).toBe(200);
    await app.settled();
  };
  const send = async (...events: Array<{ topic: string; payload: unknown }>) => {
    for (const e of events) expect((await app.emulator.sendWebhook(SHOP, e.topic, e.payload)).status).toBe(200);
    await app.settled();
  };

  beforeAll(async () => {
    app = await startApp(dialect);
    for (const shop of [SHOP, CODES_SHOP]) {
      app.emulator.addShop(shop, shop, "USD");
      expect((await app.emulator.install(shop)).status).toBe(200);
    }
  });
  afterAll(() => app?.stop());

  it("says what each entry is as a type and params, described in the shopper's language, with its date", async () => {
    const who = customer(4101);
    const o = order([40_00, 20_00], who);
    const other = order(10_00, who);
    await send(paid(o), paid(other));
    await send(refunded(refund(o, [1])), cancelled(other));
    const body = await me(4101);
    const byType = (type: string, cause?: string) =>
      (body.history as Entry[]).find((e) => e.type === type && (cause === undefined || e.params.cause === cause))!;
    const name = `#${o.number}`;
    expect(byType("reversal", "refund")).toMatchObject({
      points: -20,
      params: { cause: "refund", order: name },
      description: `Order ${name} refunded`,
    });
    expect(byType("reversal", "cancellation")).toMatchObject({
      points: -10,
      params: { cause: "cancellation", order: `#${other.number}` },
      description: `Order #${other.number} cancelled`,
    });
    const earned = (body.history as Entry[]).find((e) => e.type === "earn" && e.params.order === name)!;
    expect(earned).toMatchObject({ points: 60, status: "available", description: `Order ${name}` });
    expect(Date.parse(earned.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    // The same entries in German and Persian: the description follows ?locale=, the params do not.
    const fa = await me(4101, "fa");
    const de = await me(4101, "de-AT");
    const line = (b: { history: Entry[] }, id: string) => b.history.find((e) => e.id === id)!;
    expect(line(de, earned.id)).toMatchObject({ params: earned.params, description: `Bestellung ${name}` });
    expect(line(fa, earned.id)).toMatchObject({ params: earned.params, description: `سفارش ${name}` });
    expect(line(fa, byType("reversal", "refund").id).description).toBe(`بازپرداخت سفارش ${name}`);
    // A language the catalogue does not have is English; a malformed tag is ignored.
    expect(line(await me(4101, "pt-BR"), earned.id).description).toBe(`Order ${name}`);
    expect(line(await me(4101, "<script>"), earned.id).description).toBe(`Order ${name}`);
  });

  it("pages through a long history with a cursor: every entry once, newest first", async () => {
    // 31 orders in one delivery batch: many entries share a creation time, so the cursor must break ties by id.
    const who = customer(4102);
    await send(...Array.from({ length: 31 }, (_, i) => paid(order((i + 1) * 100, who))));
    const first = await me(4102);
    expect(first.history).toHaveLength(25);
    expect(first.historyNextCursor).toEqual(expect.any(String));
    const res = await history(4102, first.historyNextCursor, "fa");
    expect(res.status).toBe(200);
    const second = await res.json();
    expect(second.history).toHaveLength(6);
    expect(second.nextCursor).toBeNull();
    expect(second.history[0].description).toMatch(/^سفارش #/);

    const all = [...first.history, ...second.history] as Entry[];
    const rows = await app.db.ledgerEntry.findMany({
      where: { shopId: SHOP, memberId: (await memberId(4102))!, kind: { not: "release" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    expect(all.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(all.reduce((sum, e) => sum + e.points, 0)).toBe(((31 * 32) / 2) * 1);
  });

  it("refuses a bad cursor, a logged-out shopper and a customer who is not a member", async () => {
    const who = customer(4103);
    await send(paid(order(5_00, who)));
    const cursor = (await me(4103)).historyNextCursor ?? Buffer.from(`${Date.now()}.x`).toString("base64url");
    for (const bad of ["", "not-a-cursor", Buffer.from("1.2.3;DROP").toString("base64url")]) {
      const res = await history(4103, bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_cursor" });
    }
    expect((await history(null, cursor)).status).toBe(401);
    const stranger = await history(4199, cursor);
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toMatchObject({ error: "not_a_member" });
  });

  it("lists a member's unused codes until they are used or expire, with the reward's terms", async () => {
    const who = customer(4104);
    await sendTo(CODES_SHOP, paid(order(3_000_00, who)));
    const capped = await app.db.reward.create({
      data: {
        shopId: CODES_SHOP,
        name: "10% off",
        type: "percentage",
        percent: 10,
        maxDiscountMinor: 25_00,
        minimumSubtotalMinor: 50_00,
        pointsCost: 100,
        position: 9,
      },
    });
    const redeem = async (rewardId: string) => {
      const res = await app.emulator.proxy(CODES_SHOP, "redeem", {
        customerId: "4104",
        method: "POST",
        body: { rewardId, idempotencyKey: randomUUID() },
      });
      expect(res.status).toBe(200);
      return (await res.json()).redemption as { id: string; code: string };
    };
    const fiveOff = (await app.db.reward.findFirstOrThrow({ where: { shopId: CODES_SHOP, name: "5 off" } })).id;
    const used = await redeem(fiveOff);
    const kept = await redeem(capped.id);
    const expired = await redeem(fiveOff);
    await app.db.redemption.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await sendTo(CODES_SHOP, paid(order(80_00, who, { discountCode: used.code, discountMinor: 5_00 })));

    // A reload finds the code that is still good, and only that one.
    const body = await me(4104, undefined, CODES_SHOP);
    expect(body.codes).toEqual([
      {
        id: kept.id,
        code: kept.code,
        rewardId: capped.id,
        name: "10% off",
        type: "percentage",
        maximum: "25.00",
        minimumSubtotal: "50.00",
        minimumSubtotalMinor: 50_00,
        source: "points",
        expiresAt: expect.any(String),
        createdAt: expect.any(String),
      },
    ]);
    expect(Date.parse(body.codes[0].expiresAt)).toBeGreaterThan(Date.now());
    // The reward list shows the same terms before redeeming.
    expect(body.rewards.find((r: { id: string }) => r.id === capped.id)).toMatchObject({
      maximum: "25.00",
      minimumSubtotal: "50.00",
      minimumSubtotalMinor: 50_00,
    });
    // The redemptions are history lines naming their reward.
    const redeemed = (body.history as Entry[]).filter((e) => e.type === "redeem");
    expect(redeemed.map((e) => e.params.reward).sort()).toEqual(["10% off", "5 off", "5 off"]);
    expect(redeemed.map((e) => e.description)).toContain("Redeemed: 10% off");
    // Another member sees none of them.
    await sendTo(CODES_SHOP, paid(order(1_00, customer(4105))));
    expect((await me(4105, undefined, CODES_SHOP)).codes).toEqual([]);
  });

  const memberId = async (customerId: number) =>
    (await app.db.member.findUnique({ where: { shopId_customerId: { shopId: SHOP, customerId: String(customerId) } } }))?.id;
});
