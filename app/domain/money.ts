// Money as integers in minor units. Shopify sends decimal strings ("12.30"); they are parsed
// exactly, never through floating point.

// ISO 4217 minor-unit exponents that differ from 2. Everything else Shopify sells in has 2.
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export class MoneyFormatError extends Error {
  readonly code = "invalid_money";
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "12.30" in USD → 1230. Extra fractional digits beyond the currency's are rejected unless zero. */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === "number" ? String(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ""] = match;
  const exp = currencyExponent(currency);
  const kept = fraction.slice(0, exp).padEnd(exp, "0");
  if (/[1-9]/.test(fraction.slice(exp))) {
    throw new MoneyFormatError(`${text} has more precision than ${currency} allows`);
  }
  const minor = Number(whole) * 10 ** exp + Number(kept || "0");
  if (!Number.isSafeInteger(minor)) throw new MoneyFormatError(`amount out of range: ${text}`);
  return sign ? -minor : minor;
}

export function formatMinorUnits(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (exp === 0) return `${sign}${abs}`;
  const unit = 10 ** exp;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exp, "0")}`;
}

// Intl formatters are costly to build (the storefront's hottest read formats amounts): one per
// locale, currency and fraction digits, kept.
const currencyFormats = new Map<string, Intl.NumberFormat>();
/** Intl's currency format for `locale`, with exactly `fractionDigits` digits after the point. */
export function currencyFormat(locale: string, currency: string, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}:${currency}:${fractionDigits}`;
  let format = currencyFormats.get(key);
  if (!format) {
    if (currencyFormats.size > 500) currencyFormats.clear();
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    currencyFormats.set(key, format);
  }
  return format;
}

/**
 * An amount for people to read, in the currency's own style ("$1,234.50", "¥1,235"): for display
 * only (files and APIs take formatMinorUnits' plain decimal). Exact to the minor unit.
 */
export function displayMinorUnits(minor: number, currency: string, locale = "en"): string {
  try {
    return currencyFormat(locale, currency, currencyExponent(currency)).format(Number(formatMinorUnits(minor, currency)));
  } catch {
    return `${formatMinorUnits(minor, currency)} ${currency}`; // a code Intl does not know
  }
}
