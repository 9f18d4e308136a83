// The club's figures for a period (GET /app/api/metrics and the Analytics page). Sums come from
// the quarter-hour pre-aggregates (AnalyticsSlot + the deltas not yet folded, kept exact by the
// triggers of migration 0012); what counts distinct customers scans one covering index of the
// period's orders; redemptions and referrals are read where they are (few rows). ADR 0015.
import {
  compareWithHoldout,
  DEFINITIONS,
  meanHalfUp,
  previousPeriod,
  ratio,
  slotOf,
  valuePerPoint,
  type GroupStats,
  type MetricName,
  type Period,
} from "~/domain/analytics";
import type { OrderWork } from "./orders.server";
import { clientDialect, Prisma, rawExecute, rawQuery, type Db, type Dialect, type Tx } from "~/db.server";
import { timestampParam } from "./ledger.server";
import { currentRules } from "./shops.server";

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** What each code took off the batch's paid orders, stored once per (order, code). */
export async function recordOrderDiscounts(tx: Tx, dialect: Dialect, work: readonly OrderWork[]) {
  const rows = new Map<string, Prisma.Sql>();
  for (const { shopId, event } of work) {
    if (event.type === "refund") continue;
    for (const d of event.order.codeDiscounts ?? []) {
      const code = d.code.toUpperCase();
      rows.set(`${shopId}\u0000${event.order.orderId}\u0000${code}`, Prisma.sql`(${shopId}, ${event.order.orderId}, ${code}, ${d.amountMinor})`);
    }
  }
  if (rows.size === 0) return;
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "OrderDiscount" ("shopId", "orderId", "code", "amountMinor") VALUES ${Prisma.join([...rows.values()])}
      ON CONFLICT DO NOTHING`,
  );
}

const MEASURES = ["orders", "netMinor", "memberOrders", "memberNetMinor", "pointsIssued", "pointsNet", "pointsExpired", "joined"] as const;
type Measure = (typeof MEASURES)[number];
export type SlotRow = { slot: number } & Record<Measure, number>;

const sumsSql = Prisma.raw(MEASURES.map((m) => `SUM("${m}") AS "${m}"`).join(", "));
const columnsSql = Prisma.raw(MEASURES.map((m) => `"${m}"`).join(", "));

/**
 * Moves the deltas the triggers appended into the slots. Exact under concurrency: on PostgreSQL
 * the rows moved are the rows deleted, in one statement; SQLite has one writer.
 */
export async function foldAnalytics(db: Db): Promise<number> {
  const dialect = clientDialect(db);
  return db.$transaction(async (tx) => {
    if (dialect === "postgresql") {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(72150012)`);
      return rawExecute(
        tx,
        dialect,
        Prisma.sql`WITH "moved" AS (DELETE FROM "AnalyticsDelta" RETURNING *)
          INSERT INTO "AnalyticsSlot" ("shopId", "slot", ${columnsSql})
          SELECT "shopId", "slot", ${sumsSql} FROM "moved" GROUP BY "shopId", "slot"
          ON CONFLICT ("shopId", "slot") DO UPDATE SET ${Prisma.raw(MEASURES.map((m) => `"${m}" = "AnalyticsSlot"."${m}" + excluded."${m}"`).join(", "))}`,
      );
    }
    const [row] = await rawQuery<{ top: number | null }>(tx, dialect, Prisma.sql`SELECT MAX("id") AS "top" FROM "AnalyticsDelta"`);
    const top = row?.top ?? null;
    if (top === null) return 0;
    const moved = await rawExecute(
      tx,
      dialect,
      Prisma.sql`INSERT INTO "AnalyticsSlot" ("shopId", "slot", ${columnsSql})
        SELECT "shopId", "slot", ${sumsSql} FROM "AnalyticsDelta" WHERE "id" <= ${top} GROUP BY "shopId", "slot"
        ON CONFLICT ("shopId", "slot") DO UPDATE SET ${Prisma.raw(MEASURES.map((m) => `"${m}" = "AnalyticsSlot"."${m}" + excluded."${m}"`).join(", "))}`,
    );
    await rawExecute(tx, dialect, Prisma.sql`DELETE FROM "AnalyticsDelta" WHERE "id" <= ${top}`);
    return moved;
  });
}

