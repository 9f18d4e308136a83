export interface TierRule {
  id: string;
  name: string;
  thresholdPoints: number;
  earnMultiplierPct: number;
}

export interface TierStanding {
  tier: TierRule | null;
  next: { tier: TierRule; pointsToGo: number } | null;
}

/** The highest tier whose threshold the lifetime points reach, and the one after it. */
export function tierStanding(lifetimePoints: number, tiers: readonly TierRule[]): TierStanding {
  const sorted = [...tiers].sort((a, b) => a.thresholdPoints - b.thresholdPoints);
  let tier: TierRule | null = null;
  let next: TierStanding["next"] = null;
  for (const candidate of sorted) {
    if (lifetimePoints >= candidate.thresholdPoints) tier = candidate;
    else {
      next = { tier: candidate, pointsToGo: candidate.thresholdPoints - lifetimePoints };
      break;
    }
  }
  return { tier, next };
}

/** The customer tag that names a member's tier in Shopify (segments, flows and emails can use it). */
export const TIER_TAG_PREFIX = "loyalty-tier:";
export const tierTag = (tierName: string) => `${TIER_TAG_PREFIX}${tierName}`;

/**
 * The tier a member's Shopify customer should be tagged with: their tier while they take part,
 * none once they opted out or were redacted ("" = no tier).
 */
export function wantedTierTag(member: { state: string; lifetimeEarned: number }, tiers: readonly TierRule[]): string {
  if (member.state !== "active") return "";
  return tierStanding(member.lifetimeEarned, tiers).tier?.name ?? "";
}

/**
 * The tags to remove and add to go from the tier last written (`null`: never written, taken as
 * none: the app has put no tag there) to the tier wanted. Nothing when they agree.
 */
export function tierTagChange(written: string | null, wanted: string): { remove: string[]; add: string[] } {
  const current = written ?? "";
  if (current === wanted) return { remove: [], add: [] };
  return { remove: current ? [tierTag(current)] : [], add: wanted ? [tierTag(wanted)] : [] };
}

/**
 * Whether a member in `tier` (null: none yet) may have what is kept for the tier `requiredId`:
 * they are in it or in a higher one. A tier `tiers` does not list (archived) is reached by no one.
 */
export function reachesTier(tier: TierRule | null, requiredId: string, tiers: readonly TierRule[]): boolean {
  const required = tiers.find((t) => t.id === requiredId);
  if (!required || !tier) return false;
  return tier.id === required.id || tier.thresholdPoints > required.thresholdPoints;
}
