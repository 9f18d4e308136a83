// Wording shared by the extensions: names in the shopper's language where the merchant gave one,
// numbers in the locale's digits, and what stands between a reward and this order.
import type { HistoryItem, Me, Reward } from "./client";

export interface Localised {
  translate(key: string, replacements?: Record<string, string | number>): string;
  /** A key with plural forms, chosen by `count`, with the count in the locale's digits as {{points}}. */
  points(key: string, count: number, replacements?: Record<string, string>): string;
  formatNumber(value: number): string;
  /** a decimal string of `currency` (display only) */
  formatMoney(decimal: string, currency: string): string;
  formatDate(date: Date, options?: Intl.DateTimeFormatOptions): string;
  language: string;
}

type Named = { name: string; translations?: Reward["translations"] };

/** A name from the merchant inside a sentence, direction-isolated (FSI … PDI). */
export const isolated = (text: string) => `\u2068${text}\u2069`;

/**
 * The merchant's name for a reward or tier in the shopper's language, else the name as entered,
 * direction-isolated (FSI … PDI) so that "5 off" stays whole inside a Persian sentence.
 */
export function nameOf(item: Named, language: string): string {
  const t = item.translations;
  return isolated(t?.[language]?.name || t?.[language.split("-")[0]!]?.name || item.name);
}

/** How far a member is towards the next tier, in the program's measure (points or amount spent); null when not told. */
export function tierProgress(next: NonNullable<Me["nextTier"]>): { value: number; max: number } | null {
  const toGo = next.spendToGoMinor ?? next.pointsToGo;
  if (next.threshold === undefined || toGo === undefined || next.threshold <= 0) return null;
  return { value: Math.max(0, next.threshold - toGo), max: next.threshold };
}

/** Decimal strings of shop currency (as the API gives them) compared exactly, in minor units. */
export function minorOf(decimal: string): number {
  const [whole = "0", fraction = ""] = decimal.split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0").slice(0, 3));
}

export type RewardStanding =
  { kind: "ready" } | { kind: "locked"; tier: string } | { kind: "short"; points: number } | { kind: "minimum"; amount: string };

/** Whether the member can redeem this reward for this order, else why not (a tier they have not reached first). */
export function rewardStanding(reward: Reward, available: number, subtotal: string | null): RewardStanding {
  if (reward.locked && reward.requiredTier) return { kind: "locked", tier: isolated(reward.requiredTier.name) };
  if (available < reward.pointsCost) return { kind: "short", points: reward.pointsCost - available };
  if (reward.minimumSubtotal && subtotal !== null && minorOf(subtotal) < minorOf(reward.minimumSubtotal)) {
    return { kind: "minimum", amount: reward.minimumSubtotal };
  }
  return { kind: "ready" };
}

const HISTORY_TYPES = new Set([
  "earn",
  "redeem",
  "reversal",
  "adjustment",
  "expiry",
  "bonus",
  "referral",
  "refund_of_redemption",
  "import",
  "draw_entry",
  "draw_refund",
]);

/** A history line from its stable type (translated), with the app's description beside it. */
export function historyLabel(item: HistoryItem, t: Localised): string {
  return HISTORY_TYPES.has(item.type) ? t.translate(`history.${item.type}`) : (item.description ?? item.type);
}

export function signedPoints(points: number, t: Localised): string {
  return `${points > 0 ? "+" : points < 0 ? "−" : ""}${t.formatNumber(Math.abs(points))}`;
}

/** The order an entry is about ("#1001"): its `params.order`, else as the app's description names it. */
export function orderReference(item: HistoryItem): string | null {
  const order = item.params?.order;
  return typeof order === "string" ? order : (/#[\w-]+/.exec(item.description ?? "")?.[0] ?? null);
}
