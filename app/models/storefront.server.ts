// What shoppers see: the public program and a member's standing (contract §4).
import { currencyExponent, formatMinorUnits } from "~/domain/money";
import { canSpend } from "~/domain/ledger";
import { rewardProblem } from "~/domain/rewards";
import { tierStanding } from "~/domain/tiers";
import type { Db } from "~/db.server";
import { clubOpenTo, launchOf, tagList } from "~/domain/program";
import type { TagLookup } from "./members.server";
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
    db.tier.findMany({ where: { shopId, active: true }, orderBy: { thresholdPoints: "asc" } }),
  ]);
  return {
    shop,
    launch: launchOf(rules),
    summary: {
      club: "open" as const,
      currency: shop.currency,
      waysToEarn: [
        {
          type: "order",
          points: rules.earnRateNum,
          per: `${rules.earnRateDen} ${shop.currency}`,
          spend: formatMinorUnits(rules.earnRateDen * 10 ** currencyExponent(shop.currency), shop.currency),
          description: `Earn ${rules.earnRateNum} point${rules.earnRateNum === 1 ? "" : "s"} for every ${rules.earnRateDen === 1 ? "" : `${rules.earnRateDen} `}${shop.currency} spent`,
        },
      ],
      rewards: rewards
        .filter((r) => rewardProblem(r) === null)
        .map((r) => ({
          id: r.id,
          name: r.name,
          type: r.type,
          pointsCost: r.pointsCost,
          value: r.valueMinor !== null ? formatMinorUnits(r.valueMinor, shop.currency) : null,
          percent: r.percent,
          maximum: r.maxDiscountMinor !== null ? formatMinorUnits(r.maxDiscountMinor, shop.currency) : null,
          minimumSubtotal: r.minimumSubtotalMinor ? formatMinorUnits(r.minimumSubtotalMinor, shop.currency) : null,
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

interface StandingRow {
  state: string;
  tags: string;
  excludedAt: Date | string | null;
  available: number;
  pending: number;
  lifetimeEarned: number;
  referralCode: string | null;
  entryId: string | null;
  kind: string | null;
  points: number | null;
  status: string | null;
  reason: string | null;
  createdAt: Date | string | null;
}

const HISTORY_LENGTH = 25;

/**
 * A member's balances and latest history in one round trip (the storefront's hottest read).
 * The member is looked up once (a scalar subquery, planned as an init step on PostgreSQL and
 * SQLite alike) and the history is read from the (memberId, createdAt) index, newest first.
 * Releases of pending points are folded into the entry they complete (shown available).
 */
async function memberStanding(db: Db, shopId: string, customerId: string) {
  const rows = await db.$queryRaw<StandingRow[]>`
    WITH m AS (
      SELECT "id", "state", "available", "pending", "lifetimeEarned", "referralCode", "tags", "excludedAt"
      FROM "Member" WHERE "shopId" = ${shopId} AND "customerId" = ${customerId}
    )
    SELECT m."state", m."available", m."pending", m."lifetimeEarned", m."referralCode", m."tags", m."excludedAt",
           e."id" AS "entryId", e."kind", e."points", e."status", e."reason", e."createdAt"
    FROM m LEFT JOIN (
      SELECT "id", "kind", "points", "reason", "createdAt",
             CASE WHEN "status" = 'pending' AND EXISTS (
               SELECT 1 FROM "LedgerEntry" "r" WHERE "r"."shopId" = ${shopId} AND "r"."idempotencyKey" = 'release:' || "LedgerEntry"."id"
             ) THEN 'available' ELSE "status" END AS "status"
      FROM "LedgerEntry"
      WHERE "memberId" = (SELECT "id" FROM m) AND "shopId" = ${shopId} AND "kind" <> 'release'
      ORDER BY "createdAt" DESC, "id" DESC
      LIMIT ${HISTORY_LENGTH}
    ) e ON 1 = 1
    ORDER BY e."createdAt" DESC, e."id" DESC`;
  const first = rows[0];
  if (!first) return null;
  return {
    member: {
      state: first.state,
      available: Number(first.available),
      pending: Number(first.pending),
      lifetimeEarned: Number(first.lifetimeEarned),
      referralCode: first.referralCode,
      tags: first.tags,
      excluded: first.excludedAt !== null,
    },
    history: rows
      .filter((r) => r.entryId !== null)
      .map((r) => ({
        id: r.entryId!,
        type: r.kind!,
        points: Number(r.points),
        status: r.status!,
        description: r.reason,
        createdAt: new Date(r.createdAt!).toISOString(),
      })),
  };
}

/** What the storefront says to someone the launch state keeps out: nothing about the program. */
const closed = (loggedIn: boolean, currency: string) => ({ loggedIn, enrolled: false, club: "closed" as const, currency });

/**
 * A shopper's view. Before launch (draft) it says nothing; in a pilot it speaks only to customers
 * with the pilot tag: a member's tags are known, someone not yet seen is asked about with
 * `lookupTags` (Shopify) — without it, they are kept out.
 */
export async function shopperView(db: Db, shopId: string, customerId: string | null, lookupTags?: TagLookup) {
  const program = await publicProgram(db, shopId);
  if (!program) return null;
  const { summary, tiers, launch } = program;
  const live = launch.state === "live";
  if (!customerId) return live ? { loggedIn: false, enrolled: false, ...summary } : closed(false, summary.currency);
  const standing = await memberStanding(db, shopId, customerId);
  if (!live || standing?.member.excluded) {
    const tags = standing ? tagList(standing.member.tags) : ((await lookupTags?.(customerId)) ?? null);
    if (!clubOpenTo(launch, { tags, excluded: standing?.member.excluded ?? false })) return closed(true, summary.currency);
  }
  if (!standing || standing.member.state !== "active") {
    return { loggedIn: true, enrolled: false, customerId, ...summary };
  }
  const { member, history } = standing;
  const tier = tierStanding(member.lifetimeEarned, tiers);
  return {
    loggedIn: true,
    enrolled: true,
    club: "open" as const,
    customerId,
    points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned },
    tier: tier.tier && { id: tier.tier.id, name: tier.tier.name, earnMultiplierPct: tier.tier.earnMultiplierPct },
    nextTier: tier.next && { id: tier.next.tier.id, name: tier.next.tier.name, pointsToGo: tier.next.pointsToGo },
    referral: member.referralCode ? { code: member.referralCode, url: `https://${shopId}/?ref=${member.referralCode}` } : null,
    currency: summary.currency,
    waysToEarn: summary.waysToEarn,
    tiers: summary.tiers,
    rewards: summary.rewards.map((r) => ({ ...r, redeemable: canSpend(member.available, r.pointsCost) })),
    history,
  };
}

/** GET /proxy/program: the public program once live; before that, nothing but that it is closed. */
export async function programSummary(db: Db, shopId: string) {
  const program = await publicProgram(db, shopId);
  if (!program) return null;
  return program.launch.state === "live" ? program.summary : closed(false, program.summary.currency);
}
