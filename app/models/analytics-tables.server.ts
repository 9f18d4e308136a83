// The Analytics page's tables beyond the headline figures: per reward, referrals, tiers, retention
// by enrolment month, and customer value (RFM). Each is one query over the rows it is about; the
// cohort and RFM tables read a year of orders, so the page streams them after the figures.
import {
  meanHalfUp,
  NO_TIER,
  ratio,
  rfmSegments,
  RFM_SEGMENTS,
  tierMoves,
  zoneOffsetMinutes,
  type Period,
} from "~/domain/analytics";
import { clientDialect, Prisma, rawQuery, type Db, timestampParam } from "~/db.server";
import type { Measure } from "./analytics.server";
import { tierSetup } from "./shops.server";
import { tierValueColumn } from "~/domain/tiers";

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** Per reward: redemptions created in the period and what became of their codes. */
export async function rewardStats(db: Db, shopId: string, period: Period, now = new Date()) {
  const dialect = clientDialect(db);
  const ts = (d: Date) => timestampParam(dialect, d);
  const seconds =
    dialect === "postgresql"
      ? Prisma.sql`EXTRACT(EPOCH FROM ("o"."paidAt" - "r"."createdAt"))`
      : Prisma.sql`(julianday("o"."paidAt") - julianday("r"."createdAt")) * 86400`;
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT "w"."id", "w"."name", "w"."type",
        COUNT("r"."id") AS "redeemed",
        SUM(CASE WHEN "r"."status" = 'used' THEN 1 ELSE 0 END) AS "used",
        SUM(CASE WHEN "r"."status" = 'issued' AND ("r"."expiresAt" IS NULL OR "r"."expiresAt" >= ${ts(now)}) THEN 1 ELSE 0 END) AS "unused",
        SUM(CASE WHEN "r"."status" = 'issued' AND "r"."expiresAt" < ${ts(now)} THEN 1 ELSE 0 END) AS "expired",
        SUM("r"."pointsSpent") AS "points",
        SUM(COALESCE("d"."amountMinor", 0)) AS "discount",
        SUM(CASE WHEN "o"."paid" AND NOT "o"."cancelled" THEN "o"."subtotalMinor" - "o"."refundedMinor" ELSE 0 END) AS "revenue",
        AVG(CASE WHEN "o"."paidAt" IS NOT NULL THEN ${seconds} END) AS "secondsToUse"
      FROM "Redemption" "r"
      JOIN "Reward" "w" ON "w"."id" = "r"."rewardId"
      LEFT JOIN "OrderDiscount" "d" ON "d"."shopId" = "r"."shopId" AND "d"."orderId" = "r"."orderId" AND "d"."code" = "r"."code"
      LEFT JOIN "OrderFact" "o" ON "o"."shopId" = "r"."shopId" AND "o"."orderId" = "r"."orderId" AND "r"."status" = 'used'
      WHERE "r"."shopId" = ${shopId} AND "r"."createdAt" >= ${ts(period.start)} AND "r"."createdAt" < ${ts(period.end)}
        AND "r"."status" <> 'released'
      GROUP BY "w"."id", "w"."name", "w"."type"
      ORDER BY COUNT("r"."id") DESC`,
  );
  return rows.map((r) => ({
    rewardId: String(r.id),
    name: String(r.name),
    type: String(r.type),
    redeemed: n(r.redeemed),
    used: n(r.used),
    unused: n(r.unused),
    expired: n(r.expired),
    pointsSpent: n(r.points),
    discountMinor: n(r.discount),
    revenueMinor: n(r.revenue),
    hoursToUse: r.secondsToUse === null ? null : Math.round(n(r.secondsToUse) / 360) / 10,
  }));
}

/** Referred friends whose first order was paid in the period: rewarded, refused by reason, what they spent since. */
export async function referralStats(db: Db, shopId: string, period: Period) {
  const dialect = clientDialect(db);
  const ts = (d: Date) => timestampParam(dialect, d);
  const [byStatus, revenue] = await Promise.all([
    rawQuery<Record<string, unknown>>(
      db,
      dialect,
      Prisma.sql`SELECT "status", COALESCE("reason", '') AS "reason", COUNT(*) AS "friends" FROM "Referral"
        WHERE "shopId" = ${shopId} AND "createdAt" >= ${ts(period.start)} AND "createdAt" < ${ts(period.end)}
        GROUP BY "status", COALESCE("reason", '') ORDER BY 3 DESC`,
    ),
    rawQuery<Record<string, unknown>>(
      db,
      dialect,
      // Driven from the (few) referred customers to their orders, not from the period's orders.
      Prisma.sql`SELECT COUNT(*) AS "orders", SUM("o"."subtotalMinor" - "o"."refundedMinor") AS "revenue"
        FROM "OrderFact" "o"
        WHERE "o"."shopId" = ${shopId} AND "o"."customerId" IN (
            SELECT "refereeCustomerId" FROM "Referral" WHERE "shopId" = ${shopId} AND "status" = 'rewarded')
          AND "o"."paid" AND NOT "o"."cancelled" AND "o"."paidAt" >= ${ts(period.start)} AND "o"."paidAt" < ${ts(period.end)}`,
    ),
  ]);
  const rewarded = byStatus.filter((r) => r.status === "rewarded").reduce((s, r) => s + n(r.friends), 0);
  const refused = byStatus
    .filter((r) => r.status !== "rewarded")
    .map((r) => ({ reason: String(r.reason), friends: n(r.friends) }));
  const friends = rewarded + refused.reduce((s, r) => s + r.friends, 0);
  return {
    friendsFirstOrders: friends,
    rewarded,
    refused,
    conversion: friends === 0 ? 0 : rewarded / friends,
    referredOrders: n(revenue[0]?.orders),
    referredRevenueMinor: n(revenue[0]?.revenue),
  };
}

/**
 * The referral table's activity figures, from the period's slot sums: links shared and opened,
 * referrer rewards (entries of kind referral) and their points; conversion of opens into
 * friends' first orders.
 */
export function withReferralActivity(
  stats: Awaited<ReturnType<typeof referralStats>>,
  totals: Pick<Record<Measure, number>, "referralShares" | "referralOpens" | "referralRewards" | "referralPoints">,
) {
  return {
    ...stats,
    linksShared: totals.referralShares,
    linksOpened: totals.referralOpens,
    openConversion: ratio(stats.rewarded, totals.referralOpens),
    rewardsGiven: totals.referralRewards,
    rewardPoints: totals.referralPoints,
  };
}

/** Members whose tier changed in the period: from the tier they had at its start to the one at its end. */
export async function tierMovement(db: Db, shopId: string, period: Period) {
  const dialect = clientDialect(db);
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT "memberId", "fromTier", "fromThreshold", "toTier", "toThreshold" FROM "TierChange"
      WHERE "shopId" = ${shopId} AND "createdAt" >= ${timestampParam(dialect, period.start)} AND "createdAt" < ${timestampParam(dialect, period.end)}
      ORDER BY "createdAt", "id"`,
  );
  return tierMoves(
    rows.map((r) => ({
      memberId: String(r.memberId),
      fromTier: r.fromTier === null ? null : String(r.fromTier),
      fromThreshold: n(r.fromThreshold),
      toTier: r.toTier === null ? null : String(r.toTier),
      toThreshold: n(r.toThreshold),
    })),
  );
}

