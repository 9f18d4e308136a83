// Tier-only rewards and tier perks in the pure parts: who reaches a reward's tier, the document's
// rule that a reward names one of its saved tiers, perks in the shopper's language.
import { describe, expect, it } from "vitest";
import { documentOf, parseProgramDocument } from "./program-document";
import { DEFAULT_RULES } from "./program";
import { localizedPerk } from "./storefront-format";
import { reachesTier } from "./tiers";

const silver = { id: "s", name: "Silver", threshold: 250, earnMultiplierPct: 100 };
const gold = { id: "g", name: "Gold", threshold: 1000, earnMultiplierPct: 125 };
const tiers = [gold, silver];

describe("reachesTier", () => {
  it("lets in the tier and those above it, nobody below, and nobody for a tier no longer listed", () => {
    expect(reachesTier(gold, "g", tiers)).toBe(true);
    expect(reachesTier(gold, "s", tiers)).toBe(true);
    expect(reachesTier(silver, "g", tiers)).toBe(false);
    expect(reachesTier(null, "s", tiers)).toBe(false);
    expect(reachesTier(gold, "archived", tiers)).toBe(false);
  });
});

describe("the program document's tier-only rewards and perks", () => {
  const base = documentOf({ version: 4, ...DEFAULT_RULES }, [], []);
  const reward = { name: "Mug", type: "free_shipping", pointsCost: 100 };
  it("takes a reward kept for one of its saved tiers, with the tier's perks", () => {
    const parsed = parseProgramDocument({
      ...base,
      tiers: [
        {
          id: "g",
          name: "Gold",
          thresholdPoints: 1000,
          perks: [{ text: "Free shipping", translations: { de: "Gratisversand" } }],
        },
      ],
      rewards: [{ ...reward, minTierId: "g" }],
    });
    expect(parsed.ok && parsed.doc.rewards[0]!.minTierId).toBe("g");
    expect(parsed.ok && parsed.doc.tiers[0]!.perks).toEqual([{ text: "Free shipping", translations: { de: "Gratisversand" } }]);
  });
  it("refuses a tier it does not list, or one not saved yet, beside the reward", () => {
    for (const tiers of [[], [{ name: "Gold", thresholdPoints: 1000 }]]) {
      const parsed = parseProgramDocument({ ...base, tiers, rewards: [{ ...reward, minTierId: "g" }] });
      expect(parsed.ok ? [] : parsed.errors.map((e) => e.path)).toEqual(["rewards.0.minTierId"]);
    }
  });
});

describe("localizedPerk", () => {
  it("picks the exact locale, then its language, else the text as entered", () => {
    const perk = { text: "Free shipping", translations: { de: "Gratisversand", "pt-BR": "Frete grátis" } };
    expect(localizedPerk(perk, "de-CH")).toBe("Gratisversand");
    expect(localizedPerk(perk, "pt-BR")).toBe("Frete grátis");
    expect(localizedPerk(perk, "fa")).toBe("Free shipping");
  });
});
