// Contract §6, GET /app/api/metrics, from outside: orders, refunds, cancellations, a guest, a
// redemption and a referral made through webhooks and the app proxy, in a shop whose time zone is
// half an hour off the hour (Asia/Kolkata), with orders a minute inside and outside the period's
// edges. Every expected figure is worked out by hand from the definitions. Then the holdout.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dateOfDayNumber, dayNumber, localDate, startOfLocalDay } from "~/domain/analytics";
import { inHoldout } from "~/models/analytics-holdout.server";
import { assertLedgerConsistent, describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { cancelled, customer, order, paid, refund, refunded } from "../support/orders";

const TZ = "Asia/Kolkata";

describeDialects("analytics on %s", (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  const install = async (name: string) => {
    const domain = `${name}-${randomUUID().slice(0, 6)}.myshopify.com`;
    app.emulator.addShop(domain, name, "USD").timezone = TZ;
    expect((await app.emulator.install(domain)).status).toBe(200);
    return domain;
  };
  const call = (shop: string, path: string, init: RequestInit = {}) => adminFetch(app.url, shop, "77001")(path, init);
  const send = async (shop: string, events: Array<{ topic: string; payload: unknown }>) => {
    for (const e of events) expect((await app.emulator.sendWebhook(shop, e.topic, e.payload)).status).toBe(200);
    await app.settled();
  };
  const program = async (shop: string, change: (doc: { referrals: { referrerPoints: number }; analytics?: unknown }) => void) => {
    const doc = await (await call(shop, "/app/api/program")).json();
    change(doc);
    expect((await call(shop, "/app/api/program", { method: "PUT", body: JSON.stringify(doc) })).status).toBe(200);
  };
  const at = (d: Date) => ({ created_at: d.toISOString() });
  // The period: yesterday to tomorrow in the shop's zone (now is inside it, so are the ledger's entries).
  const today = dayNumber(localDate(new Date(), TZ))!;
  const from = dateOfDayNumber(today - 1);
  const to = dateOfDayNumber(today + 1);
  const start = startOfLocalDay(from, TZ);
  const end = startOfLocalDay(dateOfDayNumber(today + 2), TZ);
  const inside = new Date(Date.now() - 60_000);

  it("answers every figure of §6 as worked out by hand", async () => {
    const shop = await install("metrics");
    await program(shop, (doc) => {
      doc.referrals.referrerPoints = 100;
    });
    const A = customer(7101);
    // A: 600.00 (600 points), redeems "5 off" (500 points), then 40.00 and 100.00 with the code (5.00 off).
    await send(shop, [paid(order(60_000, A, at(inside)))]);
    const rewardId = (await (await app.emulator.proxy(shop, "program")).json()).rewards[0].id;
    const redeem = await app.emulator.proxy(shop, "redeem", {
      customerId: "7101",
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID() },
    });
    expect(redeem.status).toBe(200);
    const { code } = (await redeem.json()).redemption;
    const referralCode = (await (await app.emulator.proxy(shop, "me", { customerId: "7101" })).json()).referral.code;
    const b1 = order([1_500, 500], customer(7102), at(inside));
    const c1 = order(3_000, customer(7103), at(inside));
    await send(shop, [
      paid(order(4_000, A, at(inside))),
      paid(order(10_500, A, { ...at(inside), discountCode: code, discountMinor: 500 })),
      // B: 20.00 (20 points), 5.00 of it refunded (5 points back): 15.00.
      paid(b1),
      refunded(refund(b1, [1])),
      // C: 30.00 paid and cancelled (does not count; its 30 points were issued and taken back), then 10.00.
      paid(c1),
      cancelled(c1),
      paid(order(1_000, customer(7103), at(inside))),
      // A guest: 50.00.
      paid(order(5_000, null, at(inside))),
      // D: 70.00 a minute before the period (its 70 points are issued now, in the period), 80.00 a minute before its end.
      paid(order(7_000, customer(7104), at(new Date(start.getTime() - 60_000)))),
      paid(order(8_000, customer(7104), at(new Date(end.getTime() - 60_000)))),
      // F: 0.50, which earns no point: not a member order.
      paid(order(50, customer(7106), at(inside))),
      // H: A's friend, 25.00 after A's referral code took 2.50 off (25 points; A gets 100).
      paid(order(2_750, customer(7108), { ...at(inside), discountCode: referralCode, discountMinor: 250 })),
    ]);
    await assertLedgerConsistent(app.db);

    const res = await call(shop, `/app/api/metrics?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ from, to });
    const value = Object.fromEntries(Object.entries(body.metrics).map(([k, v]) => [k, (v as { value: number }).value]));
    for (const m of Object.values(body.metrics)) expect((m as { definition: string }).definition.length).toBeGreaterThan(10);
    // Customers with an order: A, B, C, D, F, H (6); with a member order: all but F (5).
    expect(value.participation_rate).toBe(5 / 6);
    // 600 + 40 + 100 + 20 + 30 + 10 + 70 + 80 + 25 + the referral's 100.
    expect(value.points_issued).toBe(1_075);
    expect(value.points_redeemed).toBe(500);
    expect(value.redemption_rate).toBe(500 / 1_075);
    // A 600 − 500 + 40 + 100 + 100 = 340, B 15, C 10, D 150, F 0, H 25.
    expect(value.points_outstanding).toBe(540);
    // Among A (3 orders), B, C, D, H (1 each in the period): A repeats. F alone has no member order.
    expect(value.repeat_rate_members).toBe(1 / 5);
    expect(value.repeat_rate_non_members).toBe(0);
    // (60000 + 4000 + 10000 + 1500 + 1000 + 8000 + 2500) / 7 = 12428.57…
    expect(value.aov_members_minor).toBe(12_429);
    // The guest's 5000 and F's 50.
    expect(value.aov_non_members_minor).toBe(2_525);
    expect(value.redemptions).toBe(1);
    expect(value.redemptions_used).toBe(1);
    expect(value.reward_discount_minor).toBe(500);
    expect(value.reward_revenue_minor).toBe(10_000);
    expect(value.referral_orders).toBe(1);
    expect(value.orders).toBe(9);

    // The day before the period holds D's first order alone (no entry was created then).
    const before = dateOfDayNumber(today - 2);
    const earlier = await (await call(shop, `/app/api/metrics?from=${before}&to=${before}`)).json();
    expect(earlier.metrics.orders.value).toBe(1);
    expect(earlier.metrics.aov_members_minor.value).toBe(7_000);
    expect(earlier.metrics.points_issued.value).toBe(0);
    expect(earlier.metrics.points_outstanding.value).toBe(0);
  });

  it("counts referral links shared and opened, and tier movement, as worked out by hand", async () => {
    const shop = await install("moves");
    await program(shop, (doc) => {
      (doc as unknown as { tiers: unknown[] }).tiers = [
        { name: "Silver", thresholdPoints: 100, earnMultiplierPct: 100 },
        { name: "Gold", thresholdPoints: 300, earnMultiplierPct: 100 },
      ];
    });
    // Lifetime points against Silver 100 and Gold 300 (reversals count against them):
    // P 150 (Silver) then +200 = 350 (Gold): none → Gold, up. Q 120 (Silver), refunded in full (0): back to none, no move.
    // R 350 (Gold), 300 refunded (50, none), then +250 = 300 (Gold): none → Gold, up.
    const q1 = order(12_000, customer(7402), at(inside));
    const r1 = order([30_000, 5_000], customer(7403), at(inside));
    await send(shop, [
      paid(order(15_000, customer(7401), at(inside))),
      paid(order(20_000, customer(7401), at(inside))),
      paid(q1),
      refunded(refund(q1, [0])),
      paid(r1),
      refunded(refund(r1, [0])),
      paid(order(25_000, customer(7403), at(inside))),
    ]);
    // S: 320.00 (Gold), cancelled: none → Gold → none: back where they started.
    const s1 = order(32_000, customer(7404), at(inside));
    await send(shop, [paid(s1), cancelled(s1)]);
    const code = (await (await app.emulator.proxy(shop, "me", { customerId: "7401" })).json()).referral.code;
    // Two visits through P's link, one through a code nobody has (not counted); P shares once, a guest's beacon is refused.
    expect((await app.emulator.proxy(shop, `referral?code=${code}`)).status).toBe(200);
    expect((await app.emulator.proxy(shop, `referral?code=${code}`)).status).toBe(200);
    expect((await app.emulator.proxy(shop, `referral?code=NOSUCH99`)).status).toBe(404);
    const shared = await app.emulator.proxy(shop, "referral/shared", { customerId: "7401", method: "POST", body: {} });
    expect(shared.status).toBe(200);
    const guest = await app.emulator.proxy(shop, "referral/shared", { method: "POST", body: {} });
    expect(guest.status).toBe(401);
    expect((await guest.json()).error).toBe("not_logged_in");
    const stranger = await app.emulator.proxy(shop, "referral/shared", { customerId: "7499", method: "POST", body: {} });
    expect(stranger.status).toBe(404);
    expect((await stranger.json()).error).toBe("not_a_member");

    const page = await (await call(shop, `/app/api/analytics?from=${from}&to=${to}`)).json();
    expect(page.referrals).toMatchObject({ linksShared: 1, linksOpened: 2, openConversion: 0, rewarded: 0 });
    expect(page.report.current.metrics.referral_links_opened.value).toBe(2);
    expect(page.report.current.metrics.referral_links_shared.value).toBe(1);
    expect(page.report.current.metrics.referral_conversion.value).toBe(0);
    expect(page.tierMoves).toEqual({ up: 2, down: 0, moves: [{ from: "No tier", to: "Gold", direction: "up", members: 2 }] });
    // Today's distribution: P and R Gold, Q and S no tier.
    expect(page.tiers).toEqual([
      { tier: "No tier", members: 2 },
      { tier: "Silver", members: 0 },
      { tier: "Gold", members: 2 },
    ]);
    const csv = await (await call(shop, `/app/export/analytics/tier_moves.csv?from=${from}&to=${to}`)).text();
    expect(
      csv
        .replace(/^\uFEFF/, "")
        .trim()
        .split(/\r?\n/),
    ).toEqual(["from,to,direction,members", "No tier,Gold,up,2"]);
  });

  it("refuses a bad period with 422 and field paths, and a request without a session token with 401", async () => {
    const shop = await install("periods");
    for (const [query, path] of [
      ["from=2026-02-30&to=2026-03-01", "from"],
      ["from=2026-03-02&to=2026-03-01", "to"],
      ["to=2026-03-01", "from"],
      ["from=2020-01-01&to=2026-01-01", "to"],
    ] as const) {
      const res = await call(shop, `/app/api/metrics?${query}`);
      expect(res.status, query).toBe(422);
      expect((await res.json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    const res = await fetch(`${app.url}/app/api/metrics?from=${from}&to=${to}`);
    expect(res.status).toBe(401);
  });

  it("keeps the holdout out of the club and compares with it", async () => {
    const shop = await install("holdout");
    await program(shop, (doc) => {
      doc.analytics = { holdoutPercent: 50, grossMarginPercent: 40 };
    });
    const ids = Array.from({ length: 40 }, (_, i) => 7300 + i);
    const held = ids.filter((id) => inHoldout(shop, String(id), 50));
    // A stable random half: neither none nor all of 40.
    expect(held.length).toBeGreaterThan(8);
    expect(held.length).toBeLessThan(32);
    await send(
      shop,
      ids.map((id) => paid(order(2_000, customer(id), at(inside)))),
    );
    for (const id of ids) {
      const member = await app.db.member.findUnique({ where: { shopId_customerId: { shopId: shop, customerId: String(id) } } });
      expect(member === null, `customer ${id}`).toBe(held.includes(id));
    }
    // The storefront says nothing to someone in the holdout, and will not let them join.
    const me = await (await app.emulator.proxy(shop, "me", { customerId: String(held[0]) })).json();
    expect(me).toMatchObject({ loggedIn: true, enrolled: false, club: "closed" });
    expect(JSON.stringify(me)).not.toContain("5 off");
    const join = await app.emulator.proxy(shop, "join", { customerId: String(held[0]), method: "POST", body: {} });
    expect(join.status).toBeGreaterThanOrEqual(400);
    expect(await app.db.member.count({ where: { shopId: shop, customerId: String(held[0]) } })).toBe(0);

    const body = await (await call(shop, `/app/api/metrics?from=${from}&to=${to}`)).json();
    expect(body.metrics.participation_rate.value).toBe((ids.length - held.length) / ids.length);
    expect(body.metrics.aov_non_members_minor.value).toBe(2_000);
    // The page's comparison: too few holdout orders to say anything yet.
    const page = await (await call(shop, `/app/api/analytics?from=${from}&to=${to}`)).json();
    expect(page.report.holdout).toMatchObject({ ready: false, holdoutCustomers: held.length, holdoutOrders: held.length });
  });
});
