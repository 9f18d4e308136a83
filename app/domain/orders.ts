// What an order is owed in points, decided from everything known about it so far.
// Webhooks arrive in any order and any number of times; each delivery updates the facts and
// this function says what is still to be written, so the final state never depends on delivery.
import { mulDivRoundHalfUp } from "./arithmetic";
import type { EntryDraft } from "./ledger";
import {
  availableAtFor,
  campaignMultiplierAt,
  clubOpenTo,
  effectiveRate,
  pointsForSubtotal,
  type EarningRules,
  type Launch,
} from "./program";
import type { AddressParts } from "./referrals";
import { tierStanding, type TierRule } from "./tiers";

export interface OrderPointsState {
  /** merchandise subtotal S in minor units; null until an order payload has said it */
  subtotalMinor: number | null;
  paid: boolean;
  cancelled: boolean;
  /** R: merchandise subtotals of all refunds recorded so far */
  refundedMinor: number;
  /** whether the earning has been decided (it may have been 0 points) */
  earnDecided: boolean;
  earned: number;
  reversed: number;
}

export interface OrderPointsPlan {
  /** points to credit now (0 when there is nothing to earn or it was already decided) */
  earn: number;
  /** points to take back now, as a positive number */
  reverse: number;
  /** the state after the plan is written */
  next: OrderPointsState;
}

/** Total to reverse for an order that earned E on subtotal S after refunds R: round(E×R/S), exactly E once R ≥ S. */
export function reversalTarget(earned: number, refundedMinor: number, subtotalMinor: number, cancelled: boolean): number {
  if (earned <= 0) return 0;
  if (cancelled || subtotalMinor <= 0 || refundedMinor >= subtotalMinor) return earned;
  return mulDivRoundHalfUp(earned, Math.max(0, refundedMinor), subtotalMinor);
}

/**
 * @param pointsIfEarned points the order would earn now (rate and tier applied by the caller),
 *   or null when its customer cannot earn (no customer, opted out, not enrolled).
 */
export function planOrderPoints(state: OrderPointsState, pointsIfEarned: number | null): OrderPointsPlan {
  let { earnDecided, earned } = state;
  let earn = 0;
  if (!earnDecided && state.paid && state.subtotalMinor !== null && pointsIfEarned !== null) {
    earnDecided = true;
    earn = Math.max(0, pointsIfEarned);
    earned = earn;
  }
  const target = reversalTarget(earned, state.refundedMinor, state.subtotalMinor ?? 0, state.cancelled);
  const reverse = Math.max(0, target - state.reversed);
  return { earn, reverse, next: { ...state, earnDecided, earned, reversed: state.reversed + reverse } };
}

// ---------------------------------------------------------------------------------------------
// The whole plan of one order event: from the order's facts, the event, the member and the
// program to the ledger entries to post. The writer (app/models/orders.server.ts) locks and
// loads what this needs, calls it, and posts what it says; no rule lives there.

/** A line of an order as the earning reads it. */
export interface OrderLine {
  productId: string | null;
  giftCard: boolean;
  /** price × quantity less every discount allocated to the line (shop currency, minor units) */
  netMinor: number;
}

/** A refunded line: its merchandise subtotal (shop currency, minor units) and what it was. */
export interface RefundLine {
  productId: string | null;
  giftCard: boolean;
  subtotalMinor: number;
}

/** Products that earn nothing under the program (they carry a tag it excludes), by product id. */
export type ExcludedProducts = ReadonlySet<string>;
export const NO_EXCLUSIONS: ExcludedProducts = new Set();

/** Whether a line earns points: gift cards never (points come when the card is spent), nor excluded products. */
export function lineEarns(line: { productId: string | null; giftCard: boolean }, excluded: ExcludedProducts): boolean {
  return !line.giftCard && !(line.productId !== null && excluded.has(line.productId));
}

/**
 * The part of an order's merchandise subtotal that earns: Shopify's subtotal (after discounts,
 * before shipping and tax) less the lines that do not earn, never below 0. With no such line it
 * is the subtotal itself, to the cent.
 */
