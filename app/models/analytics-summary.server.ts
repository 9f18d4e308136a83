// The weekly summary: each shop's figures for its last full week (Monday to Sunday in its time
// zone) beside the week before, recorded once per shop and week (AnalyticsSummary, keyed by both)
// and, in the same transaction, handed to the outbox as the shop's event
// `analytics.weekly_summary` (event key weekly:<Monday>): the merchant's webhook endpoints that
// choose it receive it, signed and retried like every event (docs/flow-workflows.md, ADR 0016).
// deliveredAt says when it was handed to the outbox.
import { dateOfDayNumber, dayNumber, localDate, periodOf, type MetricName } from "~/domain/analytics";
import { clientDialect, type Db } from "~/db.server";
import { recordEvents } from "./outbox.server";
import { analyticsContext, periodFigures } from "./analytics.server";

const HEADLINE: MetricName[] = [
  "orders",
  "revenue_minor",
  "members_joined",
  "participation_rate",
  "points_issued",
  "points_redeemed",
  "redemptions",
  "reward_discount_minor",
  "reward_revenue_minor",
  "referral_orders",
  "points_outstanding",
];

/** The Monday (YYYY-MM-DD) that starts the last full week before `now` in the zone. */
export function lastFullWeek(now: Date, timeZone: string): string {
  const today = dayNumber(localDate(now, timeZone))!;
  const weekday = (today + 3) % 7; // 1970-01-01 was a Thursday; 0 = Monday
  return dateOfDayNumber(today - weekday - 7);
}

/** The summary payload of the week starting `weekStart` (a Monday), with the week before. */
export async function weeklySummary(db: Db, shopId: string, weekStart: string) {
  const context = await analyticsContext(db, shopId);
  if (!context) return null;
  const a = dayNumber(weekStart)!;
  const week = periodOf(weekStart, dateOfDayNumber(a + 6), context.timeZone);
  const before = periodOf(dateOfDayNumber(a - 7), dateOfDayNumber(a - 1), context.timeZone);
  if (!week.ok || !before.ok) return null;
  const [current, previous] = await Promise.all([
    periodFigures(db, shopId, week.period, context),
    periodFigures(db, shopId, before.period, context),
  ]);
  return {
    type: "analytics.weekly_summary",
    shop: shopId,
    currency: context.currency,
    timeZone: context.timeZone,
    from: week.period.from,
    to: week.period.to,
    figures: Object.fromEntries(
      HEADLINE.map((name) => [
        name,
        {
          value: current.metrics[name].value,
          previous: previous.metrics[name].value,
          definition: current.metrics[name].definition,
        },
      ]),
    ),
  };
}

/** The job: records each installed shop's summary of its last full week, once. Returns how many it recorded. */
export async function recordWeeklySummaries(db: Db, now = new Date()): Promise<number> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { id: true, timezone: true } });
  let recorded = 0;
  for (const shop of shops) {
    const weekStart = lastFullWeek(now, shop.timezone || "UTC");
    const known = await db.analyticsSummary.findUnique({ where: { shopId_weekStart: { shopId: shop.id, weekStart } } });
    if (known) continue;
    const payload = await weeklySummary(db, shop.id, weekStart);
    if (!payload) continue;
    const created = await db
      .$transaction(async (tx) => {
        const now = new Date();
        await tx.analyticsSummary.create({
          data: { shopId: shop.id, weekStart, payload: JSON.stringify(payload), createdAt: now, deliveredAt: now },
        });
        await recordEvents(
          tx,
          clientDialect(db),
          [
            {
              shopId: shop.id,
              memberId: "",
              customerId: null,
              type: "analytics.weekly_summary",
              eventKey: `weekly:${weekStart}`,
              data: { summary: payload },
            },
          ],
          now,
        );
        return 1;
      })
      .catch((error: { code?: string }) => {
        if (error.code === "P2002") return 0; // another process recorded it meanwhile
        throw error;
      });
    recorded += created;
  }
  return recorded;
}
