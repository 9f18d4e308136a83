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
import type { OrderEvent } from "~/domain/orders";
import {
  clientDialect,
  column,
  Prisma,
  rawExecute,
  rawQuery,
  timestampParam,
  transaction,
  type Db,
  type Dialect,
  type Tx,
} from "~/db.server";
import { currentRules } from "./shops.server";

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** What each code took off the batch's paid orders, stored once per (order, code). */
export async function recordOrderDiscounts(tx: Tx, dialect: Dialect, work: ReadonlyArray<{ shopId: string; event: OrderEvent }>) {
  const rows = new Map<string, Prisma.Sql>();
  for (const { shopId, event } of work) {
    if (event.type === "refund") continue;
    for (const d of event.order.codeDiscounts ?? []) {
      const code = d.code.toUpperCase();
      rows.set(
        `${shopId}\u0000${event.order.orderId}\u0000${code}`,
        Prisma.sql`(${shopId}, ${event.order.orderId}, ${code}, ${d.amountMinor}, ${timestampParam(dialect, event.order.paidAt)})`,
      );
    }
  }
  if (rows.size === 0) return;
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "OrderDiscount" ("shopId", "orderId", "code", "amountMinor", "paidAt") VALUES ${Prisma.join([...rows.values()])}
      ON CONFLICT DO NOTHING`,
  );
}

const MEASURES = [
  "orders",
  "netMinor",
  "memberOrders",
  "memberNetMinor",
  "pointsIssued",
  "pointsNet",
  "pointsExpired",
  "joined",
  "referralRewards",
  "referralPoints",
  "referralOpens",
  "referralShares",
] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * A visit through a referral link (opened) or a link copied or shared from the launcher (shared),
 * appended as a delta like the triggers' (no customer in it): the slots count them.
 */
export async function recordReferralActivity(db: Db, shopId: string, kind: "opened" | "shared", at = new Date()) {
  const column = kind === "opened" ? Prisma.raw(`"referralOpens"`) : Prisma.raw(`"referralShares"`);
  await rawExecute(
    db,
    clientDialect(db),
    Prisma.sql`INSERT INTO "AnalyticsDelta" ("shopId", "slot", ${column}) VALUES (${shopId}, ${slotOf(at)}, 1)`,
  );
}

const sumsSql = Prisma.raw(MEASURES.map((m) => `SUM("${m}") AS "${m}"`).join(", "));
const columnsSql = Prisma.raw(MEASURES.map((m) => `"${m}"`).join(", "));
const addUp = Prisma.raw(MEASURES.map((m) => `"${m}" = "AnalyticsSlot"."${m}" + excluded."${m}"`).join(", "));

/** Deltas moved per transaction: a backlog (a flash sale, a seeded import) folds in bounded steps. */
const FOLD_CHUNK = 50_000;
/** After moving this many on PostgreSQL, the delta table is vacuumed (below). */
const VACUUM_AFTER = 10_000;

/**
 * Moves the deltas the triggers appended into the slots, oldest first, in transactions of at most
 * FOLD_CHUNK deltas. Exact under concurrency: on PostgreSQL the rows moved are the rows deleted, in
 * one statement (and one folder at a time, by an advisory lock); SQLite has one writer. Answers how
 * many deltas were moved.
 *
 * On PostgreSQL a large fold leaves the table full of dead rows and its statistics saying it is
 * large, until autovacuum comes by: every reader of the deltas (the Analytics page adds the
 * unfolded ones) then scanned hundreds of megabytes of nothing (measured: 190 ms of a 440 ms page
 * after a million-delta fold, 9 ms once vacuumed). So a fold that moved many vacuums the table at
 * once (outside a transaction, as VACUUM must).
 */
export async function foldAnalytics(db: Db, options: { chunk?: number } = {}): Promise<number> {
  const dialect = clientDialect(db);
  const chunk = options.chunk ?? FOLD_CHUNK;
  let total = 0;
  // Each chunk starts after the last one's highest id: on PostgreSQL the rows a chunk deleted stay
  // in the id index, dead, until the vacuum, and "oldest first" from the start walked past all of
  // them again, every chunk slower than the last (measured: a 3-million-delta fold on a slow
  // machine stalled halfway, its chunk passing the transaction's 60 s). A delta committed late
  // with a lower id is left to the next fold, which starts from the beginning again.
  let after = 0;
  try {
    for (;;) {
      const step = await transaction(db, (tx) => foldChunk(tx, dialect, chunk, after), { timeout: 60_000, maxWait: 15_000 });
      total += step.moved;
      if (step.moved < chunk) break;
      after = step.top;
    }
  } finally {
    if (dialect === "postgresql" && total >= VACUUM_AFTER) await db.$executeRawUnsafe(`VACUUM (ANALYZE) "AnalyticsDelta"`);
  }
  return total;
}

/** Folds up to `chunk` deltas with ids above `after`; answers how many, and the highest id folded (`after` when none). */
async function foldChunk(tx: Tx, dialect: Dialect, chunk: number, after: number): Promise<{ moved: number; top: number }> {
  if (dialect === "postgresql") {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(72150012)`);
    const [row] = await rawQuery<{ n: unknown; top: unknown }>(
      tx,
      dialect,
      Prisma.sql`WITH "moved" AS (
          DELETE FROM "AnalyticsDelta" WHERE "id" IN (
            SELECT "id" FROM "AnalyticsDelta" WHERE "id" > ${after} ORDER BY "id" LIMIT ${chunk})
          RETURNING *),
        "slots" AS (
          INSERT INTO "AnalyticsSlot" ("shopId", "slot", ${columnsSql})
          SELECT "shopId", "slot", ${sumsSql} FROM "moved" GROUP BY "shopId", "slot"
          ON CONFLICT ("shopId", "slot") DO UPDATE SET ${addUp}),
        "totals" AS (
          INSERT INTO "AnalyticsTotal" ("shopId", "pointsNet") SELECT "shopId", SUM("pointsNet") FROM "moved" GROUP BY "shopId"
          ON CONFLICT ("shopId") DO UPDATE SET "pointsNet" = "AnalyticsTotal"."pointsNet" + excluded."pointsNet")
        SELECT COUNT(*) AS "n", MAX("id") AS "top" FROM "moved"`,
    );
    return { moved: n(row?.n), top: row?.top === null || row?.top === undefined ? after : n(row.top) };
  }
  const [row] = await rawQuery<{ top: number | null; count: unknown }>(
    tx,
    dialect,
    Prisma.sql`SELECT MAX("id") AS "top", COUNT(*) AS "count" FROM (
      SELECT "id" FROM "AnalyticsDelta" WHERE "id" > ${after} ORDER BY "id" LIMIT ${chunk})`,
  );
  const top = row?.top ?? null;
  if (top === null) return { moved: 0, top: after };
  const range = Prisma.sql`"id" > ${after} AND "id" <= ${top}`;
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "AnalyticsSlot" ("shopId", "slot", ${columnsSql})
      SELECT "shopId", "slot", ${sumsSql} FROM "AnalyticsDelta" WHERE ${range} GROUP BY "shopId", "slot"
      ON CONFLICT ("shopId", "slot") DO UPDATE SET ${addUp}`,
  );
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "AnalyticsTotal" ("shopId", "pointsNet")
      SELECT "shopId", SUM("pointsNet") FROM "AnalyticsDelta" WHERE ${range} GROUP BY "shopId"
      ON CONFLICT ("shopId") DO UPDATE SET "pointsNet" = "AnalyticsTotal"."pointsNet" + excluded."pointsNet"`,
  );
  await rawExecute(tx, dialect, Prisma.sql`DELETE FROM "AnalyticsDelta" WHERE ${range}`);
  return { moved: n(row?.count), top: Number(top) };
}

