// What every extension reads from Shopify's `shopify` global, typed by the target it runs in.
import type { Localised } from "./text";

interface I18nLike {
  translate(key: string, replacements?: Record<string, unknown>): unknown;
  formatNumber(value: number): string;
  formatCurrency(value: number, options?: Intl.NumberFormatOptions): string;
  formatDate(date: Date, options?: Intl.DateTimeFormatOptions): string;
}

export function localised(i18n: I18nLike, language: string): Localised {
  return {
    translate: (key, replacements) => String(i18n.translate(key, replacements)),
    points: (key, count, replacements) =>
      String(i18n.translate(key, { count, points: i18n.formatNumber(count), ...replacements })),
    formatNumber: (value) => i18n.formatNumber(value),
    formatMoney: (amount, currency) => i18n.formatCurrency(Number(amount), { currency }),
    formatDate: (date, options) => i18n.formatDate(date, options),
    language,
  };
}

interface MoneyLike {
  amount: number;
  currencyCode: string;
}

/**
 * What points are earned on at checkout: the merchandise subtotal (which has the line discounts
 * off already) less the cart-level discounts (`discountAllocations`: a code applied to the order),
 * never below zero. Shipping and tax are in neither.
 */
export function earningSubtotal(subtotal: MoneyLike, allocations: ReadonlyArray<{ discountedAmount: MoneyLike }>): number {
  const off = allocations.reduce(
    (sum, a) => sum + (a.discountedAmount.currencyCode === subtotal.currencyCode ? a.discountedAmount.amount : 0),
    0,
  );
  return Math.max(0, Math.round((subtotal.amount - off) * 1000) / 1000);
}

/** Money as the checkout API gives it (a number) → a decimal string for the app's API. */
export const decimal = (amount: number) => amount.toFixed(2);
