// Spending points on a reward, without ever losing or double-spending them:
// reserve (debit + redemption row, one transaction, under the client's idempotency key) →
// create the discount in Shopify → confirm; if Shopify refuses or cannot be reached, release
// (points back, as a `refund_of_redemption` entry). A sweeper settles reservations a crash left open.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { clientDialect, type Db } from "~/db.server";
import { clubOpenTo, launchOf, tagList } from "~/domain/program";
import { rewardProblem } from "~/domain/rewards";
import { reachesTier } from "~/domain/tiers";
import {
  createRewardDiscount,
  discountRequest,
  findDiscountByCode,
  ShopifyRejectedError,
  ShopifyUnavailableError,
  ShopNotConnectedError,
  type AdminGraphql,
} from "~/shopify/discounts.server";
import { InsufficientPointsError, withLedger } from "./ledger.server";
import { recordRedeemed } from "./outbox.server";
import { currentRules, tierSetup } from "./shops.server";
import { memberTierStanding } from "./storefront.server";
import { errorText, log } from "~/log.server";

export class RedeemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RedemptionView {
  id: string;
  code: string;
  pointsSpent: number;
  status: string;
}

const view = (r: { id: string; code: string; pointsSpent: number; status: string }): RedemptionView => ({
  id: r.id,
  code: r.code,
  pointsSpent: r.pointsSpent,
  status: r.status,
});

function newCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const chars = Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join("");
  return `LC-${chars.slice(0, 5)}-${chars.slice(5)}`;
}

// A failed redemption keeps only a stable code; its key answers the same status and code every time.
const FAILURES = {
  shopify_unavailable: { status: 503, message: "Shopify could not be reached; your points are back, please try again" },
  discount_failed: { status: 502, message: "Shopify refused the discount; your points are back" },
} as const;
type Failure = keyof typeof FAILURES;

function failed(code: string | null): RedeemError {
  const known = code !== null && code in FAILURES ? (code as Failure) : "discount_failed";
  return new RedeemError(FAILURES[known].status, known, FAILURES[known].message);
}

/** What a redemption key answers for: the reward asked for. */
const requestHash = (rewardId: string) => createHash("sha256").update(`redeem\u0000${rewardId}`).digest("hex").slice(0, 32);

async function release(db: Db, redemptionId: string, failure: Failure): Promise<boolean> {
  return withLedger(db, async ({ tx, post }) => {
    const flipped = await tx.redemption.updateMany({
      where: { id: redemptionId, status: "reserved" },
      data: { status: "released", failure },
    });
    if (flipped.count !== 1) return false;
    const r = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    if (r.pointsSpent === 0) return true; // a prize or a gift: it cost no points
    await post({
      shopId: r.shopId,
      memberId: r.memberId,
      kind: "refund_of_redemption",
      points: r.pointsSpent,
      status: "available",
      availableAt: new Date(),
      idempotencyKey: `redemption:${r.id}:released`,
      sourceType: "redemption",
      sourceId: r.id,
      actor: "system:redemption",
      reason: `Points returned: the discount could not be created`,
      occurredAt: new Date(),
    });
    return true;
  });
}

/** The code exists in Shopify: the reservation becomes issued (once) and says so to the outbox. */
async function issue(db: Db, id: string, data: { discountId: string; expiresAt?: Date }) {
  return db.$transaction(async (tx) => {
    const flipped = await tx.redemption.updateMany({ where: { id, status: "reserved" }, data: { status: "issued", ...data } });
    const r = await tx.redemption.findUnique({ where: { id } });
    if (flipped.count === 1 && r) await recordRedeemed(tx, clientDialect(db), r);
    return r;
  });
}

export interface RedeemInput {
  shopId: string;
  customerId: string;
  rewardId: string;
  idempotencyKey: string;
}

