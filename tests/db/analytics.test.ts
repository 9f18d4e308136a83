// The pre-aggregates (quarter-hour slots kept by triggers, migration 0012) equal a full scan of
// the orders, ledger and members after any sequence of order events, adjustments and folds, on
// both databases; and the weekly summary is recorded once per shop and week.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { localDate, periodOf } from "~/domain/analytics";
import type { OrderEvent, OrderFacts } from "~/domain/orders";
import { foldAnalytics, periodFigures, recordReferralActivity } from "~/models/analytics.server";
import { syncCustomer } from "~/models/members.server";
import { lastFullWeek, recordWeeklySummaries } from "~/models/analytics-summary.server";
import { withLedger } from "~/models/ledger.server";
import { applyOrderEvent } from "~/models/orders.server";
import { installShop } from "~/models/shops.server";
import { createEndpoint, deliverWebhooks } from "~/models/webhook-endpoints.server";
import { describeDialects, dropDatabase, freshDatabaseUrl } from "../support/app";
import { orderFacts } from "../support/orders";

const TZ = "America/New_York";
const HOUR = 3_600_000;
// Three local days around a DST change (2026-11-01 in New York), orders spread over them.
const FROM = "2026-10-31";
const TO = "2026-11-02";
const base = Date.parse("2026-10-31T00:00:00-04:00");

type Step =
  | { type: "paid"; order: number; customer: number | null; subtotal: number; hour: number }
  | { type: "refund"; order: number; refund: number; amount: number }
  | { type: "cancel"; order: number }
  | { type: "adjust"; customer: number; points: number }
  | { type: "optout"; customer: number; out: boolean }
  | { type: "referral"; kind: "opened" | "shared" }
  | { type: "fold" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constant("paid" as const),
    order: fc.integer({ min: 1, max: 8 }),
    customer: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
    subtotal: fc.integer({ min: 0, max: 20_000 }),
    // some before the period, some after it; some weeks before it, so that a short period is a
    // small share of the shop's history (SQLite groups it by customer from the period's index)
    hour: fc.oneof(fc.integer({ min: -6, max: 80 }), fc.constant(-400)),
  }),
  fc.record({
    type: fc.constant("refund" as const),
    order: fc.integer({ min: 1, max: 8 }),
    refund: fc.integer({ min: 1, max: 3 }),
    amount: fc.integer({ min: 0, max: 8_000 }),
  }),
  fc.record({ type: fc.constant("cancel" as const), order: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    type: fc.constant("adjust" as const),
    customer: fc.integer({ min: 1, max: 4 }),
    points: fc.integer({ min: -50, max: 200 }).filter((p) => p !== 0),
  }),
  fc.record({ type: fc.constant("optout" as const), customer: fc.integer({ min: 1, max: 4 }), out: fc.boolean() }),
  fc.record({ type: fc.constant("referral" as const), kind: fc.constantFrom("opened" as const, "shared" as const) }),
  fc.constant({ type: "fold" as const }),
);

