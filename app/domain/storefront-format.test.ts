import { describe, expect, it } from "vitest";
import {
  describeEntry,
  expiringText,
  formatDate,
  formatNumber,
  historyKeys,
  historyParams,
  isolate,
  localizedName,
  pickLocale,
  rewardTerms,
  say,
  type LedgerFacts,
} from "./storefront-format";
import { CATALOGUE, LOCALES } from "./storefront-text";

const facts = (f: Partial<LedgerFacts>): LedgerFacts => ({
  kind: "earn",
  sourceType: "order",
  idempotencyKey: "k",
  reason: "",
  orderName: null,
  rewardName: null,
  expiryDays: null,
  ...f,
});
const strip = (s: string) => s.replace(/\u2068|\u2069/g, "");

describe("the shopper's locale", () => {
  it("picks the catalogue language from a locale tag", () => {
    expect(pickLocale("fa")).toBe("fa");
    expect(pickLocale("fa-IR")).toBe("fa");
    expect(pickLocale("de_CH")).toBe("de");
    expect(pickLocale("pt-BR")).toBe("en");
    expect(pickLocale(null)).toBe("en");
  });

  it("writes numbers in the locale's digits", () => {
    expect(formatNumber(1250, "en")).toBe("1,250");
    expect(formatNumber(1250, "de")).toBe("1.250");
    expect(formatNumber(1250, "fa")).toBe("۱٬۲۵۰");
    expect(strip(say("fa", "points_more", { points: 500 }))).toBe("۵۰۰ امتیاز دیگر");
    expect(say("de", "to_next_tier", { points: 1300, tier: "Gold" })).toBe("Noch 1.300 Punkte bis \u2068Gold\u2069");
  });

  it("writes dates as the locale does; a calendar date is not moved by time zones", () => {
    expect(formatDate("2026-12-24", "en")).toBe("Dec 24, 2026");
    expect(formatDate("2026-12-24", "de")).toBe("24.12.2026");
    expect(formatDate("2026-12-24", "fa")).toMatch(/^[۰-۹]+ [\u0600-\u06FF]+ [۰-۹]+$/); // Solar Hijri, Persian digits
    expect(formatDate("2026-12-24T23:30:00.000Z", "en", "UTC")).toBe("Dec 24, 2026");
  });
});

describe("direction isolation", () => {
  it("isolates a merchant's name so a right-to-left line keeps its order", () => {
    // "5 off · ۵۰۰ امتیاز": the English name in an isolate cannot pull the digits after it to its side.
    const line = `${isolate("5 off")} · ${formatNumber(500, "fa")} ${CATALOGUE.fa.points}`;
    expect(line).toBe("\u20685 off\u2069 · ۵۰۰ امتیاز");
    expect(say("fa", "h_redeem", { reward: "5 off" })).toBe("دریافت جایزه: \u20685 off\u2069");
  });
});