export async function redeem(db: Db, graphql: () => Promise<AdminGraphql>, input: RedeemInput): Promise<RedemptionView> {
  const { shopId, customerId, rewardId, idempotencyKey } = input;
  const shop = await db.shop.findFirst({ where: { id: shopId, uninstalledAt: null } });
  if (!shop) throw new RedeemError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
  if (!member || member.state !== "active") throw new RedeemError(409, "not_enrolled", "join the loyalty club first");
  // A key seen before answers as it did the first time, whatever has changed since (Stripe's rule).
  const earlier = await db.redemption.findUnique({
    where: { shopId_memberId_idempotencyKey: { shopId, memberId: member.id, idempotencyKey } },
    select: { id: true },
  });
  if (earlier) return replay(db, shopId, member.id, idempotencyKey, rewardId);
  const rules = await currentRules(db, shopId, shop.programVersion);
  if (!clubOpenTo(launchOf(rules), { tags: tagList(member.tags), excluded: member.excludedAt !== null }))
    throw new RedeemError(403, "club_closed", "the loyalty club is not open to this customer yet");
  const reward = await db.reward.findFirst({ where: { id: rewardId, shopId, active: true } });
  if (!reward) throw new RedeemError(404, "reward_not_found", "no such reward");
  const problem = rewardProblem(reward);
  if (problem) throw new RedeemError(409, "reward_unavailable", `this reward cannot be issued: ${problem}`);
  if (reward.minTierId !== null) {
    // Tier-only: the member's tier as the storefront shows it, against the live tiers.
    const { entry, tiers } = await tierSetup(db, shopId);
    if (!reachesTier(memberTierStanding(member, entry, tiers).tier, reward.minTierId, tiers)) {
      const tier = tiers.find((t) => t.id === reward.minTierId);
      throw new RedeemError(
        403,
        "tier_required",
        tier ? `this reward is for members from the ${tier.name} tier up` : "this reward is not offered",
      );
    }
  }

  // Reserve: the redemption row and the debit commit together, or neither does.
  const id = `rd_${randomUUID()}`;
  const now = new Date();
  const hash = requestHash(rewardId);
  const reserved = await withLedger(db, async ({ tx, spend }) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "Redemption" ("id", "shopId", "memberId", "rewardId", "idempotencyKey", "requestHash", "pointsSpent", "status", "code", "createdAt", "updatedAt")
      VALUES (${id}, ${shopId}, ${member.id}, ${reward.id}, ${idempotencyKey}, ${hash}, ${reward.pointsCost}, 'reserved', ${newCode()}, ${now}, ${now})
      ON CONFLICT ("shopId", "memberId", "idempotencyKey") DO NOTHING`;
    if (inserted !== 1) return null;
    await spend({
      shopId,
      memberId: member.id,
      kind: "redeem",
      points: -reward.pointsCost,
      status: "available",
      availableAt: now,
      idempotencyKey: `redemption:${id}`,
      sourceType: "redemption",
      sourceId: id,
      actor: "shopper",
      reason: `Redeemed: ${reward.name}`,
      occurredAt: now,
    });
    return tx.redemption.findUniqueOrThrow({ where: { id } });
  }).catch((error) => {
    if (error instanceof InsufficientPointsError) {
      throw new RedeemError(409, "insufficient_points", `this reward costs ${reward.pointsCost} points`);
    }
    throw error;
  });

  // Another request with this key got there first.
  if (!reserved) return replay(db, shopId, member.id, idempotencyKey, rewardId);

  const endsAt = new Date(now.getTime() + reward.codeValidDays * 86_400_000);
  try {
    const request = discountRequest(reward, reserved.code, customerId, shop.currency, now, endsAt);
    const discountId = await createRewardDiscount(await graphql(), request);
    const issued = await issue(db, id, { discountId, expiresAt: endsAt });
    return view(issued!);
  } catch (error) {
    const code: Failure = error instanceof ShopifyRejectedError ? "discount_failed" : "shopify_unavailable";
    // What went wrong is for the operator's log, never for the shopper (it may name the shop or the database).
    log("warn", "redemption failed", { redemption: id, code, error: errorText(error) });
    await release(db, id, code);
    throw failed(code);
  }
}

export interface GrantInput {
  shopId: string;
  memberId: string;
  customerId: string;
  rewardId: string;
  /** one code per key, ever: e.g. `draw:<drawId>`, `birthday:<year>` */
  key: string;
  source: "draw" | "birthday";
}

/**
 * A reward given, not bought (a draw's prize, a birthday gift): a redemption that cost no points,
 * with its code created in Shopify like any other, so it is listed with the shopper's codes. Once
 * per key; a grant Shopify refused or could not take is tried again, with a new code, by the next
 * call. Answers the redemption (`issuedNow`: by this call), or null when Shopify failed this time (logged).
 */
export async function grantReward(
  db: Db,
  graphql: () => Promise<AdminGraphql>,
  input: GrantInput,
): Promise<{ redemption: RedemptionView; issuedNow: boolean } | null> {
  const { shopId, memberId, customerId, rewardId, key, source } = input;
  const shop = await db.shop.findFirst({ where: { id: shopId, uninstalledAt: null } });
  const reward = await db.reward.findFirst({ where: { id: rewardId, shopId } });
  if (!shop || !reward || rewardProblem(reward) !== null) return null;
  const now = new Date();
  const where = { shopId_memberId_idempotencyKey: { shopId, memberId, idempotencyKey: key } };
  const inserted = await db.$executeRaw`
    INSERT INTO "Redemption" ("id", "shopId", "memberId", "rewardId", "idempotencyKey", "requestHash", "pointsSpent", "status", "code", "source", "createdAt", "updatedAt")
    VALUES (${`rd_${randomUUID()}`}, ${shopId}, ${memberId}, ${reward.id}, ${key}, ${requestHash(reward.id)}, 0, 'reserved', ${newCode()}, ${source}, ${now}, ${now})
    ON CONFLICT ("shopId", "memberId", "idempotencyKey") DO NOTHING`;
  let row = await db.redemption.findUniqueOrThrow({ where });
  if (inserted !== 1) {
    if (row.status !== "released") return row.status === "reserved" ? null : { redemption: view(row), issuedNow: false };
    const retried = await db.redemption.updateMany({
      where: { id: row.id, status: "released" },
      data: { status: "reserved", failure: null, code: newCode() },
    });
    if (retried.count !== 1) return null;
    row = await db.redemption.findUniqueOrThrow({ where });
  }
  const endsAt = new Date(now.getTime() + reward.codeValidDays * 86_400_000);
  try {
    const discountId = await createRewardDiscount(
      await graphql(),
      discountRequest(reward, row.code, customerId, shop.currency, now, endsAt),
    );
    const issued = await db.redemption.update({
      where: { id: row.id },
      data: { status: "issued", discountId, expiresAt: endsAt },
    });
    return { redemption: view(issued), issuedNow: true };
  } catch (error) {
    const code: Failure = error instanceof ShopifyRejectedError ? "discount_failed" : "shopify_unavailable";
    log("warn", "granting a reward failed", { redemption: row.id, source, code, error: errorText(error) });
    await release(db, row.id, code);
    return null;
  }
}

/** The answer a key gave: its redemption, or its failure; refused for another reward. No second debit. */
async function replay(db: Db, shopId: string, memberId: string, idempotencyKey: string, rewardId: string) {
  const existing = await waitWhileReserved(db, shopId, memberId, idempotencyKey);
  if (existing.requestHash !== "" && existing.requestHash !== requestHash(rewardId)) {
    throw new RedeemError(422, "idempotency_key_reused", "this idempotency key was used for another reward; use a new key");
  }
  if (existing.status === "released") throw failed(existing.failure);
  return view(existing);
}

async function waitWhileReserved(db: Db, shopId: string, memberId: string, idempotencyKey: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await db.redemption.findUniqueOrThrow({
      where: { shopId_memberId_idempotencyKey: { shopId, memberId, idempotencyKey } },
    });
    if (r.status !== "reserved" || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Settles reservations older than `olderThanMs` (their request died between debit and answer):
 * issued if Shopify has the code, else released. Shopify unreachable: left for the next run.
 */
export async function settleStaleRedemptions(
  db: Db,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  olderThanMs = 120_000,
) {
  // Oldest first, page by page; a shop whose Shopify is unreachable is passed over for this run,
  // so its stuck rows never hold up another shop's.
  const unreachable = new Set<string>();
  let settled = 0;
  for (let page = 0; page < 50; page++) {
    const stale = await db.redemption.findMany({
      where: { status: "reserved", createdAt: { lt: new Date(Date.now() - olderThanMs) }, shopId: { notIn: [...unreachable] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 100,
    });
    if (stale.length === 0) break;
    const before = settled + unreachable.size;
    for (const r of stale) {
      if (unreachable.has(r.shopId)) continue;
      try {
        const discountId = await findDiscountByCode(await graphqlFor(r.shopId), r.code);
        if (discountId) {
          await issue(db, r.id, { discountId });
        } else {
          await release(db, r.id, "shopify_unavailable"); // interrupted before the discount was created
        }
        settled++;
      } catch (error) {
        if (!(error instanceof ShopifyUnavailableError || error instanceof ShopNotConnectedError))
          log("warn", "settling a redemption failed", { redemption: r.id, error: errorText(error) });
        unreachable.add(r.shopId);
      }
    }
    if (settled + unreachable.size === before) break; // nothing moved: the rest waits for the next run
  }
  return settled;
}

/** orders/paid: codes the order used mark their redemptions used, attributing the order. */
export async function markRedemptionsUsed(
  db: Db | Parameters<Parameters<Db["$transaction"]>[0]>[0],
  shopId: string,
  orderId: string,
  codes: string[],
) {
  if (codes.length === 0) return;
  await db.redemption.updateMany({
    where: { shopId, code: { in: codes.map((c) => c.toUpperCase()) }, status: "issued" },
    data: { status: "used", orderId },
  });
}