/**
 * Runs of consecutive local days of equal length: within one, a slot's day is
 * `first + (slot - from) / length` (integer division). A DST change makes a run of its own.
 */
function dayRuns(period: Period) {
  const runs: Array<{ from: number; to: number; first: number; length: number }> = [];
  period.days.forEach((day, i) => {
    const [a, b] = [slotOf(day.start), slotOf(day.end)];
    const last = runs[runs.length - 1];
    if (last && last.to === a && last.length === b - a) last.to = b;
    else runs.push({ from: a, to: b, first: i, length: b - a });
  });
  return runs;
}

/**
 * The period's sums per local day, from one query over the slots from its start on (folded and
 * unfolded). Day -1 carries the shop's points outstanding now (the folded total and every
 * unfolded delta), day N what came after the period: the balance before the period is the first
 * less everything from its start on.
 */
export async function dayRows(db: Db, shopId: string, period: Period) {
  const runs = dayRuns(period);
  // Integers of our own, written into the statement so that both databases divide as integers.
  const int = (v: number) => Prisma.raw(String(Math.trunc(v)));
  const day = Prisma.sql`CASE ${Prisma.join(
    runs.map((r) => Prisma.sql`WHEN "slot" < ${int(r.to)} THEN ${int(r.first)} + ("slot" - ${int(r.from)}) / ${int(r.length)}`),
    " ",
  )} ELSE ${int(period.days.length)} END`;
  const start = slotOf(period.start);
  const zeros = Prisma.raw(MEASURES.map((m) => (m === "pointsNet" ? `"pointsNet"` : `0 AS "${m}"`)).join(", "));
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    clientDialect(db),
    Prisma.sql`SELECT "day", ${sumsSql} FROM (
        SELECT ${day} AS "day", ${columnsSql} FROM "AnalyticsSlot" WHERE "shopId" = ${shopId} AND "slot" >= ${start}
        UNION ALL
        SELECT ${day} AS "day", ${columnsSql} FROM "AnalyticsDelta" WHERE "shopId" = ${shopId} AND "slot" >= ${start}
        UNION ALL
        SELECT -1 AS "day", ${zeros} FROM "AnalyticsTotal" WHERE "shopId" = ${shopId}
        UNION ALL
        SELECT -1 AS "day", ${zeros} FROM "AnalyticsDelta" WHERE "shopId" = ${shopId}
      ) "t" GROUP BY "day"`,
  );
  const byDay = new Map(
    rows.map((r) => [n(r.day), Object.fromEntries(MEASURES.map((m) => [m, n(r[m])])) as Record<Measure, number>]),
  );
  const now = byDay.get(-1)?.pointsNet ?? 0;
  let since = 0;
  for (const [d, r] of byDay) if (d >= 0) since += r.pointsNet;
  return { byDay, outstandingBefore: now - since };
}

