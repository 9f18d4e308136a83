// What the Analytics page shows, for its loader and GET /app/api/analytics alike: the range
// (a preset or from/to), the figures of it and of the period before, the holdout comparison and
// the tables. Cohorts and RFM read a year of orders and are fetched apart (the page streams them).
import { periodOf, rangeOf, type PeriodProblem } from "~/domain/analytics";
import type { Db } from "~/db.server";
import { analyticsContext, analyticsReport } from "./analytics.server";
import {
  cohorts,
  referralStats,
  rewardStats,
  rfm,
  rfmSummary,
  tierDistribution,
  tierMovement,
  withReferralActivity,
} from "./analytics-tables.server";

import { surveySummary } from "./survey.server";

export type AnalyticsPage =
  | { ok: false; status: 404 | 422; errors: PeriodProblem[] | Array<{ path: string; message: string }> }
  | ({ ok: true } & Awaited<ReturnType<typeof pageFigures>>);

async function pageFigures(
  db: Db,
  shopId: string,
  range: ReturnType<typeof rangeOf>,
  context: NonNullable<Awaited<ReturnType<typeof analyticsContext>>>,
) {
  const result = periodOf(range.from, range.to, context.timeZone);
  if (!result.ok) return null;
  const period = result.period;
  const [report, rewards, referrals, tiers, tierMoves, satisfaction] = await Promise.all([
    analyticsReport(db, shopId, period, context),
    rewardStats(db, shopId, period),
    referralStats(db, shopId, period),
    tierDistribution(db, shopId),
    tierMovement(db, shopId, period),
    surveySummary(db, shopId, period.start, period.end),
  ]);
  return {
    range,
    report: report!,
    rewards,
    referrals: withReferralActivity(referrals, report!.current.totals),
    tiers,
    tierMoves,
    satisfaction,
  };
}

export async function analyticsPage(db: Db, shopId: string, url: URL): Promise<AnalyticsPage> {
  const context = await analyticsContext(db, shopId);
  if (!context) return { ok: false, status: 404, errors: [{ path: "shop", message: "the shop is not installed" }] };
  const range = rangeOf(url.searchParams, context.timeZone);
  const result = periodOf(range.from, range.to, context.timeZone);
  if (!result.ok) return { ok: false, status: 422, errors: result.errors };
  const figures = await pageFigures(db, shopId, range, context);
  return { ok: true, ...figures! };
}

/** The year-long tables: retention by enrolment month and the RFM segments. */
export async function analyticsLongTables(db: Db, shopId: string) {
  const context = await analyticsContext(db, shopId);
  if (!context) return null;
  const [cohortRows, scored] = await Promise.all([cohorts(db, shopId, context.timeZone), rfm(db, shopId)]);
  return { cohorts: cohortRows, segments: rfmSummary(scored) };
}
