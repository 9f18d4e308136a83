// A member's loyalty data on their Shopify customer: app-owned metafields, namespace $app:loyalty
// (definitions in shopify.app.toml). An app-owned metafield cannot be blank, so a value that is
// not there (no tier, nothing expiring) is a metafield to delete, not one to write empty.
import { expiryReminder } from "./events";
import { TIER_VALUE_NOT_COMPUTED, tierStanding, type TierRule } from "./tiers";

export const LOYALTY_NAMESPACE = "$app:loyalty";
export const LOYALTY_KEYS = ["points_balance", "tier", "points_expiring", "points_expiring_on"] as const;
export type LoyaltyKey = (typeof LOYALTY_KEYS)[number];

export interface MetafieldValue {
  key: LoyaltyKey;
  type: "number_integer" | "single_line_text_field" | "date";
  value: string;
}

export interface MemberFacts {
  state: string;
  available: number;
  /** what the program measures tiers by (tierValueOf) */
  tierValue: number;
  lastActivityAt: Date | null;
}

/**
 * What points expire and when, if any: all that is available, `expiryDays` after the last
 * activity; `on` is that day on the shop's calendar (`timeZone`, the shop's).
 */
export function pointsExpiring(
  member: Pick<MemberFacts, "available" | "lastActivityAt">,
  expiryDays: number | null,
  timeZone = "UTC",
): { points: number; on: string } | null {
  if (expiryDays === null || member.available <= 0 || member.lastActivityAt === null) return null;
  return { points: member.available, on: expiryReminder(member.lastActivityAt, expiryDays, 0, timeZone).expiresOn };
}

/**
 * The metafields to write and the keys to delete. A member who left the club (opted out, erased)
 * keeps nothing.
 */
export function loyaltyMetafields(
  member: MemberFacts,
  tiers: readonly TierRule[],
  expiryDays: number | null,
  timeZone = "UTC",
): { set: MetafieldValue[]; remove: LoyaltyKey[] } {
  if (member.state !== "active") return { set: [], remove: [...LOYALTY_KEYS] };
  const set: MetafieldValue[] = [{ key: "points_balance", type: "number_integer", value: String(member.available) }];
  const remove: LoyaltyKey[] = [];
  // (a value still being computed in a new measure says nothing of the tier yet: left as it is)
  const tier = tierStanding(member.tierValue, tiers).tier;
  if (tier) set.push({ key: "tier", type: "single_line_text_field", value: tier.name });
  else if (member.tierValue !== TIER_VALUE_NOT_COMPUTED) remove.push("tier");
  const expiring = pointsExpiring(member, expiryDays, timeZone);
  if (expiring) {
    set.push({ key: "points_expiring", type: "number_integer", value: String(expiring.points) });
    set.push({ key: "points_expiring_on", type: "date", value: expiring.on });
  } else remove.push("points_expiring", "points_expiring_on");
  return { set, remove };
}