/** The slots of [start, end) with something in them, folded and unfolded added together. */
export async function slotRows(db: Db, shopId: string, start: Date, end: Date): Promise<SlotRow[]> {
  const [a, b] = [slotOf(start), slotOf(end)];
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    clientDialect(db),
    Prisma.sql`SELECT "slot", ${sumsSql} FROM (
        SELECT "slot", ${columnsSql} FROM "AnalyticsSlot" WHERE "shopId" = ${shopId} AND "slot" >= ${a} AND "slot" < ${b}
        UNION ALL
        SELECT "slot", ${columnsSql} FROM "AnalyticsDelta" WHERE "shopId" = ${shopId} AND "slot" >= ${a} AND "slot" < ${b}
      ) "t" GROUP BY "slot" ORDER BY "slot"`,
  );
  return rows.map((r) => ({ slot: n(r.slot), ...(Object.fromEntries(MEASURES.map((m) => [m, n(r[m])])) as Record<Measure, number>) }));
}

/** Σ of every entry's points (but release) created before `end`: all members' available + pending then. */
async function outstandingAt(db: Db, shopId: string, end: Date): Promise<number> {
  const b = slotOf(end);
  const [row] = await rawQuery<{ total: unknown }>(
    db,
    clientDialect(db),
    Prisma.sql`SELECT SUM("pointsNet") AS "total" FROM (
        SELECT "pointsNet" FROM "AnalyticsSlot" WHERE "shopId" = ${shopId} AND "slot" < ${b}
        UNION ALL
        SELECT "pointsNet" FROM "AnalyticsDelta" WHERE "shopId" = ${shopId} AND "slot" < ${b}
      ) "t"`,
  );
  return n(row?.total);
}

export interface CustomerGroups {
  /** customers with a member order, outside the holdout */
  members: GroupStats;
  /** customers with no member order, outside the holdout */
  others: GroupStats;
  /** customers the holdout kept out */
  holdout: GroupStats;
}

/** Customers with an order paid in the period (not cancelled), by group: one scan of a covering index. */
export async function customerGroups(db: Db, shopId: string, period: { start: Date; end: Date }): Promise<CustomerGroups> {
  const dialect = clientDialect(db);
  const ts = (d: Date) => timestampParam(dialect, d);
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT CASE WHEN "t"."m" > 0 THEN 1 WHEN "h"."customerId" IS NOT NULL THEN 2 ELSE 0 END AS "grp",
        COUNT(*) AS "customers", SUM("t"."n") AS "orders", SUM(CASE WHEN "t"."n" >= 2 THEN 1 ELSE 0 END) AS "repeaters",
        SUM("t"."rev") AS "revenue", SUM(CAST("t"."rev" AS DOUBLE PRECISION) * "t"."rev") AS "squares"
      FROM (
        SELECT "customerId", COUNT(*) AS "n", SUM(CASE WHEN "earnedPoints" > 0 THEN 1 ELSE 0 END) AS "m",
          SUM("subtotalMinor" - "refundedMinor") AS "rev"
        FROM "OrderFact"
        WHERE "shopId" = ${shopId} AND "paidAt" >= ${ts(period.start)} AND "paidAt" < ${ts(period.end)}
          AND "paid" AND NOT "cancelled" AND "subtotalMinor" IS NOT NULL AND "customerId" IS NOT NULL
        GROUP BY "customerId"
      ) "t" LEFT JOIN "HoldoutCustomer" "h" ON "h"."shopId" = ${shopId} AND "h"."customerId" = "t"."customerId"
      GROUP BY 1`,
  );
  const empty = (): GroupStats => ({ customers: 0, orders: 0, revenueMinor: 0, revenueSquares: 0, repeaters: 0 });
  const groups = [empty(), empty(), empty()];
  for (const r of rows)
    groups[n(r.grp)] = {
      customers: n(r.customers),
      orders: n(r.orders),
      revenueMinor: n(r.revenue),
      revenueSquares: n(r.squares),
      repeaters: n(r.repeaters),
    };
  return { others: groups[0]!, members: groups[1]!, holdout: groups[2]! };
}

/** Redemptions created in the period whose points were not given back (released, or returned on a refund). */
async function redemptionTotals(db: Db, shopId: string, period: { start: Date; end: Date }) {
  const dialect = clientDialect(db);
  const [row] = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT COUNT(*) AS "redemptions", SUM("r"."pointsSpent") AS "points",
        SUM(CASE WHEN "r"."status" = 'used' THEN 1 ELSE 0 END) AS "used"
      FROM "Redemption" "r"
      WHERE "r"."shopId" = ${shopId} AND "r"."createdAt" >= ${timestampParam(dialect, period.start)}
        AND "r"."createdAt" < ${timestampParam(dialect, period.end)} AND "r"."status" <> 'released'
        AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" "e" WHERE "e"."shopId" = "r"."shopId"
          AND "e"."idempotencyKey" = 'redemption:' || "r"."id" || ':returned')`,
  );
  return { redemptions: n(row?.redemptions), points: n(row?.points), used: n(row?.used) };
}

