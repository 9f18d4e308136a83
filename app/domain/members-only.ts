// Members-only products and early access: the merchant's rules (one schema for the admin page and
// PUT /app/api/members-only), and the settings the validation Function reads from its metafield
// (the shape of extensions/loyalty-members-only/src/settings.ts).
import { z } from "zod";
import { tierTag } from "./tiers";

export const AccessRuleInput = z.object({
  tag: z.string("tag is required").trim().min(1, "tag is required").max(255, "a tag is at most 255 characters"),
  minTierId: z.string().min(1).max(100).nullish(),
  until: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "until is a date such as 2026-12-24")
    .nullish(),
});
export const AccessRules = z.object({ rules: z.array(AccessRuleInput).max(50, "at most 50 rules") });
export type AccessRuleInput = z.output<typeof AccessRuleInput>;

export interface NamedRule {
  tag: string;
  minTierName: string | null;
  until: string | null;
}

/** What the Function needs: the rules by tier name, and the tags and tiers its query asks about. */
export function membersOnlySettings(rules: readonly NamedRule[], tiers: ReadonlyArray<{ name: string; threshold: number }>) {
  const ordered = [...tiers].sort((a, b) => a.threshold - b.threshold).map((t) => t.name);
  return {
    productTags: [...new Set(rules.map((r) => r.tag))],
    tierTags: ordered.map(tierTag),
    tiers: ordered,
    rules: rules.map((r) => ({ tag: r.tag, minTier: r.minTierName, until: r.until })),
  };
}
