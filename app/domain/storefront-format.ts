// How the shopper's texts are put together: which catalogue entry says what a history entry is,
// numbers and dates in the shopper's locale (its own digits), names from the merchant isolated
// from the text around them, and the name of a reward or tier in the shopper's language. Pure:
// the storefront API, the checkout and account extensions and the tests use the same functions;
// the theme launcher repeats the few lines of it that it needs (ADR 0014).
import { currencyExponent, currencyFormat } from "./money";
import { CATALOGUE, DEFAULT_LOCALE, LOCALES, type Locale, type TextKey } from "./storefront-text";

/** The catalogue language for a locale tag: "fa-IR" → fa, "de" → de, anything else → en. */
export function pickLocale(tag: string | null | undefined): Locale {
  const base = String(tag ?? "")
    .toLowerCase()
    .split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(base!) ? (base as Locale) : DEFAULT_LOCALE;
}

/**
 * A name from the merchant inside a sentence, isolated (FIRST STRONG ISOLATE … POP DIRECTIONAL
 * ISOLATE) so its direction cannot reorder the text around it: "5 off · ۵۰۰ امتیاز" stays in
 * that order in a right-to-left line. HTML uses <bdi> instead; this is for plain text.
 */
export const isolate = (text: string) => `\u2068${text}\u2069`;

export type Params = Record<string, string | number | null | undefined>;

/** A catalogue text with its {placeholders} filled: numbers in the locale's digits, names isolated. */
export function say(locale: Locale, key: TextKey, params: Params = {}): string {
  return fill(CATALOGUE[locale][key], params, locale);
}

function fill(template: string, params: Params, locale: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === null || value === undefined) return "";
    return typeof value === "number" ? formatNumber(value, locale) : isolate(value);
  });
}

// Intl formatters are costly to build and the storefront's hottest read uses several: one per
// locale and options, kept.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function formatter<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    if (formatters.size > 500) formatters.clear();
    f = make();
    formatters.set(key, f);
  }
  return f;
}

export const formatNumber = (n: number, locale: string) =>
  formatter(`n:${locale}`, () => new Intl.NumberFormat(locale)).format(n);