export interface CustomerGroups {
  /** customers with a member order, outside the holdout */
  members: GroupStats;
  /** customers with no member order, outside the holdout */
  others: GroupStats;
  /** customers the holdout kept out */
  holdout: GroupStats;
}

/**
 * SQLite's index for grouping a period's orders by customer; both cover what the grouping reads.
 * The period's range of the analytics index reads only the period's orders, but SQLite then sorts
 * them by customer in a temporary B-tree; the customer index is read in customer order (nothing
 * to sort) but holds every order of the shop. Measured on a shop with 1,000,000 orders over two
 * years (the analytics bench): 30 days 45 ms against 140, 180 days 205 against 182, 365 days 600
 * against 220. So the customer index once the period covers a fifth of the time since the shop's
 * first paid order. (PostgreSQL hashes the customers, whatever the order it reads them in.)
 */
async function sqliteCustomerIndex(db: Db, shopId: string, period: { start: Date; end: Date }) {
  const [first] = await rawQuery<{ at: unknown }>(
    db,
    "sqlite",
    Prisma.sql`SELECT min("paidAt") AS "at" FROM "OrderFact" WHERE "shopId" = ${shopId} AND "paidAt" IS NOT NULL`,
  );
  const since = column.date(first?.at)?.getTime() ?? period.start.getTime();
  const share = (period.end.getTime() - period.start.getTime()) / Math.max(1, period.end.getTime() - since);
  return share >= 0.2 ? "OrderFact_customer_idx" : "OrderFact_analytics_idx";
}

