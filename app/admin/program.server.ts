// Saving the program document, the one way the API, the import and the admin's forms all use:
// validate (zod, app/domain), save a new version (409 on a stale version), then publish what the
// theme reads and the members-only rules that name tiers (the storefront's own program cache
// catches up within seconds).
import db from "~/db.server";
import { parseProgramDocument, type FieldError } from "~/domain/program-document";
import { programDocument, saveProgram } from "~/models/program.server";
import { currentRules } from "~/models/shops.server";
import type { AdminGraphql } from "~/shopify/discounts.server";
import { publishProgram } from "~/shopify/storefront-data.server";
import { errorText, log } from "~/log.server";
import { publishAccessRules } from "~/models/members-only.server";
import { tierTagsMayHaveChanged } from "./tier-tags.server";
import { syncExcludedProducts } from "~/models/products.server";
import { adminGraphqlFor } from "~/shopify/admin.server";
import { refreshDueTierValues, tierValuesDue } from "~/models/tier-values.server";

export type ProgramSave =
  | { status: 200; document: Awaited<ReturnType<typeof programDocument>> }
  | { status: 409 | 422; error?: string; errors: FieldError[] };

export async function submitProgram(
  shopId: string,
  body: unknown,
  options: { actor: string; importing?: boolean; graphql?: () => Promise<AdminGraphql> },
): Promise<ProgramSave> {
  const parsed = parseProgramDocument(body);
  if (!parsed.ok) return { status: 422, errors: parsed.errors };
  const saved = await saveProgram(db, shopId, parsed.doc, { actor: options.actor, importing: options.importing });
  if (!saved.ok) {
    return {
      status: 409,
      error: "version_conflict",
      errors: [
        { path: "version", message: `the program was changed meanwhile (now version ${saved.current}); reload and try again` },
      ],
    };
  }
  if (options.graphql) {
    try {
      await publishProgram(await options.graphql(), await currentRules(db, shopId, saved.version));
    } catch (error) {
      // The theme's estimate is a courtesy; the saved program is what counts. The next save retries.
      log("warn", "publishing the program metafield failed", { shop: shopId, error: errorText(error) });
    }
  }
  // Tiers may have moved: members' tier tags in Shopify follow in the background, and the
  // members-only rules (which name tiers, and order them by threshold) are published again, so
  // checkout never enforces a tier by a name it no longer has.
  // A program that measures tiers another way now has its members' values computed first (after
  // the answer; the job thread's minute run finishes what a stopped process left), then the tags.
  if (await tierValuesDue(db, shopId))
    void refreshDueTierValues(db)
      .then(() => tierTagsMayHaveChanged(shopId))
      .catch((error) => log("warn", "tier values: refresh failed", { shop: shopId, error: errorText(error) }));
  else await tierTagsMayHaveChanged(shopId);
  // Products excluded by tag are listed again after the answer when the tags changed (it does
  // nothing otherwise); the job thread's run retries what fails here.
  void adminGraphqlFor(shopId)
    .then((graphql) => syncExcludedProducts(db, graphql, shopId))
    .catch((error) => log("warn", "excluded products: sync failed", { shop: shopId, error: errorText(error) }));
  if (options.graphql && (await db.accessRule.count({ where: { shopId } })) > 0)
    await publishAccessRules(db, options.graphql, shopId);
  return { status: 200, document: await programDocument(db, shopId) };
}

export const programAnswer = (result: ProgramSave) =>
  result.status === 200
    ? Response.json(result.document)
    : Response.json(result.error ? { error: result.error, errors: result.errors } : { errors: result.errors }, {
        status: result.status,
      });
