// The earning rules of a program version and the points they give.
import { mulDivFloor } from "./arithmetic";
import { currencyExponent } from "./money";
import type { TierEntry, TierMeasure, TierPeriod } from "./tiers";

export interface EarningRules {
  version: number;
  /** points per `earnRateDen` whole units of shop currency */
  earnRateNum: number;
  earnRateDen: number;
  pendingDays: number;
  expiryDays: number | null;
  /** days before points expire that the "points expiring" reminder goes out (Flow, webhooks) */
  expiryReminderDays: number;
  autoEnroll: boolean;
  signupBonus: number;
  birthdayBonus: number;
  /** a reward given as a code `birthdayGiftDaysBefore` days before the birthday, once a year; null = none */
  birthdayRewardId: string | null;
  birthdayGiftDaysBefore: number;
  referrerPoints: number;
  refereePercent: number;
  returnSpentPointsOnRefund: boolean;
  launchState: LaunchState;
  /** in pilot, the customer tag that lets a customer in */
  pilotTag: string;
  /** share of customers (percent) kept out of the club to measure its effect; 0 = no holdout */
  holdoutPercent: number;
  /** the merchant's gross margin on sales (percent), for the club's ROI */
  grossMarginPercent: number;
  /** points once a year on the day the member enrolled (from the first anniversary); 0 = off */
  anniversaryBonus: number;
  /** double-points (or any multiple) periods: orders paid inside one earn at its multiplier */
  campaigns: Campaign[];
  /** products carrying one of these tags (lower case) earn no points; gift cards never do */
  excludedProductTags: string[];
  /** what tiers are reached by: points earned (net of reversals) or amount spent (paid subtotal after discounts, less refunds) */
  tierMeasure: TierMeasure;
  /** over what time: the member's lifetime, or the last 12 months (rolling) */
  tierPeriod: TierPeriod;
}

/** Tags as the program keeps them: trimmed, lower case (Shopify compares tags ignoring case), once each. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/** Whether a product's tags (as Shopify sends them, any case) include one the program excludes. */
export function productExcluded(productTags: readonly string[], excludedTags: readonly string[]): boolean {
  if (excludedTags.length === 0) return false;
  const wanted = new Set(excludedTags);
  return productTags.some((t) => wanted.has(t.trim().toLowerCase()));
}

export interface Campaign {
  name: string;
  /** ISO instants: from startsAt (inclusive) to endsAt (exclusive) */
  startsAt: string;
  endsAt: string;
  /** 200 = double points */
  multiplierPct: number;
}

/** The multiplier of the campaign running at `at` (the highest, if several overlap), else 100. */
export function campaignMultiplierAt(campaigns: readonly Campaign[], at: Date): number {
  let pct = 100;
  const t = at.getTime();
  for (const c of campaigns) {
    if (Date.parse(c.startsAt) <= t && t < Date.parse(c.endsAt)) pct = Math.max(pct, c.multiplierPct);
  }
  return pct;
}

export const LAUNCH_STATES = ["draft", "pilot", "live"] as const;
export type LaunchState = (typeof LAUNCH_STATES)[number];

export interface Launch {
  state: LaunchState;
  pilotTag: string;
}

/**
 * Whether the club is open to a customer with these tags: nobody in draft, only customers
 * tagged with the pilot tag (compared as Shopify compares tags, ignoring case) in pilot,
 * everyone once live.
 */
export function launchAllows(launch: Launch, tags: readonly string[] | null): boolean {
  if (launch.state === "live") return true;
  if (launch.state === "draft") return false;
  const wanted = launch.pilotTag.trim().toLowerCase();
  return wanted !== "" && (tags ?? []).some((t) => t.trim().toLowerCase() === wanted);
}

/**
 * Whether a customer takes part in the club: the launch state lets them in and the merchant has
 * not excluded them. Orders (orderEarner), joining, bonuses, the storefront and redemptions all
 * ask this one rule.
 */
export function clubOpenTo(launch: Launch, customer: { tags: readonly string[] | null; excluded: boolean }): boolean {
  return !customer.excluded && launchAllows(launch, customer.tags);
}

/** Shopify's tags as a list (the payloads send them comma-separated). */
export function tagList(tags: string | null | undefined): string[] {
  return (tags ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

export const launchOf = (rules: Pick<EarningRules, "launchState" | "pilotTag">): Launch => ({
  state: rules.launchState,
  pilotTag: rules.pilotTag,
});

export interface Rate {
  num: number;
  den: number;
}

export const DEFAULT_RULES: Omit<EarningRules, "version"> = {
  earnRateNum: 1,
  earnRateDen: 1,
  pendingDays: 0,
  expiryDays: null,
  expiryReminderDays: 14,
  autoEnroll: true,
  signupBonus: 0,
  birthdayBonus: 0,
  birthdayRewardId: null,
  birthdayGiftDaysBefore: 0,
  referrerPoints: 0,
  refereePercent: 10,
  returnSpentPointsOnRefund: false,
  launchState: "live",
  pilotTag: "",
  holdoutPercent: 0,
  grossMarginPercent: 50,
  anniversaryBonus: 0,
  campaigns: [],
  excludedProductTags: [],
  tierMeasure: "points",
  tierPeriod: "lifetime",
};

/** How a version's tiers are entered. */
export const tierEntryOf = (rules: Pick<EarningRules, "tierMeasure" | "tierPeriod">): TierEntry => ({
  measure: rules.tierMeasure,
  period: rules.tierPeriod,
});

export const DEFAULT_REWARD = {
  name: "5 off",
  type: "fixed_amount",
  pointsCost: 500,
  /** 5.00 in shop currency, in whole units; converted with the shop's exponent */
  valueUnits: 5,
} as const;

export const PENDING_DAYS_MAX = 90;

/**
 * The rate an order earns at: the program's rate times the member's tier multiplier, times a
 * campaign's multiplier when one runs (stored on the entry, so a refund later takes back at it).
 */
export function effectiveRate(
  rules: Pick<EarningRules, "earnRateNum" | "earnRateDen">,
  multiplierPct = 100,
  campaignPct = 100,
): Rate {
  if (campaignPct === 100) return { num: rules.earnRateNum * multiplierPct, den: rules.earnRateDen * 100 };
  return { num: rules.earnRateNum * multiplierPct * campaignPct, den: rules.earnRateDen * 10_000 };
}

/**
 * Points for a merchandise subtotal (minor units of shop currency): the rate applied to whole
 * currency units, rounded down. 1 point per unit means 12.99 USD → 12 points.
 */
export function pointsForSubtotal(subtotalMinor: number, currency: string, rate: Rate): number {
  if (subtotalMinor <= 0) return 0;
  const unit = 10 ** currencyExponent(currency);
  // floor(floor(subtotal / unit) × num / den): whole units first, as the contract says.
  return mulDivFloor(Math.floor(subtotalMinor / unit), rate.num, rate.den);
}

export function availableAtFor(occurredAt: Date, pendingDays: number): Date {
  return new Date(occurredAt.getTime() + pendingDays * 86_400_000);
}