/** Customers with an order paid in the period (not cancelled), by group: one scan of a covering index. */
export async function customerGroups(db: Db, shopId: string, period: { start: Date; end: Date }): Promise<CustomerGroups> {
  const dialect = clientDialect(db);
  const ts = (d: Date) => timestampParam(dialect, d);
  const periodIndex = Prisma.raw(dialect === "sqlite" ? `INDEXED BY "${await sqliteCustomerIndex(db, shopId, period)}"` : "");
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    // The holdout is looked up only for customers without a member order (most customers with an
    // order are members, and a held-out customer never has one): a CASE evaluates it only then.
    Prisma.sql`SELECT CASE WHEN "t"."m" > 0 THEN 1
          WHEN EXISTS (SELECT 1 FROM "HoldoutCustomer" "h" WHERE "h"."shopId" = ${shopId} AND "h"."customerId" = "t"."customerId") THEN 2
          ELSE 0 END AS "grp",
        COUNT(*) AS "customers", SUM("t"."n") AS "orders", SUM(CASE WHEN "t"."n" >= 2 THEN 1 ELSE 0 END) AS "repeaters",
        SUM("t"."rev") AS "revenue", SUM(CAST("t"."rev" AS DOUBLE PRECISION) * "t"."rev") AS "squares"
      FROM (
        SELECT "customerId", COUNT(*) AS "n", SUM(CASE WHEN "earnedPoints" > 0 THEN 1 ELSE 0 END) AS "m",
          SUM("subtotalMinor" - "refundedMinor") AS "rev"
        FROM "OrderFact" ${periodIndex}
        WHERE "shopId" = ${shopId} AND "paidAt" >= ${ts(period.start)} AND "paidAt" < ${ts(period.end)}
          AND "paid" AND NOT "cancelled" AND "subtotalMinor" IS NOT NULL AND "customerId" IS NOT NULL
        GROUP BY "customerId"
      ) "t"
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

/**
 * The period's redemptions (created in it, points not given back: not released, not returned on a
 * refund), the orders paid in it that used a reward code (their discount and revenue), and the
 * first paid orders of referred friends (rewarded referrals) paid in it; one query, three rows.
 */
export async function smallTotals(db: Db, shopId: string, period: { start: Date; end: Date }) {
  const dialect = clientDialect(db);
  const [a, b] = [timestampParam(dialect, period.start), timestampParam(dialect, period.end)];
  // The reward orders are looked up by key, one per code used. SQLite without statistics (the app
  // never runs ANALYZE) read every order of the shop instead, filtered through the codes' orders:
  // 290 ms at a million orders, 9 ms by key. Its CROSS JOIN keeps the tables in the order written.
  const rewardOrderJoin = Prisma.raw(dialect === "sqlite" ? "CROSS JOIN" : "JOIN");
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT 'redemptions' AS "k", COUNT(*) AS "x", SUM("r"."pointsSpent") AS "y", SUM(CASE WHEN "r"."status" = 'used' THEN 1 ELSE 0 END) AS "z"
      FROM "Redemption" "r"
      WHERE "r"."shopId" = ${shopId} AND "r"."createdAt" >= ${a} AND "r"."createdAt" < ${b} AND "r"."status" <> 'released'
        AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" "e" WHERE "e"."shopId" = "r"."shopId"
          AND "e"."idempotencyKey" = 'redemption:' || "r"."id" || ':returned')
    UNION ALL
    SELECT 'rewards', COUNT(*), SUM("o"."subtotalMinor" - "o"."refundedMinor"), SUM("u"."discount")
      FROM (
        SELECT "d"."orderId", SUM("d"."amountMinor") AS "discount"
        FROM "OrderDiscount" "d"
        JOIN "Redemption" "r" ON "r"."shopId" = "d"."shopId" AND "r"."code" = "d"."code" AND "r"."orderId" = "d"."orderId"
        WHERE "d"."shopId" = ${shopId} AND "d"."paidAt" >= ${a} AND "d"."paidAt" < ${b} AND "r"."status" = 'used'
        GROUP BY "d"."orderId"
      ) "u" ${rewardOrderJoin} "OrderFact" "o" ON "o"."shopId" = ${shopId} AND "o"."orderId" = "u"."orderId"
      WHERE "o"."paid" AND NOT "o"."cancelled"
    UNION ALL
    SELECT 'referrals', COUNT(*), SUM("o"."subtotalMinor" - "o"."refundedMinor"), 0
      FROM "Referral" "f" JOIN "OrderFact" "o" ON "o"."shopId" = "f"."shopId" AND "o"."orderId" = "f"."orderId"
      WHERE "f"."shopId" = ${shopId} AND "f"."paidAt" >= ${a} AND "f"."paidAt" < ${b} AND "f"."status" = 'rewarded'
        AND "o"."paid" AND NOT "o"."cancelled" AND "o"."paidAt" >= ${a} AND "o"."paidAt" < ${b}`,
  );
  const row = (k: string) => rows.find((r) => r.k === k) ?? {};
  const [r, w, f] = [row("redemptions"), row("rewards"), row("referrals")];
  return {
    redemptions: { redemptions: n(r.x), points: n(r.y), used: n(r.z) },
    rewards: { orders: n(w.x), revenue: n(w.y), discount: n(w.z) },
    referrals: { orders: n(f.x), revenue: n(f.y) },
  };
}