describe("history lines", () => {
  it("says what each kind of entry is, from its type and params, in every language", () => {
    const cases: Array<[Partial<LedgerFacts>, string, Record<string, string>]> = [
      [{ kind: "earn", orderName: "#1001" }, "h_earn", { en: "Order #1001", de: "Bestellung #1001", fa: "سفارش #1001" }],
      [
        { kind: "reversal", sourceType: "refund", orderName: "#1001" },
        "h_reversal_refund",
        { en: "Order #1001 refunded", de: "Bestellung #1001 erstattet", fa: "بازپرداخت سفارش #1001" },
      ],
      [
        { kind: "reversal", sourceType: "cancellation", orderName: "#7" },
        "h_reversal_cancellation",
        { en: "Order #7 cancelled" },
      ],
      [{ kind: "redeem", sourceType: "redemption", rewardName: "5 off" }, "h_redeem", { en: "Redeemed: 5 off" }],
      [
        { kind: "refund_of_redemption", sourceType: "redemption", idempotencyKey: "redemption:r1:released" },
        "h_refund_of_redemption_not_created",
        { en: "Points returned: the discount could not be created" },
      ],
      [
        { kind: "refund_of_redemption", sourceType: "redemption", idempotencyKey: "redemption:r1:returned", orderName: "#9" },
        "h_refund_of_redemption_order_refunded",
        { en: "Points returned: order #9 was refunded" },
      ],
      [
        { kind: "expiry", sourceType: "expiry", expiryDays: 365 },
        "h_expiry_inactive",
        { en: "Points expired after 365 days without activity", fa: "انقضای امتیاز پس از ۳۶۵ روز بدون فعالیت" },
      ],
      [{ kind: "bonus", sourceType: "signup" }, "h_bonus_signup", { en: "Welcome bonus for joining", de: "Willkommensbonus" }],
      [{ kind: "bonus", sourceType: "birthday" }, "h_bonus_birthday", { en: "Happy birthday!" }],
      [{ kind: "bonus", sourceType: "something-new" }, "h_bonus", { en: "Bonus points" }],
      [{ kind: "referral", sourceType: "referral" }, "h_referral", { en: "A friend you referred placed their first order" }],
      [
        { kind: "adjustment", sourceType: "merchant", reason: "Sorry for the delay" },
        "h_adjustment_note",
        { en: "Adjusted by the shop: Sorry for the delay", de: "Korrektur durch den Shop: Sorry for the delay" },
      ],
      [{ kind: "import", sourceType: "merchant", reason: "Imported (row 3)" }, "h_import", { en: "Points carried over" }],
      [{ kind: "draw_entry", sourceType: "draw" }, "h_draw_entry", { en: "Prize draw entry", fa: "شرکت در قرعه‌کشی" }],
      [{ kind: "draw_refund", sourceType: "draw" }, "h_draw_refund", { en: "Prize draw entry given back" }],
    ];
    for (const [f, key, expected] of cases) {
      const entry = { type: f.kind!, params: historyParams(facts(f)) };
      expect(historyKeys(entry)[0], key).toBe(key);
      for (const [locale, text] of Object.entries(expected)) {
        expect(strip(describeEntry(entry, locale as "en")), `${key} ${locale}`).toBe(text);
      }
    }
  });

  it("has a line for every entry type of the contract, in every language", () => {
    const types = ["earn", "redeem", "reversal", "adjustment", "expiry", "bonus", "referral", "refund_of_redemption", "import"];
    for (const locale of LOCALES) {
      for (const type of [...types, "draw_entry", "draw_refund"]) {
        expect(describeEntry({ type, params: {}, description: "RAW" }, locale), `${type} ${locale}`).not.toBe("RAW");
      }
    }
  });

  it("keeps the description of an entry type it does not know", () => {
    expect(describeEntry({ type: "future_kind", params: {}, description: "Something new" }, "fa")).toBe("Something new");
  });
});

describe("expiring points", () => {
  it("says how many points expire and when, from the /proxy/me body", () => {
    const body = { expiring: { points: 1200, on: "2027-01-31" } };
    expect(expiringText(body.expiring, "en")).toBe("1,200 points expire on Jan 31, 2027");
    expect(expiringText(body.expiring, "de")).toBe("1.200 Punkte verfallen am 31.01.2027");
    expect(expiringText(body.expiring, "fa")).toMatch(/^۱٬۲۰۰ امتیاز در [۰-۹]+ [\u0600-\u06FF]+ [۰-۹]+ منقضی می‌شود$/);
    expect(expiringText(undefined, "en")).toBeNull();
    expect(expiringText({ points: 0, on: "2027-01-31" }, "en")).toBeNull();
  });
});

describe("reward terms", () => {
  it("shows a reward's minimum subtotal and cap in the shop's currency", () => {
    expect(rewardTerms({ minimumSubtotal: "50.00", maximum: "25.00" }, "USD", "en")).toEqual([
      "On orders from $50",
      "Up to $25 off",
    ]);
    expect(rewardTerms({ minimumSubtotal: "49.50", maximum: null }, "EUR", "de")).toEqual(["Ab 49,50\u00a0€ Bestellwert"]);
    expect(rewardTerms({ minimumSubtotal: null, maximum: null }, "USD", "fa")).toEqual([]);
  });
});

describe("names per language", () => {
  it("picks the shopper's language, then the default name", () => {
    const reward = {
      name: "5 off",
      translations: { de: { name: "5 € Rabatt" }, fa: { name: "۵ دلار تخفیف", description: "…" } },
    };
    expect(localizedName(reward, "de")).toBe("5 € Rabatt");
    expect(localizedName(reward, "de-AT")).toBe("5 € Rabatt");
    expect(localizedName(reward, "fa")).toBe("۵ دلار تخفیف");
    expect(localizedName(reward, "en")).toBe("5 off");
    expect(localizedName(reward, "fr")).toBe("5 off");
  });

  it("reads translations stored as JSON text, and survives shapes it does not expect", () => {
    expect(localizedName({ name: "Gold", translations: '{"fa":{"name":"طلایی"}}' }, "fa")).toBe("طلایی");
    expect(localizedName({ name: "Gold", translations: "not json" }, "fa")).toBe("Gold");
    expect(localizedName({ name: "Gold", translations: { fa: { name: "  " } } }, "fa")).toBe("Gold");
    expect(localizedName({ name: "Gold", translations: { fa: "طلایی" } }, "fa")).toBe("Gold");
    expect(localizedName({ name: "Gold", translations: null }, "fa")).toBe("Gold");
    expect(localizedName({ name: "Gold" }, "fa")).toBe("Gold");
  });
});