/** Active members by their tier now (what the program measures against the thresholds). */
export async function tierDistribution(db: Db, shopId: string) {
  const { entry, tiers } = await tierSetup(db, shopId);
  const value = Prisma.raw(`"${tierValueColumn(entry)}"`);
  const cases = tiers.length
    ? Prisma.join(tiers.map((t, i) => Prisma.sql`WHEN ${value} >= ${t.threshold} THEN ${i + 1}`).reverse(), " ")
    : null;
  const dialect = clientDialect(db);
  const rows = await rawQuery<{ level: unknown; members: unknown }>(
    db,
    dialect,
    cases
      ? Prisma.sql`SELECT CASE ${cases} ELSE 0 END AS "level", COUNT(*) AS "members" FROM "Member"
          WHERE "shopId" = ${shopId} AND "state" = 'active' GROUP BY 1`
      : Prisma.sql`SELECT 0 AS "level", COUNT(*) AS "members" FROM "Member" WHERE "shopId" = ${shopId} AND "state" = 'active'`,
  );
  const count = new Map(rows.map((r) => [n(r.level), n(r.members)]));
  return [
    { tier: NO_TIER, members: count.get(0) ?? 0 },
    ...tiers.map((t, i) => ({ tier: t.name, members: count.get(i + 1) ?? 0 })),
  ];
}

/**
 * Retention by enrolment month: of the members who joined in a month, the share with a member
 * order in each month since (the last 12 months; months in the shop's current UTC offset).
 */