describeDialects("analytics pre-aggregates on %s", (dialect) => {
  let db: Db;
  let url = "";
  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb(url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await dropDatabase(url);
  });

  /** Customers with a member order, and the others (no holdout here), from their orders in the period. */
  function customerGroupsOf(
    orders: Array<{ customerId: string | null; earnedPoints: number; subtotalMinor: number | null; refundedMinor: number }>,
  ) {
    const byCustomer = new Map<string, { n: number; m: number; rev: number }>();
    for (const o of orders) {
      const c = byCustomer.get(o.customerId!) ?? { n: 0, m: 0, rev: 0 };
      c.n += 1;
      c.m += o.earnedPoints > 0 ? 1 : 0;
      c.rev += o.subtotalMinor! - o.refundedMinor;
      byCustomer.set(o.customerId!, c);
    }
    const group = (members: boolean) => {
      const list = [...byCustomer.values()].filter((c) => c.m > 0 === members);
      return {
        customers: list.length,
        orders: list.reduce((s, c) => s + c.n, 0),
        repeaters: list.filter((c) => c.n >= 2).length,
        revenueMinor: list.reduce((s, c) => s + c.rev, 0),
        revenueSquares: list.reduce((s, c) => s + c.rev * c.rev, 0),
      };
    };
    return { members: group(true), others: group(false) };
  }

  /** The same figures straight from the rows (no slot): what the slots must equal. */
  async function fullScan(shopId: string, start: Date, end: Date) {
    const orders = (await db.orderFact.findMany({ where: { shopId } })).filter(
      (o) => o.paid && !o.cancelled && o.paidAt && o.subtotalMinor !== null && o.paidAt >= start && o.paidAt < end,
    );
    const net = (o: (typeof orders)[number]) => o.subtotalMinor! - o.refundedMinor;
    const entries = await db.ledgerEntry.findMany({ where: { shopId } });
    const inPeriod = entries.filter((e) => e.createdAt >= start && e.createdAt < end);
    return {
      orders: orders.length,
      revenue: orders.reduce((s, o) => s + net(o), 0),
      memberOrders: orders.filter((o) => o.earnedPoints > 0).length,
      memberRevenue: orders.filter((o) => o.earnedPoints > 0).reduce((s, o) => s + net(o), 0),
      issued: inPeriod
        .filter(
          (e) => ["earn", "bonus", "referral"].includes(e.kind) || (["adjustment", "import"].includes(e.kind) && e.points > 0),
        )
        .reduce((s, e) => s + e.points, 0),
      outstanding: entries.filter((e) => e.kind !== "release" && e.createdAt < end).reduce((s, e) => s + e.points, 0),
      joined: (await db.member.findMany({ where: { shopId, state: "active" } })).filter(
        (m) => m.enrolledAt >= start && m.enrolledAt < end,
      ).length,
      groups: customerGroupsOf(orders.filter((o) => o.customerId !== null)),
      perDay: orders.reduce<Record<string, number>>((acc, o) => {
        const d = localDate(o.paidAt!, TZ);
        acc[d] = (acc[d] ?? 0) + 1;
        return acc;
      }, {}),
    };
  }

  let shopSeq = 0;
  it("equal a full scan after any sequence of events and folds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const shopId = `agg-${++shopSeq}-${Date.now().toString(36)}.myshopify.com`;
        await installShop(db, { id: shopId, name: "Agg", currency: "USD", timezone: TZ });
        // Tiers low enough for orders and adjustments to cross both ways.
        await db.tier.createMany({
          data: [
            { shopId, name: "Silver", thresholdPoints: 60 },
            { shopId, name: "Gold", thresholdPoints: 150 },
          ],
        });
        const facts = new Map<number, OrderFacts>();
        const referrals = { opened: 0, shared: 0 };
        for (const s of steps) {
          // (in steps of 3 deltas: a fold of many transactions is as exact as one)
          if (s.type === "fold") await foldAnalytics(db, { chunk: 3 });
          else if (s.type === "referral") {
            await recordReferralActivity(db, shopId, s.kind);
            referrals[s.kind]++;
          } else if (s.type === "optout")
            await syncCustomer(db, shopId, { customerId: String(s.customer), tags: s.out ? "loyalty-opt-out" : "" });
          else if (s.type === "adjust") {
            const member = await db.member.findFirst({ where: { shopId, customerId: String(s.customer) } });
            if (!member) continue;
            await withLedger(db, (ledger) =>
              ledger.post({
                shopId,
                memberId: member.id,
                kind: "adjustment",
                points: s.points,
                status: "available",
                availableAt: new Date(),
                idempotencyKey: `adj:${Math.random()}`,
                sourceType: "merchant",
                actor: "test",
                reason: "test",
                occurredAt: new Date(),
              }),
            ).catch(() => undefined);
          } else {
            let event: OrderEvent;
            if (s.type === "paid") {
              const paidAt = new Date(base + s.hour * HOUR + 7 * 60_000);
              const known = facts.get(s.order);
              const f =
                known ??
                orderFacts(`o${s.order}`, s.customer === null ? null : String(s.customer), s.subtotal, paidAt, `#${s.order}`);
              facts.set(s.order, f);
              event = { type: "paid", order: f };
            } else if (s.type === "cancel") {
              const f = facts.get(s.order);
              if (!f) continue;
              event = { type: "cancelled", order: f, wasPaid: true };
            } else {
              const f = facts.get(s.order);
              if (!f) continue;
              event = {
                type: "refund",
                orderId: f.orderId,
                refundId: `r${s.order}-${s.refund}`,
                subtotalMinor: Math.min(s.amount, f.subtotalMinor),
                createdAt: new Date(),
              };
            }
            await applyOrderEvent(db, shopId, event, "test");
          }
        }
        // Periods: the three local days, and one that ends now-ish (the ledger's entries are all in it).
        for (const [from, to] of [
          [FROM, TO],
          [FROM, FROM],
          ["2026-01-01", localDate(new Date(Date.now() + 86_400_000), TZ)],
        ]) {
          const period = (periodOf(from!, to!, TZ) as { ok: true; period: import("~/domain/analytics").Period }).period;
          const got = await periodFigures(db, shopId, period, { valuePerPoint: 0 });
          const want = await fullScan(shopId, period.start, period.end);
          expect(got.metrics.orders.value).toBe(want.orders);
          expect(got.metrics.revenue_minor.value).toBe(want.revenue);
          expect(got.series.reduce((s, d) => s + d.memberOrders, 0)).toBe(want.memberOrders);
          expect(got.metrics.points_issued.value).toBe(want.issued);
          expect(got.metrics.points_outstanding.value).toBe(want.outstanding);
          expect(got.metrics.members_joined.value).toBe(want.joined);
          expect(Object.fromEntries(got.series.filter((d) => d.orders > 0).map((d) => [d.date, d.orders]))).toEqual(want.perDay);
          const memberAov =
            want.memberOrders === 0 ? 0 : Math.floor((2 * want.memberRevenue + want.memberOrders) / (2 * want.memberOrders));
          expect(got.metrics.aov_members_minor.value).toBe(memberAov);
          expect({ members: got.groups.members, others: got.groups.others }).toEqual(want.groups);
          const entries = (await db.ledgerEntry.findMany({ where: { shopId, kind: "referral" } })).filter(
            (e) => e.createdAt >= period.start && e.createdAt < period.end,
          );
          expect(got.totals.referralRewards).toBe(entries.length);
        }
        // From the start of the year to tomorrow: everything, the referral activity of now included.
        const all = (
          periodOf("2026-01-01", localDate(new Date(Date.now() + 86_400_000), TZ), TZ) as {
            ok: true;
            period: import("~/domain/analytics").Period;
          }
        ).period;
        const figures = await periodFigures(db, shopId, all, { valuePerPoint: 0 });
        expect(figures.metrics.referral_links_opened.value).toBe(referrals.opened);
        expect(figures.metrics.referral_links_shared.value).toBe(referrals.shared);
        // Every tier change the ledger detected is recorded once, beside its outbox event.
        const changes = await db.tierChange.findMany({ where: { shopId }, orderBy: { eventKey: "asc" } });
        const told = await db.outboxEvent.findMany({ where: { shopId, type: "tier.changed" }, orderBy: { eventKey: "asc" } });
        expect(changes.map((c) => [c.eventKey, c.toTier])).toEqual(told.map((e) => [e.eventKey, JSON.parse(e.data).tier]));
        // The sum of balances is the outstanding figure at the end of time.
        const balances = await db.member.aggregate({ where: { shopId }, _sum: { available: true, pending: true } });
        expect(figures.metrics.points_outstanding.value).toBe((balances._sum.available ?? 0) + (balances._sum.pending ?? 0));
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it("groups a period's customers as a full scan does, from either of SQLite's indexes", async () => {
    // 120 orders of 6 customers and guests over 40 days (members and not, cancelled, refunded):
    // a 3-day period is a small share of that history, 40 days a large one (sqliteCustomerIndex).
    const shopId = `groups-${Date.now().toString(36)}.myshopify.com`;
    await installShop(db, { id: shopId, name: "Groups", currency: "USD", timezone: TZ });
    const day0 = Date.parse("2026-09-01T12:00:00-04:00");
    for (let i = 0; i < 120; i++) {
      const customerId = i % 7 === 6 ? null : i % 10 === 5 ? "6" : String(1 + (i % 4));
      const paidAt = new Date(day0 + Math.floor(i / 3) * 86_400_000 + (i % 3) * 5 * 3_600_000);
      // customer 6 places orders under a point's worth: never a member order
      const subtotalMinor = customerId === "6" ? 40 : 1_000 + i * 37;
      const order = orderFacts(`g${i}`, customerId, subtotalMinor, paidAt, `#${i}`);
      await applyOrderEvent(db, shopId, { type: "paid", order }, "test");
      if (i % 11 === 3) await applyOrderEvent(db, shopId, { type: "cancelled", order, wasPaid: true }, "test");
      if (i % 9 === 4)
        await applyOrderEvent(
          db,
          shopId,
          {
            type: "refund",
            orderId: order.orderId,
            refundId: `gr${i}`,
            subtotalMinor: Math.min(300, subtotalMinor),
            createdAt: paidAt,
          },
          "test",
        );
    }
    for (const [from, to] of [
      ["2026-10-05", "2026-10-07"],
      ["2026-09-20", "2026-10-29"],
    ]) {
      const period = (periodOf(from!, to!, TZ) as { ok: true; period: import("~/domain/analytics").Period }).period;
      const { groups } = await periodFigures(db, shopId, period, { valuePerPoint: 0 });
      const want = (await fullScan(shopId, period.start, period.end)).groups;
      expect({ members: groups.members, others: groups.others }).toEqual(want);
      expect(Math.min(want.members.repeaters, want.others.customers)).toBeGreaterThan(0);
    }
  });

  if (dialect === "postgresql")
    it("reads on sessions without JIT and with room to hash a period's customers", async () => {
      // The settings createDb gives its connections (PG_SESSION_OPTIONS): JIT compiling cost the
      // analytics reads more than it saved, and 4 MB spilled their hash of customers to disk.
      const [jit] = await db.$queryRawUnsafe<Array<{ jit: string }>>("SHOW jit");
      const [mem] = await db.$queryRawUnsafe<Array<{ work_mem: string }>>("SHOW work_mem");
      expect([jit?.jit, mem?.work_mem]).toEqual(["off", "32MB"]);
    });

  it("records each shop's weekly summary once", async () => {
    const shopId = `week-${Date.now().toString(36)}.myshopify.com`;
    await installShop(db, { id: shopId, name: "Week", currency: "USD", timezone: TZ });
    const now = new Date("2026-11-04T15:00:00Z"); // a Wednesday: the last full week is Oct 26 – Nov 1
    expect(lastFullWeek(now, TZ)).toBe("2026-10-26");
    const paidAt = new Date("2026-10-28T12:00:00Z");
    await applyOrderEvent(
      db,
      shopId,
      {
        type: "paid",
        order: {
          orderId: "w1",
          name: "#1",
          customer: { customerId: "9" },
          currency: "USD",
          subtotalMinor: 4_200,
          presentmentCurrency: "USD",
          discountCodes: [],
          test: false,
          createdAt: paidAt,
          paidAt,
        },
      },
      "test",
    );
    const first = await recordWeeklySummaries(db, now);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await recordWeeklySummaries(db, now)).toBe(0);
    const row = await db.analyticsSummary.findUniqueOrThrow({ where: { shopId_weekStart: { shopId, weekStart: "2026-10-26" } } });
    const payload = JSON.parse(row.payload);
    expect(payload).toMatchObject({ type: "analytics.weekly_summary", from: "2026-10-26", to: "2026-11-01", shop: shopId });
    expect(payload.figures.orders).toMatchObject({ value: 1, previous: 0 });
    expect(payload.figures.revenue_minor.value).toBe(4_200);
    // Handed to the outbox in the same transaction, once: the shop's event, no customer, no Flow trigger.
    expect(row.deliveredAt).not.toBeNull();
    const events = await db.outboxEvent.findMany({ where: { shopId, type: "analytics.weekly_summary" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventKey: "weekly:2026-10-26", customerId: null, memberId: "", flowState: "none" });

    // An endpoint that chose the event receives it, signed, with the summary as its data.
    const endpoint = await createEndpoint(
      db,
      shopId,
      { url: "https://hooks.example.com/loyalty", events: ["analytics.weekly_summary"] },
      async () => ["93.184.216.34"],
    );
    // (created after the event: deliveries go to endpoints that existed when it happened)
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { createdAt: new Date(0) } });
    const sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
    const run = await deliverWebhooks(db, async (url, body, headers) => {
      sent.push({ url, body, headers });
      return { status: 200, error: null };
    });
    const mine = sent.filter((x) => x.url === "https://hooks.example.com/loyalty");
    expect(run.delivered).toBeGreaterThanOrEqual(1);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.headers["Loyalty-Signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const body = JSON.parse(mine[0]!.body);
    expect(body).toMatchObject({
      type: "analytics.weekly_summary",
      shop: shopId,
      data: { from: "2026-10-26", to: "2026-11-01", currency: "USD", figures: { orders: { value: 1, previous: 0 } } },
    });
    expect(body.data.figures.revenue_minor.value).toBe(4_200);
  });
});
