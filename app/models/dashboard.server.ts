// Figures for the admin home (the club at a glance, the setup guide) and the System page.
import type { Db } from "~/db.server";
import type { LaunchState } from "~/domain/program";
import type { SetupStep } from "~/domain/setup";
import { arrivalsWaiting } from "~/webhooks/arrivals.server";

const DAY = 86_400_000;

/** The club at a glance: totals now, and the last 30 days against the 30 before. */
export async function glance(db: Db, shopId: string, now = new Date()) {
  const last = { gte: new Date(now.getTime() - 30 * DAY), lt: now };
  const before = { gte: new Date(now.getTime() - 60 * DAY), lt: last.gte };
  const issuedKinds = ["earn", "bonus", "referral"];
  const [
    issuedTotal,
    members,
    balances,
    redemptions,
    joined,
    joinedBefore,
    issued,
    issuedBefore,
    redeemed,
    redeemedBefore,
    orders,
    memberOrders,
  ] = await Promise.all([
    db.ledgerEntry.aggregate({ where: { shopId, kind: { in: issuedKinds } }, _sum: { points: true } }),
    db.member.count({ where: { shopId, state: "active" } }),
    db.member.aggregate({ where: { shopId }, _sum: { available: true, pending: true } }),
    db.redemption.count({ where: { shopId, status: { in: ["issued", "used"] } } }),
    db.member.count({ where: { shopId, state: "active", enrolledAt: last } }),
    db.member.count({ where: { shopId, state: "active", enrolledAt: before } }),
    db.ledgerEntry.aggregate({ where: { shopId, kind: { in: issuedKinds }, createdAt: last }, _sum: { points: true } }),
    db.ledgerEntry.aggregate({ where: { shopId, kind: { in: issuedKinds }, createdAt: before }, _sum: { points: true } }),
    db.redemption.count({ where: { shopId, status: { in: ["issued", "used"] }, createdAt: last } }),
    db.redemption.count({ where: { shopId, status: { in: ["issued", "used"] }, createdAt: before } }),
    db.orderFact.count({ where: { shopId, paid: true } }),
    db.orderFact.count({ where: { shopId, paid: true, memberId: { not: null } } }),
  ]);
  return {
    members,
    pointsIssued: issuedTotal._sum.points ?? 0,
    pointsOutstanding: (balances._sum.available ?? 0) + (balances._sum.pending ?? 0),
    pointsPending: balances._sum.pending ?? 0,
    redemptions,
    orders,
    memberOrders,
    last30: { joined, pointsIssued: issued._sum.points ?? 0, redemptions: redeemed },
    previous30: { joined: joinedBefore, pointsIssued: issuedBefore._sum.points ?? 0, redemptions: redeemedBefore },
  };
}

/** The setup guide: steps done (seen in the data, or marked by the merchant), and whether it was dismissed. */
export async function setupGuide(db: Db, shopId: string) {
  // (On the very first request the shop's row may still be being created.)
  const shop = (await db.shop.findUnique({ where: { id: shopId }, select: { setupGuide: true, programVersion: true } })) ?? {
    setupGuide: "",
    programVersion: 1,
  };
  const marked = new Set(shop.setupGuide.split(",").filter(Boolean));
  const [versions, rewards, tiers, imported, current, piloted] = await Promise.all([
    db.programVersion.count({ where: { shopId } }),
    db.reward.count({ where: { shopId } }),
    db.tier.count({ where: { shopId, active: true } }),
    db.ledgerEntry.count({ where: { shopId, kind: "import" }, take: 1 }),
    db.programVersion.findUnique({
      where: { shopId_version: { shopId, version: shop.programVersion } },
      select: { launchState: true, pilotTag: true },
    }),
    db.programVersion.count({ where: { shopId, launchState: "pilot" }, take: 1 }),
  ]);
  const launch = { state: (current?.launchState ?? "live") as LaunchState, pilotTag: current?.pilotTag ?? "" };
  const done: Record<SetupStep, boolean> = {
    program: versions > 1 || marked.has("program"),
    rewards: rewards > 1 || marked.has("rewards"),
    tiers: tiers > 0 || marked.has("tiers"),
    members: imported > 0 || marked.has("members"),
    // Whether the theme has the embed on is the theme's business (its settings); the merchant says so.
    embed: marked.has("embed"),
    pilot: piloted > 0 || marked.has("pilot"),
    launch: (versions > 1 && launch.state === "live") || marked.has("launch"),
  };
  return { dismissed: marked.has("dismissed"), done, launch };
}

/** Marks a step done, or the guide dismissed (kept on the shop, so every staff member sees the same). */
export async function markSetup(db: Db, shopId: string, mark: SetupStep | "dismissed" | "shown") {
  await db.$transaction(async (tx) => {
    const shop = await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { setupGuide: true } });
    const marks = new Set(shop.setupGuide.split(",").filter(Boolean));
    if (mark === "shown") marks.delete("dismissed");
    else marks.add(mark);
    await tx.shop.update({ where: { id: shopId }, data: { setupGuide: [...marks].join(",") } });
  });
}

/** The webhook pipeline as the System page shows it. */
export async function systemStatus(db: Db, shopId: string) {
  const [recent, dead, deadCount, open] = await Promise.all([
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
  return {
    recent: recent.map((j) => ({
      ...j,
      receivedAt: j.receivedAt.toISOString(),
      processedAt: j.processedAt?.toISOString() ?? null,
    })),
    deadLetters: { count: deadCount, latest: dead.map((j) => ({ ...j, receivedAt: j.receivedAt.toISOString() })) },
    // On SQLite the door's arrivals not yet moved into the queue are open too (ADR 0022).
    inboxOpen: open + arrivalsWaiting(db, shopId).count,
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
