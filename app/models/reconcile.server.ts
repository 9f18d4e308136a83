// Reconciliation: webhooks Shopify never delivered (it gave up after its retries, a subscription
// was removed, the app was down for hours) are caught by comparing the shop's recent orders, as
// Admin GraphQL lists them, with what the app recorded. What is missing (a payment, a
// cancellation, a refund) is applied through the same order writer as a webhook, so nothing is
// applied twice: an event that arrives later, or a second run, finds its keys already used.
import type { OrderEvent } from "~/domain/orders";
import type { ReconciliationFindings } from "~/domain/wording";
import type { Db } from "~/db.server";
import { ShopNotConnectedError, type AdminGraphql } from "~/shopify/admin-call.server";
import { orderLines, orderRefunds, ordersUpdatedSince, shopifyOrderEvents } from "~/shopify/orders.server";
import { withLedger } from "./ledger.server";
import { applyOrderEvents, type OrderWork } from "./orders.server";
import { errorText, log } from "~/log.server";

/** What a run compared, found and fixed (the figures the admin words, app/domain/wording.ts). */
export interface ReconcileReport extends ReconciliationFindings {
  since: string;
  until: string;
  finishedAt: string;
}

const ACTOR = "system:reconciliation";
/** a first run looks this far back */
const FIRST_LOOKBACK_MS = 3 * 86_400_000;
/** each run re-reads a little of what the last one saw (orders updated around its end) */
const OVERLAP_MS = 60 * 60_000;
const LEASE_MS = 15 * 60_000;
/** scheduled runs leave the newest minutes to the webhooks still on their way */
export const SETTLE_MS = 15 * 60_000;
export const DAILY_MS = 86_400_000;

/** Compares orders updated in [since, until] with the app's records and applies what is missing. */
export async function reconcileOrders(
  db: Db,
  graphql: AdminGraphql,
  shopId: string,
  since: Date,
  until: Date,
  now = new Date(),
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    since: since.toISOString(),
    until: until.toISOString(),
    ordersChecked: 0,
    missedPaid: 0,
    missedCancelled: 0,
    missedRefunds: 0,
    pointsCredited: 0,
    pointsReversed: 0,
    finishedAt: "",
  };
  for await (const page of ordersUpdatedSince(graphql, since, until)) {
    report.ordersChecked += page.length;
    const ids = page.map((o) => o.legacyResourceId);
    const [facts, refunds] = await Promise.all([
      db.orderFact.findMany({ where: { shopId, orderId: { in: ids } }, select: { orderId: true, paid: true, cancelled: true } }),
      db.orderRefund.findMany({ where: { shopId, orderId: { in: ids } }, select: { refundId: true } }),
    ]);
    const known = new Map(facts.map((f) => [f.orderId, f]));
    const seenRefunds = new Set(refunds.map((r) => r.refundId));
    const missing: OrderEvent[] = [];
    for (const order of page) {
      const fact = known.get(order.legacyResourceId);
      const missed = shopifyOrderEvents(order).filter((e) => (e.type === "paid" ? !fact?.paid : !fact?.cancelled));
      // Only an order the app is missing needs its lines (gift cards and excluded products earn nothing).
      const lines = missed.length ? await orderLines(graphql, order.legacyResourceId) : [];
      for (const event of missed) {
        missing.push({ ...event, order: { ...event.order, lines } });
        if (event.type === "paid") report.missedPaid++;
        else report.missedCancelled++;
      }
      if (order.refunds.some((r) => !seenRefunds.has(r.legacyResourceId))) {
        for (const r of await orderRefunds(graphql, order.legacyResourceId)) {
          if (seenRefunds.has(r.refundId)) continue;
          missing.push({ type: "refund", orderId: order.legacyResourceId, ...r });
          report.missedRefunds++;
        }
      }
    }
    if (missing.length === 0) continue;
    const work: OrderWork[] = missing.map((event) => ({ shopId, event, actor: ACTOR }));
    const posted = await withLedger(db, (ledger) => applyOrderEvents(ledger, work, now));
    for (const e of posted) {
      if (e.points > 0) report.pointsCredited += e.points;
      else report.pointsReversed -= e.points;
    }
  }
  report.finishedAt = new Date().toISOString();
  return report;
}

/** Takes the shop's reconciliation lease (several app processes may try at once); null if another holds it. */
async function claim(db: Db, shopId: string, now: Date) {
  const lockedUntil = new Date(now.getTime() + LEASE_MS);
  await db.$executeRaw`INSERT INTO "Reconciliation" ("shopId") VALUES (${shopId}) ON CONFLICT DO NOTHING`;
  const { count } = await db.reconciliation.updateMany({
    where: { shopId, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { lockedUntil },
  });
  return count === 1 ? db.reconciliation.findUniqueOrThrow({ where: { shopId } }) : null;
}

/**
 * One run for a shop: from a little before where the last run stopped (or three days back) to
 * `until`; the report is kept for the admin. Null when another process is running it.
 */
export async function runReconciliation(
  db: Db,
  graphql: AdminGraphql,
  shopId: string,
  options: { now?: Date; settleMs?: number } = {},
): Promise<ReconcileReport | null> {
  const now = options.now ?? new Date();
  const row = await claim(db, shopId, now);
  if (!row) return null;
  const until = new Date(now.getTime() - (options.settleMs ?? SETTLE_MS));
  const since = row.checkedUntil
    ? new Date(row.checkedUntil.getTime() - OVERLAP_MS)
    : new Date(now.getTime() - FIRST_LOOKBACK_MS);
  try {
    const report = await reconcileOrders(db, graphql, shopId, since, until, now);
    await db.reconciliation.update({
      where: { shopId },
      data: { lockedUntil: null, checkedUntil: until, lastRunAt: now, lastReport: JSON.stringify(report) },
    });
    return report;
  } catch (error) {
    await db.reconciliation.update({ where: { shopId }, data: { lockedUntil: null } });
    throw error;
  }
}

/** The daily run: every installed shop whose last run is a day old (a few per call). */
export async function reconcileDueShops(
  db: Db,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  now = new Date(),
  limit = 20,
) {
  const due = await db.shop.findMany({
    where: { uninstalledAt: null },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const runs = await db.reconciliation.findMany({ where: { shopId: { in: due.map((s) => s.id) } } });
  const lastRun = new Map(runs.map((r) => [r.shopId, r.lastRunAt]));
  let ran = 0;
  for (const { id } of due) {
    const last = lastRun.get(id);
    if (last && now.getTime() - last.getTime() < DAILY_MS) continue;
    if (ran++ >= limit) break;
    try {
      await runReconciliation(db, await graphqlFor(id), id, { now });
    } catch (error) {
      if (error instanceof ShopNotConnectedError) log("info", "reconciliation: shop not connected", { shop: id });
      else log("warn", "reconciliation failed", { shop: id, error: errorText(error) });
    }
  }
  return ran;
}

/** What the last run found and fixed, for the admin home. */
export async function lastReconciliation(db: Db, shopId: string): Promise<(ReconcileReport & { ranAt: string }) | null> {
  const row = await db.reconciliation.findUnique({ where: { shopId } });
  if (!row?.lastReport || !row.lastRunAt) return null;
  return { ...(JSON.parse(row.lastReport) as ReconcileReport), ranAt: row.lastRunAt.toISOString() };
}