export async function cohorts(db: Db, shopId: string, timeZone: string, now = new Date()) {
  const dialect = clientDialect(db);
  const offset = zoneOffsetMinutes(timeZone, now);
  const month = (col: string) =>
    dialect === "postgresql"
      ? Prisma.raw(`to_char(${col} + interval '${offset} minutes', 'YYYY-MM')`)
      : Prisma.raw(`strftime('%Y-%m', ${col}, '${offset >= 0 ? "+" : ""}${offset} minutes')`);
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const ts = (d: Date) => timestampParam(dialect, d);
  const [joined, active] = await Promise.all([
    rawQuery<Record<string, unknown>>(
      db,
      dialect,
      Prisma.sql`SELECT ${month('"enrolledAt"')} AS "cohort", COUNT(*) AS "members" FROM "Member"
        WHERE "shopId" = ${shopId} AND "enrolledAt" >= ${ts(since)} GROUP BY 1`,
    ),
    rawQuery<Record<string, unknown>>(
      db,
      dialect,
      Prisma.sql`SELECT "cohort", "month", COUNT(*) AS "members" FROM (
          SELECT DISTINCT ${month('"m"."enrolledAt"')} AS "cohort", ${month('"o"."paidAt"')} AS "month", "o"."memberId"
          FROM "OrderFact" "o" JOIN "Member" "m" ON "m"."id" = "o"."memberId"
          WHERE "o"."shopId" = ${shopId} AND "o"."paidAt" >= ${ts(since)} AND "o"."earnedPoints" > 0 AND NOT "o"."cancelled"
            AND "m"."enrolledAt" >= ${ts(since)}
        ) "t" GROUP BY "cohort", "month"`,
    ),
  ]);
  const months: string[] = [];
  for (let i = 0; i < 12; i++) {
    const d = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + i, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  const size = new Map(joined.map((r) => [String(r.cohort), n(r.members)]));
  const activeIn = new Map(active.map((r) => [`${r.cohort}|${r.month}`, n(r.members)]));
  return months
    .filter((c) => size.has(c))
    .map((cohort) => {
      const members = size.get(cohort)!;
      const start = months.indexOf(cohort);
      return {
        cohort,
        members,
        // month 0 is the enrolment month
        retention: months.slice(start).map((m) => (members === 0 ? 0 : (activeIn.get(`${cohort}|${m}`) ?? 0) / members)),
      };
    });
}

/** Members by recency, frequency and monetary value over the last year, scored by quintile into segments. */
export async function rfm(db: Db, shopId: string, now = new Date()) {
  const dialect = clientDialect(db);
  const since = new Date(now.getTime() - 365 * 86_400_000);
  const rows = await rawQuery<Record<string, unknown>>(
    db,
    dialect,
    Prisma.sql`SELECT "m"."customerId", "m"."email", "t"."last", "t"."orders", "t"."revenue" FROM (
        SELECT "memberId", MAX("paidAt") AS "last", COUNT(*) AS "orders", SUM("subtotalMinor" - "refundedMinor") AS "revenue"
        FROM "OrderFact"
        WHERE "shopId" = ${shopId} AND "memberId" IS NOT NULL AND "paid" AND NOT "cancelled" AND "paidAt" >= ${timestampParam(dialect, since)}
        GROUP BY "memberId"
      ) "t" JOIN "Member" "m" ON "m"."id" = "t"."memberId"
      WHERE "m"."state" = 'active' AND "m"."customerId" IS NOT NULL`,
  );
  const email = new Map(rows.map((r) => [String(r.customerId), r.email === null ? null : String(r.email)]));
  return rfmSegments(
    rows.map((r) => ({
      customerId: String(r.customerId),
      lastOrderAt: new Date(r.last as string | Date),
      orders: n(r.orders),
      revenueMinor: n(r.revenue),
    })),
    now,
  ).map((r) => ({ ...r, email: email.get(r.customerId) ?? null }));
}

/** The segments' sizes and value, for the page. */
export function rfmSummary(scored: Awaited<ReturnType<typeof rfm>>) {
  return RFM_SEGMENTS.map((segment) => {
    const rows = scored.filter((r) => r.segment === segment);
    const revenue = rows.reduce((s, r) => s + r.revenueMinor, 0);
    return { segment, members: rows.length, revenueMinor: revenue, meanRevenueMinor: meanHalfUp(revenue, rows.length) };
  });
}
