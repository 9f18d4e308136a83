// Delivers the outbox's events to Shopify Flow (flowTriggerReceive), per shop under a lease, in
// event order (so in order per customer), once: an event is marked sent in the statement after
// Shopify accepted it. Throttled or unavailable: the shop waits (its lease held until the retry)
// and the same event goes first next time. A trigger Flow reported unused in the shop is skipped.
import { flowTrigger, FLOW_HANDLES } from "~/domain/flow";
import type { EventData, EventType } from "~/domain/events";
import { clientDialect, distinctShops, Prisma, type Db } from "~/db.server";
import { adminCall, ShopifyRejectedError, type AdminGraphql } from "~/shopify/admin-call.server";
import { FLOW_TRIGGER_RECEIVE } from "~/shopify/operations";
import { errorText, log } from "~/log.server";
import { eachLeasedShop, leaseKeeper, type ChannelOptions } from "./integration-lease.server";

const CHANNEL = "flow";
const MAX_ATTEMPTS = 10;
const PAGE = 50;
/** flowTriggerReceive's cost in Shopify's bucket (a mutation's requested cost) */
const COST = 10;

export interface FlowRun {
  sent: number;
  skipped: number;
  dead: number;
  waiting: number;
}

/** Shops with events for Flow waiting: a seek per shop on the (flowState, shopId, id) index. */
const shopsWithFlowWork = (db: Db) =>
  distinctShops(db, clientDialect(db), "OutboxEvent", Prisma.sql`"flowState" = 'pending'`, "", 100);

/** Retries wait 1 s, 2 s, 4 s … up to 5 minutes. */
export const flowRetryMs = (attempts: number) => Math.min(1000 * 2 ** Math.max(0, attempts - 1), 300_000);

/**
 * One pass: every shop with pending events whose lease this process gets, until its queue is
 * empty, Shopify makes it wait, `budgetMs` is spent or the pass is asked to give way.
 */
export async function deliverFlowTriggers(
  db: Db,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  options: ChannelOptions = {},
): Promise<FlowRun> {
  const clock = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.budgetMs ?? 20_000);
  const stop = () => Date.now() > deadline || (options.giveWay?.() ?? false);
  const run: FlowRun = { sent: 0, skipped: 0, dead: 0, waiting: 0 };
  await eachLeasedShop(db, await shopsWithFlowWork(db), CHANNEL, "flow triggers", clock, 5_000, (shopId) =>
    deliverShop(db, shopId, graphqlFor, run, clock, options.sleep, stop),
  );
  return run;
}

/** Delivers one shop's queue; answers when the shop may be worked on again. */
async function deliverShop(
  db: Db,
  shopId: string,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  run: FlowRun,
  clock: () => Date,
  sleep: ((ms: number) => Promise<void>) | undefined,
  stop: () => boolean,
): Promise<Date> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) {
    const { count } = await db.outboxEvent.updateMany({
      where: { shopId, flowState: "pending" },
      data: { flowState: "skipped", flowError: "shop not installed" },
    });
    run.skipped += count;
    return clock();
  }
  const unused = new Set(
    (await db.flowTriggerUse.findMany({ where: { shopId, enabled: false }, select: { handle: true } })).map((u) => u.handle),
  );
  let graphql: AdminGraphql | null = null;
  const renew = leaseKeeper(db, shopId, CHANNEL, clock);
  for (;;) {
    const events = await db.outboxEvent.findMany({
      where: { shopId, flowState: "pending" },
      orderBy: { id: "asc" },
      take: PAGE,
      select: { id: true, type: true, customerId: true, data: true, flowAttempts: true },
    });
    if (events.length === 0) return clock();
    // Events with nothing to send are marked together, a statement per reason, before anything
    // else is written or the page is left.
    const skipped = new Map<string, number[]>();
    const markSkipped = async () => {
      for (const [flowError, ids] of skipped)
        await db.outboxEvent.updateMany({ where: { id: { in: ids } }, data: { flowState: "skipped", flowError } });
      skipped.clear();
    };
    for (const event of events) {
      const trigger = event.customerId
        ? flowTrigger(event.type as EventType, event.customerId, JSON.parse(event.data) as EventData)
        : null;
      if (!trigger || unused.has(trigger.handle)) {
        const reason = trigger ? "no workflow uses this trigger" : "nothing to send";
        skipped.set(reason, [...(skipped.get(reason) ?? []), event.id]);
        run.skipped++;
        continue;
      }
      await markSkipped();
      await renew();
      graphql ??= await graphqlFor(shopId);
      try {
        const data = await adminCall(graphql, FLOW_TRIGGER_RECEIVE, trigger, { cost: COST, sleep, attempts: 2 });
        const errors = (data.flowTriggerReceive as { userErrors?: Array<{ message: string }> } | null)?.userErrors ?? [];
        if (errors.length) throw new ShopifyRejectedError(`flowTriggerReceive: ${errors.map((e) => e.message).join("; ")}`);
        await db.outboxEvent.update({
          where: { id: event.id },
          data: { flowState: "sent", flowSentAt: clock(), flowError: null },
        });
        run.sent++;
      } catch (error) {
        const attempts = event.flowAttempts + 1;
        const message = errorText(error).slice(0, 300);
        // A refusal will not change by asking again; anything else is retried, in order.
        if (error instanceof ShopifyRejectedError || attempts >= MAX_ATTEMPTS) {
          log("warn", "flow trigger dead", { shop: shopId, event: event.id, attempts, error: message });
          await db.outboxEvent.update({
            where: { id: event.id },
            data: { flowState: "dead", flowAttempts: attempts, flowError: message },
          });
          run.dead++;
          continue;
        }
        const retryAt = new Date(clock().getTime() + flowRetryMs(attempts));
        await db.outboxEvent.update({
          where: { id: event.id },
          data: { flowAttempts: attempts, flowError: message, flowRunAt: retryAt },
        });
        run.waiting++;
        return retryAt;
      }
      if (stop()) return clock();
    }
    await markSkipped();
  }
}

/**
 * Flow's trigger lifecycle callback: whether the shop has an enabled workflow using the trigger.
 * A callback older than the one recorded is ignored (Flow says newer timestamps take precedence).
 * False for a trigger that is not the app's or a shop that never installed.
 */
export async function recordTriggerUse(db: Db, shopId: string, handle: string, enabled: boolean, at = new Date()) {
  if (!FLOW_HANDLES.includes(handle)) return false;
  if (!(await db.shop.findUnique({ where: { id: shopId }, select: { id: true } }))) return false;
  const { count } = await db.flowTriggerUse.updateMany({
    where: { shopId, handle, updatedAt: { lte: at } },
    data: { enabled, updatedAt: at },
  });
  if (count === 0)
    await db.$executeRaw`INSERT INTO "FlowTriggerUse" ("shopId", "handle", "enabled", "updatedAt") VALUES (${shopId}, ${handle}, ${enabled}, ${at})
      ON CONFLICT DO NOTHING`;
  return true;
}