/** A calendar date ("2026-12-24") or an instant, as the locale writes dates (fa: its own calendar). */
export function formatDate(value: string, locale: string, timeZone?: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  const zone = dateOnly ? "UTC" : timeZone;
  return formatter(
    `d:${locale}:${zone ?? ""}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: zone }),
  ).format(date);
}

/**
 * An amount the API gives as a decimal string ("50.00") in the shop's currency, for a shopper's
 * sentence: whole amounts without their zeros ("$5 off"), others to the currency's minor unit.
 */
export function formatMoney(decimal: string, currency: string, locale: string): string {
  const value = Number(decimal);
  return currencyFormat(locale, currency, Number.isInteger(value) ? 0 : currencyExponent(currency)).format(value);
}

export interface HistoryEntry {
  type: string;
  params?: Params;
  description?: string | null;
}

/** The catalogue keys that may say what a history entry is, the most specific first. */
export function historyKeys(entry: HistoryEntry): string[] {
  const cause = entry.params?.cause;
  return [...(cause ? [`h_${entry.type}_${cause}`] : []), `h_${entry.type}`];
}

/** One history line in the shopper's language; an entry type the catalogue does not know keeps its description. */
export function describeEntry(entry: HistoryEntry, locale: Locale): string {
  const strings = CATALOGUE[locale] as Record<string, string>;
  const key = historyKeys(entry).find((k) => k in strings);
  if (!key) return entry.description ?? "";
  return fill(strings[key]!, entry.params ?? {}, locale);
}

/** "N points expire on D", when the API says some do (`expiring` on /proxy/me). */
export function expiringText(expiring: { points: number; on: string } | null | undefined, locale: Locale): string | null {
  if (!expiring || !(expiring.points > 0) || typeof expiring.on !== "string") return null;
  return fill(CATALOGUE[locale].expiring, { points: expiring.points, date: formatDate(expiring.on, locale) }, locale).replace(
    /\u2068|\u2069/g,
    "",
  ); // the date is the locale's own text, not a merchant's name
}

/** The shop's currency terms of a reward, as the shopper reads them before redeeming. */
export function rewardTerms(
  reward: { minimumSubtotal?: string | null; maximum?: string | null },
  currency: string,
  locale: Locale,
): string[] {
  const terms: string[] = [];
  const plain = (key: TextKey, amount: string) =>
    CATALOGUE[locale][key].replace("{amount}", formatMoney(amount, currency, locale));
  if (reward.minimumSubtotal) terms.push(plain("min_subtotal", reward.minimumSubtotal));
  if (reward.maximum) terms.push(plain("cap", reward.maximum));
  return terms;
}

/**
 * A reward's or tier's name in the shopper's language: `translations` is
 * `{[locale]: {name, description?}}` (or that as JSON text, as a database column holds it), picked
 * by the exact locale tag, then its language; the default name when there is none.
 */
export function localizedName(row: { name: string; translations?: unknown }, locale: string): string {
  const name = inLocale(parseTranslations(row.translations), locale, (v) =>
    v && typeof v === "object" ? (v as { name?: unknown }).name : undefined,
  );
  return name ?? row.name;
}

/** A reward's or tier's description in the shopper's language, or null when the merchant gave none for it. */
export function localizedDescription(row: { translations?: unknown }, locale: string): string | null {
  return inLocale(parseTranslations(row.translations), locale, (v) =>
    v && typeof v === "object" ? (v as { description?: unknown }).description : undefined,
  );
}

/** A tier's perk in the shopper's language: `translations` is `{[locale]: text}`; else its text as entered. */
export function localizedPerk(perk: { text: string; translations?: Record<string, string> }, locale: string): string {
  return inLocale(perk.translations ?? {}, locale, (v) => v) ?? perk.text;
}

/** The text of the translation for the exact locale tag, else its language ("de" for "de-CH"). */
function inLocale(translations: Record<string, unknown>, locale: string, text: (value: unknown) => unknown): string | null {
  const tag = locale.toLowerCase();
  for (const candidate of [tag, tag.split(/[-_]/)[0]!]) {
    for (const [key, value] of Object.entries(translations)) {
      if (key.toLowerCase() !== candidate) continue;
      const t = text(value);
      if (typeof t === "string" && t.trim()) return t.trim();
    }
  }
  return null;
}

function parseTranslations(value: unknown): Record<string, unknown> {
  if (typeof value === "string") {
    try {
      return parseTranslations(JSON.parse(value));
    } catch {
      return {};
    }
  }
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** What a ledger row (and what it points at) says about itself, as history `params` (the API's). */
export interface LedgerFacts {
  kind: string;
  sourceType: string;
  idempotencyKey: string;
  reason: string;
  orderName: string | null;
  rewardName: string | null;
  expiryDays: number | null;
}

export function historyParams(f: LedgerFacts): Params {
  const order = f.orderName || null;
  switch (f.kind) {
    case "earn":
      return { order };
    case "reversal":
      return { cause: f.sourceType === "refund" ? "refund" : "cancellation", order };
    case "redeem":
      return { reward: f.rewardName };
    case "refund_of_redemption":
      if (f.idempotencyKey.endsWith(":released")) return { cause: "not_created", reward: f.rewardName };
      return order ? { cause: "order_refunded", order, reward: f.rewardName } : { reward: f.rewardName };
    case "expiry":
      return f.expiryDays ? { cause: "inactive", days: f.expiryDays } : {};
    case "bonus":
      return f.sourceType === "signup" || f.sourceType === "birthday" ? { cause: f.sourceType } : {};
    case "adjustment":
      // The merchant's own words (in the merchant's language): shown as written.
      return f.reason.trim() ? { cause: "note", note: f.reason.trim() } : {};
    default:
      return {};
  }
}
