// Members-only products and early access at cart and checkout. Shopify runs this (as WebAssembly)
// on every cart change and checkout step, whoever the buyer is and however they came (a direct
// link, a cart permalink, an express checkout, the Storefront API); the emulator and the tests run
// this same module. Membership and tier come from what the app writes on the Shopify customer:
// the `$app:loyalty.tier` and `$app:loyalty.points_balance` metafields, or the tier tag
// (`loyalty-tier:<name>`). A guest is no member.

import type { MembersOnlyRule, MembersOnlySettings } from "./settings";

/** The input as `cart_validations_generate_run.graphql` asks for it. */
export interface CartValidationsGenerateRunInput {
  localization: { language: { isoCode: string } };
  shop: { localTime: { date: string } };
  cart: {
    buyerIdentity: {
      customer: {
        hasTags: Array<{ tag: string; hasTag: boolean }>;
        tier: { value: string } | null;
        balance: { value: string } | null;
      } | null;
    } | null;
    lines: Array<{
      id: string;
      merchandise: { __typename: string; product?: { title: string; hasTags: Array<{ tag: string; hasTag: boolean }> } };
    }>;
  };
  validation: { metafield: { jsonValue: unknown } | null };
}

export interface CartValidationsGenerateRunResult {
  operations: Array<{ validationAdd: { errors: Array<{ message: string; target: string }> } }>;
}

type Text = "members" | "tier" | "earlyMembers" | "earlyTier";
const TEXTS: Record<string, Record<Text, string>> = {
  en: {
    members: "{product} is for loyalty club members. Join the club to buy it.",
    tier: "{product} is for {tier} members. Reach {tier} to buy it.",
    earlyMembers: "{product} is open to loyalty club members until {date}. Join the club to buy it now.",
    earlyTier: "{product} is open to {tier} members until {date}. Reach {tier} to buy it now.",
  },
  de: {
    members: "{product} gibt es nur für Mitglieder des Treueclubs. Tritt dem Club bei, um es zu kaufen.",
    tier: "{product} gibt es nur für {tier}-Mitglieder. Erreiche {tier}, um es zu kaufen.",
    earlyMembers: "{product} gibt es bis {date} nur für Mitglieder des Treueclubs. Tritt dem Club bei, um es jetzt zu kaufen.",
    earlyTier: "{product} gibt es bis {date} nur für {tier}-Mitglieder. Erreiche {tier}, um es jetzt zu kaufen.",
  },
  fa: {
    members: "{product} فقط برای اعضای باشگاه مشتریان است. برای خرید آن عضو باشگاه شوید.",
    tier: "{product} فقط برای اعضای سطح {tier} است. برای خرید آن به سطح {tier} برسید.",
    earlyMembers: "{product} تا {date} فقط برای اعضای باشگاه مشتریان است. برای خرید همین حالا عضو باشگاه شوید.",
    earlyTier: "{product} تا {date} فقط برای اعضای سطح {tier} است. برای خرید همین حالا به سطح {tier} برسید.",
  },
};

const NO_ERRORS: CartValidationsGenerateRunResult = { operations: [] };

function isSettings(value: unknown): value is MembersOnlySettings {
  const v = value as MembersOnlySettings | null;
  return !!v && Array.isArray(v.rules) && Array.isArray(v.tiers);
}

/** The buyer's standing: a member or not, and their tier's rank (-1: none). */
function standing(input: CartValidationsGenerateRunInput, settings: MembersOnlySettings) {
  const customer = input.cart.buyerIdentity?.customer ?? null;
  if (!customer) return { member: false, rank: -1 };
  const byMetafield = customer.tier ? settings.tiers.indexOf(customer.tier.value) : -1;
  const byTag = Math.max(-1, ...customer.hasTags.filter((t) => t.hasTag).map((t) => settings.tierTags.indexOf(t.tag)));
  const rank = Math.max(byMetafield, byTag);
  return { member: customer.balance !== null || rank >= 0, rank };
}

/** Whether the rule lets this buyer buy today. */
function allows(rule: MembersOnlyRule, buyer: { member: boolean; rank: number }, today: string, tiers: string[]): boolean {
  if (rule.until !== null && today >= rule.until) return true; // early access is over
  if (!buyer.member) return false;
  return rule.minTier === null || buyer.rank >= tiers.indexOf(rule.minTier);
}

export function cartValidationsGenerateRun(input: CartValidationsGenerateRunInput): CartValidationsGenerateRunResult {
  const settings = input.validation.metafield?.jsonValue;
  if (!isSettings(settings) || settings.rules.length === 0) return NO_ERRORS;
  const buyer = standing(input, settings);
  const today = input.shop.localTime.date;
  const language = input.localization.language.isoCode.toLowerCase().split("_")[0]!;
  const texts = TEXTS[language] ?? TEXTS.en!;
  const errors: Array<{ message: string; target: string }> = [];
  for (const line of input.cart.lines) {
    const product = line.merchandise.product;
    if (!product) continue;
    const tags = new Set(product.hasTags.filter((t) => t.hasTag).map((t) => t.tag));
    const blocking = settings.rules.find((r) => tags.has(r.tag) && !allows(r, buyer, today, settings.tiers));
    if (!blocking) continue;
    const text: Text = blocking.until ? (blocking.minTier ? "earlyTier" : "earlyMembers") : blocking.minTier ? "tier" : "members";
    const message = texts[text]
      .replace("{product}", product.title)
      .replace(/\{tier\}/g, blocking.minTier ?? "")
      .replace("{date}", blocking.until ?? "");
    errors.push({ message, target: "$.cart" });
  }
  return errors.length ? { operations: [{ validationAdd: { errors } }] } : NO_ERRORS;
}
