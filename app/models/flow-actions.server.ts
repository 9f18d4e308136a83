// Shopify Flow's "Adjust loyalty points" action (extensions/loyalty-flow-adjust-points): one
// `adjustment` entry per Flow action run (`flow:<action_run_id>`; Flow resends a run with the same
// id), actor `flow`. A customer not yet a member is enrolled first, if the program would enrol
// them: the order rule decides (orderEarner, as for a first paid order), so every exclusion it
// knows (launch state and pilot tag, and whatever else it is taught) applies here too; an erased
// customer is never enrolled again.
import { emptyOrderRecord, orderEarner } from "~/domain/orders";
import { launchOf } from "~/domain/program";
import type { Db } from "~/db.server";
import { customerTags } from "~/shopify/customers.server";
import type { AdminGraphql } from "~/shopify/admin-call.server";
import { IdempotencyConflictError, withLedger } from "./ledger.server";
import { ensureMember, isRedactedCustomer } from "./members.server";
import { activeShop, currentRules } from "./shops.server";

export class FlowActionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FlowAdjustment {
  shopId: string;
  actionRunId: string;
  customerId: string;
  points: number;
  reason: string;
}

const notEligible = () => new FlowActionError(422, "not_eligible", "the program does not enrol this customer");

/** Whether the program would enrol a customer who is not a member yet (the order rule decides). */
async function wouldEnrol(db: Db, shopId: string, customerId: string, graphql: () => Promise<AdminGraphql>) {
  if (await isRedactedCustomer(db, shopId, customerId)) return false;
  const shop = await activeShop(db, shopId);
  if (!shop) return false;
  const rules = await currentRules(db, shopId, shop.programVersion);
  const launch = launchOf(rules);
  // A pilot admits by tag: the customer's tags as Shopify has them (the app has not seen them).
  const tags = launch.state === "pilot" ? await customerTags(await graphql(), customerId) : null;
  const firstPaidOrder = { ...emptyOrderRecord(`flow:${customerId}`), customerId, paid: true };
  return orderEarner(firstPaidOrder, null, true, { launch, tags }) === "enrol";
}

export async function adjustFromFlow(db: Db, graphql: () => Promise<AdminGraphql>, input: FlowAdjustment) {
  const { shopId, customerId } = input;
  if (!(await activeShop(db, shopId)))
    throw new FlowActionError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  const key = `flow:${input.actionRunId}`;
  const existing = await db.member.findUnique({
    where: { shopId_customerId: { shopId, customerId } },
    select: { state: true, tags: true },
  });
  // A run answered before answers the same, whatever changed since.
  const done = await db.ledgerEntry.findUnique({
    where: { shopId_idempotencyKey: { shopId, idempotencyKey: key } },
    select: { id: true },
  });
  if (!done) {
    if (existing && existing.state !== "active") throw notEligible();
    if (!existing && !(await wouldEnrol(db, shopId, customerId, graphql))) throw notEligible();
  }
  const now = new Date();
  try {
    return await withLedger(db, async (ledger) => {
      const member = await ensureMember(ledger, shopId, { customerId, tags: existing?.tags ?? null });
      if (!member) throw notEligible();
      const { posted } = await ledger.post({
        shopId,
        memberId: member.id,
        kind: "adjustment",
        points: input.points,
        status: "available",
        availableAt: now,
        idempotencyKey: key,
        sourceType: "flow",
        sourceId: input.actionRunId,
        actor: "flow",
        reason: input.reason,
        occurredAt: now,
      });
      const entry = await ledger.tx.ledgerEntry.findUniqueOrThrow({
        where: { shopId_idempotencyKey: { shopId, idempotencyKey: key } },
      });
      return {
        posted,
        entry: { id: entry.id, type: "adjustment" as const, points: entry.points, reason: entry.reason, actor: entry.actor },
      };
    });
  } catch (error) {
    if (error instanceof IdempotencyConflictError)
      throw new FlowActionError(422, "idempotency_key_reused", "this action run was answered for another adjustment");
    throw error;
  }
}
