// Referrals: a friend uses a member's referral code on their first paid order; the member earns
// `referrerPoints` once per friend, unless it is the member themself (same customer, email or
// shipping address). Runs inside the orders/paid transaction.
import { referralVerdict, rememberAddress } from "~/domain/referrals";
import { clubOpenTo, launchOf, tagList, type EarningRules } from "~/domain/program";
import type { OrderFacts } from "~/domain/orders";
import type { Tx } from "~/db.server";
import type { Ledger } from "./ledger.server";
import { addressHash, emailHash } from "./members.server";

export async function applyReferral(
  ledger: Ledger,
  shopId: string,
  order: OrderFacts,
  rules: EarningRules,
  actor: string,
  now: Date,
) {
  const { tx } = ledger;
  if (rules.referrerPoints <= 0 || !order.customer || order.discountCodes.length === 0) return;
  const codes = order.discountCodes.map((c) => c.toUpperCase());
  const referrer = await tx.member.findFirst({ where: { shopId, referralCode: { in: codes }, state: "active" } });
  // The club must be open to the referrer (a draft, a pilot without their tag, or an exclusion holds it back).
  if (!referrer || !clubOpenTo(launchOf(rules), { tags: tagList(referrer.tags), excluded: referrer.excludedAt !== null })) return;
  const refereeCustomerId = order.customer.customerId;
  const known = await tx.referral.findUnique({ where: { shopId_refereeCustomerId: { shopId, refereeCustomerId } } });
  if (known) return; // each referee rewards (or is refused) once
  // Paid before this one (webhooks arrive in any order, and a batch stores its orders first).
  const priorOrders = await tx.orderFact.count({
    where: { shopId, customerId: refereeCustomerId, paid: true, orderId: { not: order.orderId }, paidAt: { lt: order.paidAt } },
  });
  const verdict = referralVerdict({
    referrerCustomerId: referrer.customerId,
    refereeCustomerId,
    referrerEmailHash: referrer.emailHash,
    refereeEmailHash: emailHash(shopId, order.email),
    referrerAddressHashes: referrer.addressHashes ? referrer.addressHashes.split(",") : [],
    refereeAddressHash: addressHash(shopId, order.shippingAddress),
    refereePriorOrders: priorOrders,
  });
  const inserted = await tx.$executeRaw`
    INSERT INTO "Referral" ("shopId", "refereeCustomerId", "referrerMemberId", "orderId", "status", "reason", "createdAt", "paidAt")
    VALUES (${shopId}, ${refereeCustomerId}, ${referrer.id}, ${order.orderId}, ${verdict.reward ? "rewarded" : "rejected"}, ${verdict.reward ? null : verdict.reason}, ${now}, ${order.paidAt})
    ON CONFLICT DO NOTHING`;
  if (inserted !== 1 || !verdict.reward) return;
  await ledger.post({
    shopId,
    memberId: referrer.id,
    kind: "referral",
    points: rules.referrerPoints,
    status: "available",
    availableAt: now,
    idempotencyKey: `referral:${refereeCustomerId}`,
    sourceType: "referral",
    sourceId: order.orderId,
    programVersion: rules.version,
    actor,
    reason: "A friend you referred placed their first order",
    occurredAt: order.paidAt,
  });
}

/** Remembers where a member ships to (hashed), so a later "friend" at that address is recognised. */
export async function rememberShipping(tx: Tx, shopId: string, memberId: string, order: OrderFacts) {
  const hash = addressHash(shopId, order.shippingAddress);
  if (!hash) return;
  const member = await tx.member.findUniqueOrThrow({ where: { id: memberId }, select: { addressHashes: true } });
  const list = member.addressHashes ? member.addressHashes.split(",") : [];
  if (list[0] === hash) return;
  await tx.member.update({ where: { id: memberId }, data: { addressHashes: rememberAddress(list, hash).join(",") } });
}