export type Metrics = Record<MetricName, { value: number; definition: string }>;

export interface PeriodFigures {
  from: string;
  to: string;
  metrics: Metrics;
  /** per local day of the period */
  series: Array<{
    date: string;
    orders: number;
    revenueMinor: number;
    memberOrders: number;
    joined: number;
    pointsIssued: number;
    pointsExpired: number;
    outstanding: number;
  }>;
  groups: CustomerGroups;
  /** the period's sums of every slot measure */
  totals: Record<Measure, number>;
}

/** Every figure of one period. */
export async function periodFigures(
  db: Db,
  shopId: string,
  period: Period,
  program: { valuePerPoint: number },
): Promise<PeriodFigures> {
  const [{ byDay: days, outstandingBefore }, groups, { redemptions, rewards, referrals }] = await Promise.all([
    dayRows(db, shopId, period),
    customerGroups(db, shopId, period),
    smallTotals(db, shopId, period),
  ]);
  const zero = () => Object.fromEntries(MEASURES.map((m) => [m, 0])) as Record<Measure, number>;
  const total = zero();
  const series: PeriodFigures["series"] = [];
  let outstanding = outstandingBefore;
  period.days.forEach((day, i) => {
    const s = days.get(i) ?? zero();
    for (const m of MEASURES) total[m] += s[m];
    outstanding += s.pointsNet;
    series.push({
      date: day.date,
      orders: s.orders,
      revenueMinor: s.netMinor,
      memberOrders: s.memberOrders,
      joined: s.joined,
      pointsIssued: s.pointsIssued,
      pointsExpired: s.pointsExpired,
      outstanding,
    });
  });
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
    referral_links_shared: total.referralShares,
    referral_links_opened: total.referralOpens,
    referral_conversion: ratio(referrals.orders, total.referralOpens),
  };
  const metrics = Object.fromEntries(
    (Object.keys(DEFINITIONS) as MetricName[]).map((name) => [name, { value: values[name], definition: DEFINITIONS[name] }]),
  ) as Metrics;
  return { from: period.from, to: period.to, metrics, series, groups, totals: total };
}

/** The shop's time zone, and the program settings the figures use. */
export async function analyticsContext(db: Db, shopId: string) {
  const shop = await db.shop.findUnique({
    where: { id: shopId },
    select: { timezone: true, currency: true, programVersion: true },
  });
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
export async function analyticsReport(
  db: Db,
  shopId: string,
  period: Period,
  known?: Awaited<ReturnType<typeof analyticsContext>>,
) {
  const context = known ?? (await analyticsContext(db, shopId));
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
