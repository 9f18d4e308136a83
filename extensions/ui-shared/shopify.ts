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

/** Money as the checkout API gives it (a number) → a decimal string for the app's API. */
export const decimal = (amount: number) => amount.toFixed(2);
