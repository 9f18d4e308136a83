// Tiers: what a member reaches by what the program measures (points earned or amount spent, over
// their lifetime or a rolling 12 months), and the rules that follow from the tier reached.

export const TIER_MEASURES = ["points", "spend"] as const;
export type TierMeasure = (typeof TIER_MEASURES)[number];
export const TIER_PERIODS = ["lifetime", "rolling_12_months"] as const;
export type TierPeriod = (typeof TIER_PERIODS)[number];

/** How tiers are entered: by what, over what time. */
export interface TierEntry {
  measure: TierMeasure;
  period: TierPeriod;
}

export const DEFAULT_TIER_ENTRY: TierEntry = { measure: "points", period: "lifetime" };

/**
 * Whether the ledger's own lifetime column is the measure (points over the lifetime): then the
 * member's tier value is `lifetimeEarned`, kept with every posting. Any other entry keeps the value
 * in `Member.tierValue`, computed from the ledger or the orders (app/models/tier-values.server.ts).
 */
export const measuredByLifetimePoints = (entry: TierEntry) => entry.measure === "points" && entry.period === "lifetime";

/** A tier as the rules see it: `threshold` is in the unit of the program's measure (points, or minor units spent). */
export interface TierRule {
  id: string;
  name: string;
  threshold: number;
  earnMultiplierPct: number;
}

/** A stored tier as a rule under the program's measure. */
export function tierRuleOf<T extends { thresholdPoints: number; thresholdSpendMinor: number }>(
  row: T,
  entry: TierEntry,
): Omit<T, "thresholdPoints" | "thresholdSpendMinor"> & { threshold: number } {
  const { thresholdPoints, thresholdSpendMinor, ...rest } = row;
  return { ...rest, threshold: entry.measure === "spend" ? thresholdSpendMinor : thresholdPoints };
}

/**
 * A member's tier value while it is being computed in a new measure (the program changed how tiers
 * are reached): below every threshold, and neither tags nor metafields are written from it.
 */
export const TIER_VALUE_NOT_COMPUTED = -1;

/** The Member column that holds the value tiers are decided by. */
export const tierValueColumn = (entry: TierEntry): "lifetimeEarned" | "tierValue" =>
  measuredByLifetimePoints(entry) ? "lifetimeEarned" : "tierValue";

/** The value a member's tier is decided by. */
export function tierValueOf(member: { lifetimeEarned: number; tierValue: number }, entry: TierEntry): number {
  return member[tierValueColumn(entry)];
}

export interface TierStanding {
  tier: TierRule | null;
  /** the next tier and how much more of the measure reaches it (points, or minor units to spend) */
  next: { tier: TierRule; toGo: number } | null;
}

/** The highest tier whose threshold the value reaches, and the one after it. */
export function tierStanding(value: number, tiers: readonly TierRule[]): TierStanding {
  const sorted = [...tiers].sort((a, b) => a.threshold - b.threshold);
  let tier: TierRule | null = null;
  let next: TierStanding["next"] = null;
  for (const candidate of sorted) {
    if (value >= candidate.threshold) tier = candidate;
    else {
      next = { tier: candidate, toGo: candidate.threshold - value };
      break;
    }
  }
  return { tier, next };
}

/** The next tier as the storefront, checkout and customer account are told it. */
export function nextTierView(standing: TierStanding, entry: TierEntry) {
  if (!standing.next) return null;
  const { tier, toGo } = standing.next;
  return entry.measure === "spend"
    ? { id: tier.id, name: tier.name, spendToGoMinor: toGo }
    : { id: tier.id, name: tier.name, pointsToGo: toGo };
}

const MONTHS = 12;

/** The start of the rolling window at `now`: what was earned or paid from then on counts (12 calendar months back, UTC). */
export function windowStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - MONTHS);
  return d;
}

/** When something earned or paid at `at` stops counting in the rolling window. */
export function leavesWindowAt(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() + MONTHS);
  return d;
}

/** The customer tag that names a member's tier in Shopify (segments, flows and emails can use it). */
export const TIER_TAG_PREFIX = "loyalty-tier:";
export const tierTag = (tierName: string) => `${TIER_TAG_PREFIX}${tierName}`;

/**
 * The tier a member's Shopify customer should be tagged with: their tier while they take part,
 * none once they opted out or were redacted ("" = no tier).
 */
export function wantedTierTag(member: { state: string; tierValue: number }, tiers: readonly TierRule[]): string {
  if (member.state !== "active") return "";
  return tierStanding(member.tierValue, tiers).tier?.name ?? "";
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
  return tier.id === required.id || tier.threshold > required.threshold;
}