/** Orders paid in the period (not cancelled) that used a reward code: the discount the codes gave and those orders' revenue. */
async function rewardOrders(db: Db, shopId: string, period: { start: Date; end: Date }) {
  const dialect = clientDialect(db);
  const [row] = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT COUNT(*) AS "orders", SUM("o"."subtotalMinor" - "o"."refundedMinor") AS "revenue", SUM("u"."discount") AS "discount"
      FROM (
        SELECT "r"."orderId", SUM(COALESCE("d"."amountMinor", 0)) AS "discount"
        FROM "Redemption" "r"
        LEFT JOIN "OrderDiscount" "d" ON "d"."shopId" = "r"."shopId" AND "d"."orderId" = "r"."orderId" AND "d"."code" = "r"."code"
        WHERE "r"."shopId" = ${shopId} AND "r"."status" = 'used' AND "r"."orderId" IS NOT NULL
        GROUP BY "r"."orderId"
      ) "u" JOIN "OrderFact" "o" ON "o"."shopId" = ${shopId} AND "o"."orderId" = "u"."orderId"
      WHERE "o"."paid" AND NOT "o"."cancelled" AND "o"."paidAt" >= ${timestampParam(dialect, period.start)}
        AND "o"."paidAt" < ${timestampParam(dialect, period.end)}`,
  );
  return { orders: n(row?.orders), revenue: n(row?.revenue), discount: n(row?.discount) };
}

/** First paid orders of referred friends (rewarded referrals) paid in the period and not cancelled. */
async function referralOrders(db: Db, shopId: string, period: { start: Date; end: Date }) {
  const dialect = clientDialect(db);
  const [row] = await rawQuery<{ orders: unknown; revenue: unknown }>(
    db,
    dialect,
    Prisma.sql`SELECT COUNT(*) AS "orders", SUM("o"."subtotalMinor" - "o"."refundedMinor") AS "revenue"
      FROM "Referral" "f" JOIN "OrderFact" "o" ON "o"."shopId" = "f"."shopId" AND "o"."orderId" = "f"."orderId"
      WHERE "f"."shopId" = ${shopId} AND "f"."status" = 'rewarded' AND "o"."paid" AND NOT "o"."cancelled"
        AND "o"."paidAt" >= ${timestampParam(dialect, period.start)} AND "o"."paidAt" < ${timestampParam(dialect, period.end)}`,
  );
  return { orders: n(row?.orders), revenue: n(row?.revenue) };
}

export type Metrics = Record<MetricName, { value: number; definition: string }>;

export interface PeriodFigures {
  from: string;
  to: string;
  metrics: Metrics;
  /** per local day of the period */
  series: Array<{ date: string; orders: number; revenueMinor: number; memberOrders: number; joined: number; pointsIssued: number; pointsExpired: number; outstanding: number }>;
  groups: CustomerGroups;
}

/** Every figure of one period. */
export async function periodFigures(db: Db, shopId: string, period: Period, program: { valuePerPoint: number }): Promise<PeriodFigures> {
  const [slots, before, groups, redemptions, rewards, referrals] = await Promise.all([
    slotRows(db, shopId, period.start, period.end),
    outstandingAt(db, shopId, period.start),
    customerGroups(db, shopId, period),
    redemptionTotals(db, shopId, period),
    rewardOrders(db, shopId, period),
    referralOrders(db, shopId, period),
  ]);
  const total = Object.fromEntries(MEASURES.map((m) => [m, 0])) as Record<Measure, number>;
  const series: PeriodFigures["series"] = [];
  let i = 0;
  let outstanding = before;
  for (const day of period.days) {
    const end = slotOf(day.end);
    const d = { date: day.date, orders: 0, revenueMinor: 0, memberOrders: 0, joined: 0, pointsIssued: 0, pointsExpired: 0, outstanding: 0 };
    for (; i < slots.length && slots[i]!.slot < end; i++) {
      const s = slots[i]!;
      for (const m of MEASURES) total[m] += s[m];
      d.orders += s.orders;
      d.revenueMinor += s.netMinor;
      d.memberOrders += s.memberOrders;
      d.joined += s.joined;
      d.pointsIssued += s.pointsIssued;
      d.pointsExpired += s.pointsExpired;
      outstanding += s.pointsNet;
    }
    d.outstanding = outstanding;
    series.push(d);
  }
  const { members, others } = groups;
  const customers = members.customers + others.customers + groups.holdout.customers;
  const values: Record<MetricName, number> = {
    participation_rate: ratio(members.customers, customers),
    points_issued: total.pointsIssued,
    points_redeemed: redemptions.points,
    redemption_rate: ratio(redemptions.points, total.pointsIssued),
    points_outstanding: outstanding,
    repeat_rate_members: ratio(members.repeaters, members.customers),
    repeat_rate_non_members: ratio(others.repeaters + groups.holdout.repeaters, others.customers + groups.holdout.customers),
    aov_members_minor: meanHalfUp(total.memberNetMinor, total.memberOrders),
    aov_non_members_minor: meanHalfUp(total.netMinor - total.memberNetMinor, total.orders - total.memberOrders),
    redemptions: redemptions.redemptions,
    redemptions_used: redemptions.used,
    reward_discount_minor: rewards.discount,
    reward_revenue_minor: rewards.revenue,
    referral_orders: referrals.orders,
    orders: total.orders,
    revenue_minor: total.netMinor,
    members_joined: total.joined,
    active_members: members.customers,
    points_expired: total.pointsExpired,
    liability_minor: Math.round(outstanding * program.valuePerPoint),
    purchase_frequency_members: ratio(members.orders, members.customers),
    purchase_frequency_non_members: ratio(others.orders + groups.holdout.orders, others.customers + groups.holdout.customers),
  };
  const metrics = Object.fromEntries(
    (Object.keys(DEFINITIONS) as MetricName[]).map((name) => [name, { value: values[name], definition: DEFINITIONS[name] }]),
  ) as Metrics;
  return { from: period.from, to: period.to, metrics, series, groups };
}

/** The shop's time zone, and the program settings the figures use. */
export async function analyticsContext(db: Db, shopId: string) {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { timezone: true, currency: true, programVersion: true } });
  if (!shop) return null;
  const [rules, rewards] = await Promise.all([
    currentRules(db, shopId, shop.programVersion),
    db.reward.findMany({ where: { shopId, active: true }, select: { type: true, pointsCost: true, valueMinor: true } }),
  ]);
  return {
    timeZone: shop.timezone || "UTC",
    currency: shop.currency,
    valuePerPoint: valuePerPoint(rewards),
    holdoutPercent: rules.holdoutPercent,
    grossMarginPercent: rules.grossMarginPercent,
  };
}

/** The page's figures: the period, the one before it, and the holdout comparison. */
export async function analyticsReport(db: Db, shopId: string, period: Period) {
  const context = await analyticsContext(db, shopId);
  if (!context) return null;
  const [current, previous] = await Promise.all([
    periodFigures(db, shopId, period, context),
    periodFigures(db, shopId, previousPeriod(period, context.timeZone), context),
  ]);
  const holdout = compareWithHoldout(
    current.groups.members,
    current.groups.holdout,
    context.grossMarginPercent,
    current.metrics.reward_discount_minor.value,
  );
  return { context, current, previous, holdout };
}
