// What shoppers see: the public program and a member's standing (contract §4).
import { formatMinorUnits } from "~/domain/money";
import { canSpend } from "~/domain/ledger";
import { tierStanding } from "~/domain/tiers";
import type { Db } from "~/db.server";
import { activeShop, currentRules } from "./shops.server";

// The public program changes rarely and is read on every storefront call: each server keeps it
// for a few seconds (a merchant's edit shows within PROGRAM_TTL_MS).
const PROGRAM_TTL_MS = 5_000;
const programCache = new Map<string, { at: number; value: Awaited<ReturnType<typeof loadProgram>> }>();

export async function publicProgram(db: Db, shopId: string) {
  const hit = programCache.get(shopId);
  if (hit && Date.now() - hit.at < PROGRAM_TTL_MS) return hit.value;
  const value = await loadProgram(db, shopId);
  if (programCache.size > 10_000) programCache.clear();
  programCache.set(shopId, { at: Date.now(), value });
  return value;
}

async function loadProgram(db: Db, shopId: string) {
  const shop = await activeShop(db, shopId);
  if (!shop) return null;
  const [rules, rewards, tiers] = await Promise.all([
    currentRules(db, shopId, shop.programVersion),
    db.reward.findMany({ where: { shopId, active: true }, orderBy: [{ position: "asc" }, { pointsCost: "asc" }] }),
    db.tier.findMany({ where: { shopId }, orderBy: { thresholdPoints: "asc" } }),
  ]);
  return {
    shop,
    summary: {
      currency: shop.currency,
      waysToEarn: [
        {
          type: "order",
          points: rules.earnRateNum,
          per: `${rules.earnRateDen} ${shop.currency}`,
          description: `Earn ${rules.earnRateNum} point${rules.earnRateNum === 1 ? "" : "s"} for every ${rules.earnRateDen === 1 ? "" : `${rules.earnRateDen} `}${shop.currency} spent`,
        },
      ],
      rewards: rewards.map((r) => ({
        id: r.id,
        name: r.name,
        type: r.type,
        pointsCost: r.pointsCost,
        value: r.valueMinor !== null ? formatMinorUnits(r.valueMinor, shop.currency) : null,
        percent: r.percent,
      })),
      tiers: tiers.map((t) => ({
        id: t.id,
        name: t.name,
        thresholdPoints: t.thresholdPoints,
        earnMultiplierPct: t.earnMultiplierPct,
      })),
    },
    tiers,
  };
}

export async function shopperView(db: Db, shopId: string, customerId: string | null) {
  const program = await publicProgram(db, shopId);
  if (!program) return null;
  const { summary, tiers } = program;
  const member = customerId ? await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } }) : null;
  if (!customerId) return { loggedIn: false, enrolled: false, ...summary };
  if (!member || member.state !== "active") {
    return { loggedIn: true, enrolled: false, customerId, ...summary };
  }
  const history = await db.ledgerEntry.findMany({
    where: { shopId, memberId: member.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 25,
    select: { id: true, kind: true, points: true, status: true, reason: true, createdAt: true },
  });
  const standing = tierStanding(member.lifetimeEarned, tiers);
  return {
    loggedIn: true,
    enrolled: true,
    customerId,
    points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned },
    tier: standing.tier && { id: standing.tier.id, name: standing.tier.name },
    nextTier: standing.next && { id: standing.next.tier.id, name: standing.next.tier.name, pointsToGo: standing.next.pointsToGo },
    referral: member.referralCode ? { code: member.referralCode, url: `https://${shopId}/?ref=${member.referralCode}` } : null,
    currency: summary.currency,
    waysToEarn: summary.waysToEarn,
    tiers: summary.tiers,
    rewards: summary.rewards.map((r) => ({ ...r, redeemable: canSpend(member.available, r.pointsCost) })),
    history: history.map((e) => ({
      id: e.id,
      type: e.kind,
      points: e.points,
      status: e.status,
      description: e.reason,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}
