// The members-only validation Function against Shopify's published cart_checkout_validation
// 2026-10 schema: a member, a non-member, a lower tier, early access before and after its date, a
// cart mixing allowed and blocked lines, a guest — with the text shoppers see in en, de and fa.
import { describe, expect, it } from "vitest";
import { membersOnlySettings } from "~/domain/members-only";
import {
  membersOnlyExtension,
  runValidationFunction,
  validateValidationQuery,
  type ValidationContext,
} from "../emulator/validation-function.ts";

const TIERS = [
  { name: "Silver", threshold: 1000 },
  { name: "Gold", threshold: 2500 },
];
const settings = membersOnlySettings(
  [
    { tag: "members-only", minTierName: null, until: null },
    { tag: "gold-only", minTierName: "Gold", until: null },
    { tag: "gold-preview", minTierName: "Gold", until: "2026-12-10" },
  ],
  TIERS,
);
const JACKET = { id: "gid://shopify/CartLine/1", title: "Waxed Jacket", tags: ["members-only"] };
const WATCH = { id: "gid://shopify/CartLine/2", title: "Field Watch", tags: ["gold-only", "sale"] };
const BOOTS = { id: "gid://shopify/CartLine/3", title: "Trail Boots", tags: ["gold-preview"] };
const MUG = { id: "gid://shopify/CartLine/4", title: "Thermal Mug", tags: ["kitchen"] };

const member = (metafields: Record<string, string> = {}, tags: string[] = []) => ({
  tags,
  metafields: { "$app:loyalty.points_balance": "120", ...metafields },
});
const run = (ctx: Partial<ValidationContext>) =>
  runValidationFunction({ language: "en", today: "2026-12-01", customer: null, lines: [], settings, ...ctx });
const messages = async (ctx: Partial<ValidationContext>) =>
  (await run(ctx)).operations.flatMap((o) => o.validationAdd.errors.map((e) => e.message));

describe("loyalty-members-only Function", () => {
  it("is the app's cart.validations.generate.run Function on 2026-10, its settings metafield its input variables", () => {
    const fn = membersOnlyExtension();
    expect(fn).toMatchObject({
      apiVersion: "2026-10",
      handle: "loyalty-members-only",
      type: "function",
      target: "cart.validations.generate.run",
      exportName: "cartValidationsGenerateRun",
      variables: { namespace: "$app:loyalty-members-only", key: "settings" },
    });
    expect(validateValidationQuery(fn.inputQuery)).toEqual([]);
    // The check can fail: a field the schema lacks is refused.
    expect(validateValidationQuery("query { cart { subtotal } }")).toEqual([expect.stringContaining('"subtotal"')]);
  });

  it("lets a member buy members-only products and blocks everyone else", async () => {
    expect(await run({ customer: member(), lines: [JACKET, MUG] })).toEqual({ operations: [] });
    expect(await messages({ customer: { tags: [], metafields: {} }, lines: [JACKET] })).toEqual([
      "Waxed Jacket is for loyalty club members. Join the club to buy it.",
    ]);
    const guest = await run({ customer: null, lines: [JACKET] });
    expect(guest.operations).toEqual([
      {
        validationAdd: {
          errors: [{ message: "Waxed Jacket is for loyalty club members. Join the club to buy it.", target: "$.cart" }],
        },
      },
    ]);
  });

  it("keeps a tier's products for that tier and higher; the tier comes from the metafield or the tier tag", async () => {
    const silver = member({ "$app:loyalty.tier": "Silver" });
    expect(await messages({ customer: silver, lines: [WATCH] })).toEqual([
      "Field Watch is for Gold members. Reach Gold to buy it.",
    ]);
    expect(await messages({ customer: member({ "$app:loyalty.tier": "Gold" }), lines: [WATCH, JACKET] })).toEqual([]);
    // Only the tag (the metafields not written yet): a Gold tag is a Gold member.
    expect(await messages({ customer: { tags: ["loyalty-tier:Gold"], metafields: {} }, lines: [WATCH, JACKET] })).toEqual([]);
    expect(await messages({ customer: { tags: ["loyalty-tier:Silver"], metafields: {} }, lines: [WATCH] })).toHaveLength(1);
  });

  it("opens early access to a tier until its date, to everyone from it", async () => {
    const silver = member({ "$app:loyalty.tier": "Silver" });
    expect(await messages({ customer: silver, lines: [BOOTS], today: "2026-12-09" })).toEqual([
      "Trail Boots is open to Gold members until 2026-12-10. Reach Gold to buy it now.",
    ]);
    expect(await messages({ customer: member({ "$app:loyalty.tier": "Gold" }), lines: [BOOTS], today: "2026-12-09" })).toEqual(
      [],
    );
    expect(await messages({ customer: silver, lines: [BOOTS], today: "2026-12-10" })).toEqual([]);
    expect(await messages({ customer: null, lines: [BOOTS], today: "2026-12-11" })).toEqual([]);
  });

  it("in a mixed cart names only the blocked lines", async () => {
    const silver = member({ "$app:loyalty.tier": "Silver" });
    expect(await messages({ customer: silver, lines: [MUG, JACKET, WATCH, BOOTS] })).toEqual([
      "Field Watch is for Gold members. Reach Gold to buy it.",
      "Trail Boots is open to Gold members until 2026-12-10. Reach Gold to buy it now.",
    ]);
  });

  it("speaks the buyer's language: en, de, fa", async () => {
    const lines = [JACKET, WATCH];
    expect(await messages({ language: "de", lines })).toEqual([
      "Waxed Jacket gibt es nur für Mitglieder des Treueclubs. Tritt dem Club bei, um es zu kaufen.",
      "Field Watch gibt es nur für Gold-Mitglieder. Erreiche Gold, um es zu kaufen.",
    ]);
    expect(await messages({ language: "fa", lines })).toEqual([
      "Waxed Jacket فقط برای اعضای باشگاه مشتریان است. برای خرید آن عضو باشگاه شوید.",
      "Field Watch فقط برای اعضای سطح Gold است. برای خرید آن به سطح Gold برسید.",
    ]);
    expect(await messages({ language: "pt_BR", lines: [JACKET] })).toEqual([
      "Waxed Jacket is for loyalty club members. Join the club to buy it.",
    ]);
  });

  it("blocks nothing without settings or rules", async () => {
    expect(await run({ settings: null, lines: [JACKET] })).toEqual({ operations: [] });
    expect(await run({ settings: membersOnlySettings([], TIERS), lines: [JACKET] })).toEqual({ operations: [] });
  });
});
