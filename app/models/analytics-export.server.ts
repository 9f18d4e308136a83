// Every table of the Analytics page as CSV (app/domain/csv.ts: formula-safe cells).
import { csvLine } from "~/domain/csv";
import type { Db } from "~/db.server";
import { analyticsLongTables, analyticsPage } from "./analytics-page.server";
import { rfm } from "./analytics-tables.server";

export const ANALYTICS_TABLES = [
  "metrics",
  "daily",
  "rewards",
  "referrals",
  "tiers",
  "tier_moves",
  "cohorts",
  "segments",
  "rfm",
] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

const csv = (header: string[], rows: Array<Array<string | number | null>>) => [header, ...rows].map(csvLine).join("");

/** The table's CSV, or the page's errors (a bad range). */
export async function analyticsCsv(db: Db, shopId: string, table: AnalyticsTable, url: URL) {
  if (table === "cohorts" || table === "segments") {
    const long = await analyticsLongTables(db, shopId);
    if (!long)
      return { ok: false as const, status: 404 as const, errors: [{ path: "shop", message: "the shop is not installed" }] };
    if (table === "cohorts") {
      const width = Math.max(0, ...long.cohorts.map((c) => c.retention.length));
      return {
        ok: true as const,
        body: csv(
          ["cohort", "members", ...Array.from({ length: width }, (_, i) => `month_${i}`)],
          long.cohorts.map((c) => [c.cohort, c.members, ...c.retention.map((r) => r.toFixed(4))]),
        ),
      };
    }
    return {
      ok: true as const,
      body: csv(
        ["segment", "members", "revenue_minor", "mean_revenue_minor"],
        long.segments.map((s) => [s.segment, s.members, s.revenueMinor, s.meanRevenueMinor]),
      ),
    };
  }
  if (table === "rfm") {
    const rows = await rfm(db, shopId);
    return {
      ok: true as const,
      body: csv(
        [
          "customer_id",
          "email",
          "segment",
          "recency",
          "frequency",
          "monetary",
          "days_since_last_order",
          "orders",
          "revenue_minor",
        ],
        rows.map((r) => [r.customerId, r.email, r.segment, r.r, r.f, r.m, r.daysSinceLastOrder, r.orders, r.revenueMinor]),
      ),
    };
  }
  const page = await analyticsPage(db, shopId, url);
  if (!page.ok) return page;
  const { report, rewards, referrals, tiers, tierMoves } = page;
  switch (table) {
    case "metrics":
      return {
        ok: true as const,
        body: csv(
          ["metric", "value", "previous", "from", "to", "definition"],
          Object.entries(report.current.metrics).map(([name, m]) => [
            name,
            m.value,
            report.previous.metrics[name as keyof typeof report.previous.metrics].value,
            report.current.from,
            report.current.to,
            m.definition,
          ]),
        ),
      };
    case "daily":
      return {
        ok: true as const,
        body: csv(
          [
            "date",
            "orders",
            "member_orders",
            "revenue_minor",
            "members_joined",
            "points_issued",
            "points_expired",
            "points_outstanding",
          ],
          report.current.series.map((d) => [
            d.date,
            d.orders,
            d.memberOrders,
            d.revenueMinor,
            d.joined,
            d.pointsIssued,
            d.pointsExpired,
            d.outstanding,
          ]),
        ),
      };
    case "rewards":
      return {
        ok: true as const,
        body: csv(
          [
            "reward",
            "type",
            "redeemed",
            "codes_used",
            "unused",
            "expired",
            "points_spent",
            "discount_minor",
            "revenue_minor",
            "hours_to_use",
          ],
          rewards.map((r) => [
            r.name,
            r.type,
            r.redeemed,
            r.used,
            r.unused,
            r.expired,
            r.pointsSpent,
            r.discountMinor,
            r.revenueMinor,
            r.hoursToUse,
          ]),
        ),
      };
    case "referrals":
      return {
        ok: true as const,
        body: csv(
          ["status", "reason", "friends"],
          [
            ["links_shared", "", referrals.linksShared],
            ["links_opened", "", referrals.linksOpened],
            ["rewarded", "", referrals.rewarded],
            ...referrals.refused.map((r) => ["refused", r.reason, r.friends] as Array<string | number>),
          ],
        ),
      };
    case "tiers":
      return {
        ok: true as const,
        body: csv(
          ["tier", "members"],
          tiers.map((t) => [t.tier, t.members]),
        ),
      };
    case "tier_moves":
      return {
        ok: true as const,
        body: csv(
          ["from", "to", "direction", "members"],
          tierMoves.moves.map((m) => [m.from, m.to, m.direction, m.members]),
        ),
      };
  }
}