export function earningSubtotal(subtotalMinor: number, lines: readonly OrderLine[], excluded: ExcludedProducts): number {
  let out = 0;
  for (const line of lines) if (!lineEarns(line, excluded)) out += Math.max(0, line.netMinor);
  return Math.max(0, subtotalMinor - out);
}

/** The part of a refund that takes back points: its lines that earned. */
export function earningRefund(lines: readonly RefundLine[], excluded: ExcludedProducts): number {
  let sum = 0;
  for (const line of lines) if (lineEarns(line, excluded)) sum += line.subtotalMinor;
  return sum;
}

export interface OrderFacts {
  orderId: string;
  name: string;
  customer: { customerId: string; email?: string | null; tags?: string | null } | null;
  currency: string;
  subtotalMinor: number;
  /** the order's lines (gift cards and excluded products earn nothing); absent: every line earns */
  lines?: OrderLine[];
  presentmentCurrency: string | null;
  discountCodes: string[];
  /** what each code took off, shop currency minor units, as the order says (analytics: the cost of reward codes) */
  codeDiscounts?: Array<{ code: string; amountMinor: number }>;
  test: boolean;
  createdAt: Date;
  paidAt: Date;
  /** used only for referral checks (hashed), never stored */
  email?: string | null;
  shippingAddress?: AddressParts | null;
}

export type OrderEvent =
  | { type: "paid"; order: OrderFacts }
  | { type: "cancelled"; order: OrderFacts; wasPaid: boolean }
  | {
      type: "refund";
      orderId: string;
      refundId: string;
      subtotalMinor: number;
      /** the refunded lines; absent: all of subtotalMinor was earning merchandise */
      lines?: RefundLine[];
      createdAt: Date;
    };

/** What is stored about an order (OrderFact), as the plan reads and writes it. */
export interface OrderRecord {
  orderId: string;
  name: string;
  customerId: string | null;
  memberId: string | null;
  currency: string;
  presentmentCurrency: string | null;
  subtotalMinor: number | null;
  /** the part of the subtotal that earns (earningSubtotal), kept as it was when the earning was decided */
  earnSubtotalMinor: number | null;
  discountCodes: string;
  test: boolean;
  paid: boolean;
  paidAt: Date | null;
  cancelled: boolean;
  orderCreatedAt: Date | null;
  refundedMinor: number;
  /** the part of the refunds that takes back points (earningRefund) */
  refundedEarnMinor: number;
  earnedPoints: number;
  reversedPoints: number;
  /** the program version the order earned under, once its earning is decided */
  earnVersion: number | null;
}

export const emptyOrderRecord = (orderId: string): OrderRecord => ({
  orderId,
  name: "",
  customerId: null,
  memberId: null,
  currency: "",
  presentmentCurrency: null,
  subtotalMinor: null,
  earnSubtotalMinor: null,
  discountCodes: "",
  test: false,
  paid: false,
  paidAt: null,
  cancelled: false,
  orderCreatedAt: null,
  refundedMinor: 0,
  refundedEarnMinor: 0,
  earnedPoints: 0,
  reversedPoints: 0,
  earnVersion: null,
});

export const orderIdOf = (event: OrderEvent) => (event.type === "refund" ? event.orderId : event.order.orderId);

/**
 * The order's facts after an event. A refund counts once per refund id (`refundSeen`: it was
 * recorded before). Paid and cancelled only ever turn on: deliveries in any order agree.
 */
