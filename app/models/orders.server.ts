// Order facts and the points they move. Every order webhook (paid, cancelled, refund) goes
// through applyOrderEvent: facts are merged under a row lock on the order, then the pure
// planOrderPoints says what to write. Delivery order and repeats cannot change the outcome.
import { availableAtFor, effectiveRate, pointsForSubtotal } from "~/domain/program";
import { planOrderPoints } from "~/domain/orders";
import { tierStanding } from "~/domain/tiers";
import type { Db, Tx } from "~/db.server";
import { postEntry } from "./ledger.server";
import { ensureMember, type CustomerIdentity } from "./members.server";
import { markRedemptionsUsed } from "./redemptions.server";
import { applyReferral, rememberShipping } from "./referrals.server";
import type { AddressParts } from "~/domain/referrals";
import { currentRules } from "./shops.server";

export interface OrderFacts {
  orderId: string;
  name: string;
  customer: CustomerIdentity | null;
  currency: string;
  subtotalMinor: number;
  presentmentCurrency: string | null;
  discountCodes: string[];
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
  | { type: "refund"; orderId: string; refundId: string; subtotalMinor: number; createdAt: Date };

async function lockOrder(tx: Tx, shopId: string, orderId: string, facts: Record<string, unknown>) {
  const now = new Date();
  // Create-if-absent then an UPDATE: the UPDATE holds the row lock (PostgreSQL) until commit,
  // so two deliveries about one order are applied one after the other.
  await tx.$executeRaw`
    INSERT INTO "OrderFact" ("shopId", "orderId", "updatedAt") VALUES (${shopId}, ${orderId}, ${now})
    ON CONFLICT DO NOTHING`;
  return tx.orderFact.update({
    where: { shopId_orderId: { shopId, orderId } },
    data: { ...facts, lockVersion: { increment: 1 } },
  });
}

function factsUpdate(order: OrderFacts) {
  return {
    name: order.name,
    customerId: order.customer?.customerId ?? null,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    presentmentCurrency: order.presentmentCurrency,
    discountCodes: order.discountCodes.join(","),
    test: order.test,
    orderCreatedAt: order.createdAt,
  };
}

export async function applyOrderEvent(db: Db, shopId: string, event: OrderEvent, actor: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    const shop = await tx.shop.findUniqueOrThrow({ where: { id: shopId } });
    const orderId = event.type === "refund" ? event.orderId : event.order.orderId;
    const paid = event.type === "paid" || (event.type === "cancelled" && event.wasPaid);
    let fact = await lockOrder(
      tx,
      shopId,
      orderId,
      event.type === "refund"
        ? {}
        : {
            ...factsUpdate(event.order),
            ...(paid ? { paid: true, paidAt: event.order.paidAt } : {}),
            ...(event.type === "cancelled" ? { cancelled: true } : {}),
          },
    );

    if (event.type === "refund") {
      const seen = await tx.orderRefund.findUnique({
        where: { shopId_refundId: { shopId, refundId: event.refundId } },
      });
      if (!seen) {
        await tx.orderRefund.create({
          data: { shopId, refundId: event.refundId, orderId, subtotalMinor: event.subtotalMinor, createdAt: event.createdAt },
        });
        fact = await tx.orderFact.update({
          where: { shopId_orderId: { shopId, orderId } },
          data: { refundedMinor: { increment: event.subtotalMinor } },
        });
      }
    }

    // Who earns: the order's customer, enrolled on their first paid order.
    const rules = await currentRules(tx, shopId, fact.earnVersion ?? shop.programVersion);
    let member = null;
    const customer = event.type === "refund" ? null : event.order.customer;
    if (fact.memberId) {
      member = await tx.member.findUnique({ where: { id: fact.memberId } });
    } else if (fact.customerId && fact.paid && fact.earnVersion === null) {
      const existing = await tx.member.findUnique({
        where: { shopId_customerId: { shopId, customerId: fact.customerId } },
      });
      member =
        existing ?? (rules.autoEnroll ? await ensureMember(tx, shopId, customer ?? { customerId: fact.customerId }) : null);
    }

    let pointsIfEarned: number | null = null;
    let rate = effectiveRate(rules);
    if (member && member.state === "active" && fact.subtotalMinor !== null && fact.earnVersion === null) {
      const tiers = await tx.tier.findMany({ where: { shopId } });
      const standing = tierStanding(member.lifetimeEarned, tiers);
      rate = effectiveRate(rules, standing.tier?.earnMultiplierPct ?? 100);
      pointsIfEarned = pointsForSubtotal(fact.subtotalMinor, fact.currency, rate);
    }

    const plan = planOrderPoints(
      {
        subtotalMinor: fact.subtotalMinor,
        paid: fact.paid,
        cancelled: fact.cancelled,
        refundedMinor: fact.refundedMinor,
        earnDecided: fact.earnVersion !== null,
        earned: fact.earnedPoints,
        reversed: fact.reversedPoints,
      },
      pointsIfEarned,
    );

    const label = fact.name || `order ${orderId}`;
    const earnKey = `order:${orderId}:earn`;
    if (plan.earn > 0 && member) {
      const occurredAt = fact.paidAt ?? now;
      const availableAt = availableAtFor(occurredAt, rules.pendingDays);
      await postEntry(tx, {
        shopId,
        memberId: member.id,
        kind: "earn",
        points: plan.earn,
        status: availableAt <= now ? "available" : "pending",
        availableAt,
        idempotencyKey: earnKey,
        sourceType: "order",
        sourceId: orderId,
        programVersion: rules.version,
        rateNum: rate.num,
        rateDen: rate.den,
        actor,
        reason: `Order ${label}`,
        occurredAt,
      });
    }
    if (plan.reverse > 0 && (member || fact.memberId)) {
      const earn = await tx.ledgerEntry.findUnique({
        where: { shopId_idempotencyKey: { shopId, idempotencyKey: earnKey } },
      });
      if (earn) {
        // A reversal shares the fate of the points it takes back: still pending if they are.
        const pending = earn.status === "pending" && earn.availableAt > now;
        await postEntry(tx, {
          shopId,
          memberId: earn.memberId,
          kind: "reversal",
          points: -plan.reverse,
          status: pending ? "pending" : "available",
          availableAt: pending ? earn.availableAt : now,
          idempotencyKey: `order:${orderId}:reversed-to:${plan.next.reversed}`,
          sourceType: event.type === "refund" ? "refund" : "cancellation",
          sourceId: event.type === "refund" ? event.refundId : orderId,
          programVersion: earn.programVersion,
          rateNum: earn.rateNum,
          rateDen: earn.rateDen,
          actor,
          reason: fact.cancelled ? `Order ${label} cancelled` : `Order ${label} refunded`,
          occurredAt: event.type === "refund" ? event.createdAt : now,
        });
      }
    }

    if (paid) {
      await markRedemptionsUsed(tx, shopId, orderId, event.order.discountCodes);
      if (event.type === "paid") {
        await applyReferral(tx, shopId, event.order, rules, actor, now);
        if (member && member.state === "active") await rememberShipping(tx, shopId, member.id, event.order);
      }
    }
    // The merchant's rule for points spent on an order that is then wholly refunded or cancelled.
    const undone =
      fact.cancelled || (fact.subtotalMinor !== null && fact.subtotalMinor > 0 && fact.refundedMinor >= fact.subtotalMinor);
    if (undone && rules.returnSpentPointsOnRefund) {
      for (const r of await tx.redemption.findMany({ where: { shopId, orderId, status: "used" } })) {
        await postEntry(tx, {
          shopId,
          memberId: r.memberId,
          kind: "refund_of_redemption",
          points: r.pointsSpent,
          status: "available",
          availableAt: now,
          idempotencyKey: `redemption:${r.id}:returned`,
          sourceType: "redemption",
          sourceId: r.id,
          actor,
          reason: `Points returned: order ${label} was refunded`,
          occurredAt: now,
        });
      }
    }

    await tx.orderFact.update({
      where: { shopId_orderId: { shopId, orderId } },
      data: {
        earnedPoints: plan.next.earned,
        reversedPoints: plan.next.reversed,
        ...(plan.next.earnDecided && fact.earnVersion === null
          ? { earnVersion: rules.version, memberId: member?.id ?? null }
          : {}),
      },
    });
    return plan;
  });
}
