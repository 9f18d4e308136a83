// Figures for the admin home.
import type { Db } from "~/db.server";

export async function dashboard(db: Db, shopId: string) {
  const [members, byKind, balances, orders, memberOrders, recent, dead, deadCount, open] = await Promise.all([
    db.member.count({ where: { shopId, state: "active" } }),
    db.ledgerEntry.groupBy({ by: ["kind"], where: { shopId }, _sum: { points: true } }),
    db.member.aggregate({ where: { shopId }, _sum: { available: true, pending: true } }),
    db.orderFact.count({ where: { shopId, paid: true } }),
    db.orderFact.count({ where: { shopId, paid: true, memberId: { not: null } } }),
    db.webhookJob.findMany({
      where: { shopId, status: { in: ["done", "skipped", "dead"] } },
      orderBy: [{ processedAt: "desc" }, { id: "desc" }],
      take: 10,
      select: { id: true, topic: true, status: true, attempts: true, receivedAt: true, processedAt: true, lastError: true },
    }),
    db.webhookJob.findMany({
      where: { shopId, status: "dead" },
      orderBy: { id: "desc" },
      take: 10,
      select: { id: true, topic: true, attempts: true, receivedAt: true, lastError: true },
    }),
    db.webhookJob.count({ where: { shopId, status: "dead" } }),
    db.webhookJob.count({ where: { shopId, status: { in: ["pending", "processing"] } } }),
  ]);
  const sum = (kind: string) => byKind.find((k) => k.kind === kind)?._sum.points ?? 0;
  const issued = sum("earn") + sum("bonus") + sum("referral");
  return {
    members,
    pointsIssued: issued,
    // (+ 0 turns a -0 of an empty sum into 0)
    pointsReversed: -sum("reversal") + 0,
    pointsRedeemed: -sum("redeem") - sum("refund_of_redemption") + 0,
    pointsOutstanding: (balances._sum.available ?? 0) + (balances._sum.pending ?? 0),
    pointsPending: balances._sum.pending ?? 0,
    orders,
    memberOrders,
    recent: recent.map((j) => ({
      ...j,
      receivedAt: j.receivedAt.toISOString(),
      processedAt: j.processedAt?.toISOString() ?? null,
    })),
    deadLetters: { count: deadCount, latest: dead.map((j) => ({ ...j, receivedAt: j.receivedAt.toISOString() })) },
    inboxOpen: open,
  };
}

/** Puts a dead letter back in the queue (the merchant's "Retry"). */
export async function retryDeadLetter(db: Db, shopId: string, jobId: number): Promise<boolean> {
  const { count } = await db.webhookJob.updateMany({
    where: { id: jobId, shopId, status: "dead", payload: { not: null } },
    data: { status: "pending", attempts: 0, runAt: new Date(), lastError: null },
  });
  return count === 1;
}