export function mergeOrderFacts(
  record: OrderRecord,
  event: OrderEvent,
  refundSeen: boolean,
  excluded: ExcludedProducts = NO_EXCLUSIONS,
): OrderRecord {
  if (event.type === "refund") {
    if (refundSeen) return record;
    const earning = event.lines ? earningRefund(event.lines, excluded) : event.subtotalMinor;
    return {
      ...record,
      refundedMinor: record.refundedMinor + event.subtotalMinor,
      refundedEarnMinor: record.refundedEarnMinor + earning,
    };
  }
  const o = event.order;
  const paid = event.type === "paid" || (event.type === "cancelled" && event.wasPaid);
  // Once the earning is decided its basis stays: a tag added later does not change what a refund takes back.
  const earnSubtotalMinor =
    record.earnVersion !== null && record.earnSubtotalMinor !== null
      ? record.earnSubtotalMinor
      : earningSubtotal(o.subtotalMinor, o.lines ?? [], excluded);
  return {
    ...record,
    name: o.name,
    customerId: o.customer?.customerId ?? null,
    currency: o.currency,
    subtotalMinor: o.subtotalMinor,
    earnSubtotalMinor,
    presentmentCurrency: o.presentmentCurrency,
    discountCodes: o.discountCodes.join(","),
    test: o.test,
    orderCreatedAt: o.createdAt,
    ...(paid ? { paid: true, paidAt: o.paidAt } : {}),
    ...(event.type === "cancelled" ? { cancelled: true } : {}),
  };
}

export interface OrderMember {
  id: string;
  state: string;
  /** what the program measures tiers by (tierValueOf): lifetime points, points in the window or amount spent */
  tierValue: number;
  /** the merchant excluded this customer from the club (null: not excluded) */
  excludedAt?: Date | null;
}

/**
 * Who earns on this order: the member it already earned for, else its customer's member, else
 * (on the first paid order, when the program enrols automatically) a new member for its customer.
 * "closed": the club is not open to this customer (clubOpenTo: a draft, a pilot without the tag,
 * or the merchant excluded them), or the customer is in the holdout (access.holdout), so the order
 * is decided as earning nothing.
 */
export function orderEarner(
  record: OrderRecord,
  customerMember: OrderMember | null,
  autoEnroll: boolean,
  access: { launch: Launch; tags: readonly string[] | null; holdout?: boolean } = {
    launch: { state: "live", pilotTag: "" },
    tags: null,
  },
): "recorded" | "member" | "enrol" | "closed" | "none" {
  if (record.memberId) return "recorded";
  if (!record.customerId || !record.paid || record.earnVersion !== null) return "none";
  // The holdout is never invited: a customer in it who is not a member earns nothing and is not enrolled.
  if (!customerMember && access.holdout) return "closed";
  if (!customerMember && !autoEnroll) return "none";
  if (!clubOpenTo(access.launch, { tags: access.tags, excluded: Boolean(customerMember?.excludedAt) })) return "closed";
  return customerMember ? "member" : "enrol";
}

/** An entry the plan asks the ledger to post. */
export type PlannedEntry = EntryDraft;

export interface OrderPlanInput {
  event: OrderEvent;
  /** the order's facts with this event merged (mergeOrderFacts) */
  record: OrderRecord;
  /** the member who earns or earned on it (null: nobody) */
  member: OrderMember | null;
  /** the launch state keeps the order's customer out: a paid order is decided as earning 0 */
  closed?: boolean;
  /** the rules of the version the order earned under, or the current ones if not decided */
  rules: EarningRules;
  tiers: readonly TierRule[];
  /** the order's earn entry, if one was posted */
  earnEntry: Pick<PlannedEntry, "memberId" | "status" | "availableAt" | "programVersion" | "rateNum" | "rateDen"> | null;
  /** redemptions whose code this order used */
  usedRedemptions: ReadonlyArray<{ id: string; memberId: string; pointsSpent: number }>;
  now: Date;
}

export interface OrderPlan {
  entries: PlannedEntry[];
  /** the record to store */
  record: OrderRecord;
}

