// The earning rules of a program version and the points they give.
import { mulDivFloor } from "./arithmetic";
import { currencyExponent } from "./money";

export interface EarningRules {
  version: number;
  /** points per `earnRateDen` whole units of shop currency */
  earnRateNum: number;
  earnRateDen: number;
  pendingDays: number;
  expiryDays: number | null;
  autoEnroll: boolean;
  signupBonus: number;
  birthdayBonus: number;
  referrerPoints: number;
  refereePercent: number;
  returnSpentPointsOnRefund: boolean;
}

export interface Rate {
  num: number;
  den: number;
}

export const DEFAULT_RULES: Omit<EarningRules, "version"> = {
  earnRateNum: 1,
  earnRateDen: 1,
  pendingDays: 0,
  expiryDays: null,
  autoEnroll: true,
  signupBonus: 0,
  birthdayBonus: 0,
  referrerPoints: 0,
  refereePercent: 10,
  returnSpentPointsOnRefund: false,
};

export const DEFAULT_REWARD = {
  name: "5 off",
  type: "fixed_amount",
  pointsCost: 500,
  /** 5.00 in shop currency, in whole units; converted with the shop's exponent */
  valueUnits: 5,
} as const;

export const PENDING_DAYS_MAX = 90;

/** The rate an order earns at: the program's rate times the member's tier multiplier. */
export function effectiveRate(rules: Pick<EarningRules, "earnRateNum" | "earnRateDen">, multiplierPct = 100): Rate {
  return { num: rules.earnRateNum * multiplierPct, den: rules.earnRateDen * 100 };
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
