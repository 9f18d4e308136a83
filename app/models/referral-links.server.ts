import type { Db } from "~/db.server";
import {
  createRewardDiscount,
  findDiscountByCode,
  referralDiscountRequest,
  ShopifyRejectedError,
  type AdminGraphql,
} from "~/shopify/discounts.server";
import { recordReferralActivity } from "./analytics.server";
import { activeShop, currentRules } from "./shops.server";

const ensured = new Set<string>();

/** Creates the friend's discount for a referral code the first time a friend arrives with it. */
export async function ensureReferralDiscount(db: Db, graphql: () => Promise<AdminGraphql>, shopId: string, code: string) {
  const shop = await activeShop(db, shopId);
  if (!shop) return { status: 404, error: "shop_not_found", message: "this shop has not installed Loyalty Club" } as const;
  const member = await db.member.findFirst({ where: { shopId, referralCode: code, state: "active" } });
  if (!member) return { status: 404, error: "referral_not_found", message: "no such referral code" } as const;
  const rules = await currentRules(db, shopId, shop.programVersion);
  const key = `${shopId}\u0000${code}`;
  if (!ensured.has(key)) {
    try {
      const client = await graphql();
      if (!(await findDiscountByCode(client, code)))
        await createRewardDiscount(client, referralDiscountRequest(code, rules.refereePercent, new Date()));
      ensured.add(key);
    } catch (error) {
      if (error instanceof ShopifyRejectedError && /unique|taken/i.test(error.message)) ensured.add(key);
      else return { status: 503, error: "shopify_unavailable", message: "try again shortly" } as const;
    }
  }
  return { status: 200, percent: rules.refereePercent } as const;
}

/** A visit through a referral link (GET /proxy/referral): the friend's discount, and the open counted for analytics. */
export async function openReferralLink(db: Db, graphql: () => Promise<AdminGraphql>, shopId: string, code: string) {
  const result = await ensureReferralDiscount(db, graphql, shopId, code);
  if (result.status === 200) await recordReferralActivity(db, shopId, "opened");
  return result;
}

/** The launcher's beacon: a member copied or shared their referral link (POST /proxy/referral/shared). */
export async function recordReferralShare(db: Db, shopId: string, customerId: string) {
  const member = await db.member.findUnique({
    where: { shopId_customerId: { shopId, customerId } },
    select: { state: true, referralCode: true },
  });
  if (!member || member.state !== "active" || !member.referralCode)
    return { status: 404, error: "not_a_member", message: "only a member has a referral link to share" } as const;
  await recordReferralActivity(db, shopId, "shared");
  return { status: 200 } as const;
}