export function planOrderEvent(input: OrderPlanInput): OrderPlan {
  const { event, record, member, rules, now } = input;
  const canEarn =
    member !== null && member.state === "active" && record.earnSubtotalMinor !== null && record.earnVersion === null;
  let rate = effectiveRate(rules);
  let pointsIfEarned: number | null = null;
  if (canEarn) {
    const campaignPct = campaignMultiplierAt(rules.campaigns, record.paidAt ?? now);
    rate = effectiveRate(rules, tierStanding(member.tierValue, input.tiers).tier?.earnMultiplierPct ?? 100, campaignPct);
    pointsIfEarned = pointsForSubtotal(record.earnSubtotalMinor!, record.currency, rate);
  } else if (input.closed && record.earnVersion === null) {
    pointsIfEarned = 0;
  }
  const points = planOrderPoints(
    {
      subtotalMinor: record.earnSubtotalMinor,
      paid: record.paid,
      cancelled: record.cancelled,
      refundedMinor: record.refundedEarnMinor,
      earnDecided: record.earnVersion !== null,
      earned: record.earnedPoints,
      reversed: record.reversedPoints,
    },
    pointsIfEarned,
  );

  const entries: PlannedEntry[] = [];
  const label = record.name || `order ${record.orderId}`;
  if (points.earn > 0 && member) {
    const occurredAt = record.paidAt ?? now;
    const availableAt = availableAtFor(occurredAt, rules.pendingDays);
    entries.push({
      memberId: member.id,
      kind: "earn",
      points: points.earn,
      status: availableAt <= now ? "available" : "pending",
      availableAt,
      idempotencyKey: orderEarnKey(record.orderId),
      sourceType: "order",
      sourceId: record.orderId,
      programVersion: rules.version,
      rateNum: rate.num,
      rateDen: rate.den,
      reason: `Order ${label}`,
      occurredAt,
    });
  }
  // A reversal takes back from the earn entry (this event's, or an earlier one) and shares its
  // fate: still pending if those points are.
  const earn = input.earnEntry ?? entries[0] ?? null;
  if (points.reverse > 0 && earn) {
    const pending = earn.status === "pending" && earn.availableAt > now;
    entries.push({
      memberId: earn.memberId,
      kind: "reversal",
      points: -points.reverse,
      status: pending ? "pending" : "available",
      availableAt: pending ? earn.availableAt : now,
      idempotencyKey: `order:${record.orderId}:reversed-to:${points.next.reversed}`,
      sourceType: event.type === "refund" ? "refund" : "cancellation",
      sourceId: event.type === "refund" ? event.refundId : record.orderId,
      programVersion: earn.programVersion,
      rateNum: earn.rateNum,
      rateDen: earn.rateDen,
      reason: record.cancelled ? `Order ${label} cancelled` : `Order ${label} refunded`,
      occurredAt: event.type === "refund" ? event.createdAt : now,
    });
  }
  // The merchant's rule for points spent on an order that is then wholly refunded or cancelled.
  if (rules.returnSpentPointsOnRefund && orderUndone(record)) {
    for (const r of input.usedRedemptions) {
      entries.push({
        memberId: r.memberId,
        kind: "refund_of_redemption",
        points: r.pointsSpent,
        status: "available",
        availableAt: now,
        idempotencyKey: `redemption:${r.id}:returned`,
        sourceType: "redemption",
        sourceId: r.id,
        programVersion: null,
        rateNum: null,
        rateDen: null,
        reason: `Points returned: order ${label} was refunded`,
        occurredAt: now,
      });
    }
  }

  const decidedNow = points.next.earnDecided && record.earnVersion === null;
  return {
    entries,
    record: {
      ...record,
      earnedPoints: points.next.earned,
      reversedPoints: points.next.reversed,
      ...(decidedNow ? { earnVersion: rules.version, memberId: member?.id ?? null } : {}),
    },
  };
}

export const orderEarnKey = (orderId: string) => `order:${orderId}:earn`;

/** Wholly refunded or cancelled. */
export function orderUndone(record: Pick<OrderRecord, "cancelled" | "subtotalMinor" | "refundedMinor">): boolean {
  return (
    record.cancelled ||
    (record.subtotalMinor !== null && record.subtotalMinor > 0 && record.refundedMinor >= record.subtotalMinor)
  );
}
