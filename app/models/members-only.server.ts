// Members-only products and early access: the merchant's rules by product tag, stored here and
// published to the validation Function's metafield in Shopify (app/shopify/validations.server.ts).
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { FieldError } from "~/domain/program-document";
import { membersOnlySettings, type AccessRuleInput } from "~/domain/members-only";
import { errorText, log } from "~/log.server";
import type { AdminGraphql } from "~/shopify/admin-call.server";
import { publishMembersOnlyForTheme } from "~/shopify/storefront-data.server";
import { publishMembersOnly } from "~/shopify/validations.server";
import { tierSetup } from "./shops.server";

export async function accessRules(db: Db, shopId: string) {
  const [rules, tiers, shop] = await Promise.all([
    db.accessRule.findMany({ where: { shopId }, orderBy: { position: "asc" } }),
    tierSetup(db, shopId).then((s) => s.tiers),
    db.shop.findUniqueOrThrow({ where: { id: shopId } }),
  ]);
  return {
    rules: rules.map((r) => ({
      tag: r.tag,
      minTierId: r.minTierId,
      minTierName: tiers.find((t) => t.id === r.minTierId)?.name ?? null,
      until: r.until,
    })),
    tiers: tiers.map((t) => ({ id: t.id, name: t.name })),
    validationId: shop.membersOnlyValidationId,
  };
}

export class AccessRuleError extends Error {
  constructor(readonly errors: FieldError[]) {
    super("invalid rules");
  }
}

/**
 * Replaces the shop's rules and publishes them. Answers whether Shopify took them: the rules are
 * saved either way, and saving again publishes them again.
 */
export async function saveAccessRules(db: Db, graphql: () => Promise<AdminGraphql>, shopId: string, input: AccessRuleInput[]) {
  const tiers = await db.tier.findMany({ where: { shopId, active: true } });
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  input.forEach((r, i) => {
    if (r.minTierId && !tiers.some((t) => t.id === r.minTierId))
      errors.push({ path: `rules.${i}.minTierId`, message: "no such tier" });
    if (seen.has(r.tag.toLowerCase())) errors.push({ path: `rules.${i}.tag`, message: "this tag has a rule already" });
    seen.add(r.tag.toLowerCase());
  });
  if (errors.length) throw new AccessRuleError(errors);
  await db.$transaction([
    db.accessRule.deleteMany({ where: { shopId } }),
    db.accessRule.createMany({
      data: input.map((r, position) => ({
        id: `ar_${randomUUID()}`,
        shopId,
        position,
        tag: r.tag,
        minTierId: r.minTierId ?? null,
        until: r.until ?? null,
      })),
    }),
  ]);
  const published = await publishAccessRules(db, graphql, shopId);
  return { ...(await accessRules(db, shopId)), published };
}

/** Writes the shop's rules to its validation in Shopify (creating it the first time), and for the theme's lock. */
export async function publishAccessRules(db: Db, graphql: () => Promise<AdminGraphql>, shopId: string): Promise<boolean> {
  const { rules, validationId } = await accessRules(db, shopId);
  const { tiers } = await tierSetup(db, shopId);
  const settings = membersOnlySettings(rules, tiers);
  try {
    const client = await graphql();
    const id = await publishMembersOnly(client, validationId, settings);
    await publishMembersOnlyForTheme(client, settings);
    if (id !== validationId) await db.shop.update({ where: { id: shopId }, data: { membersOnlyValidationId: id } });
    return true;
  } catch (error) {
    log("warn", "publishing members-only rules failed", { shop: shopId, error: errorText(error) });
    return false;
  }
}
