// Publishes what the theme extension needs to compute "Earn N points" without a request per page
// view: the earning rate, as an app-data metafield (app.metafields.loyalty.program in Liquid).
import type { EarningRules } from "~/domain/program";
import { adminCall, type AdminGraphql } from "./admin-call.server";
import { APP_INSTALLATION, SET_APP_METAFIELDS } from "./operations";

export async function publishProgram(
  graphql: AdminGraphql,
  rules: Pick<EarningRules, "earnRateNum" | "earnRateDen" | "version" | "launchState">,
): Promise<void> {
  // Throttled answers are retried like every Admin call; a refusal is final.
  const installation = await adminCall(graphql, APP_INSTALLATION, {});
  const ownerId = (installation as { currentAppInstallation: { id: string } }).currentAppInstallation.id;
  const result = await adminCall(graphql, SET_APP_METAFIELDS, {
    metafields: [
      {
        ownerId,
        namespace: "loyalty",
        key: "program",
        type: "json",
        // `open`: the product-page estimate is shown only once the club is live for everyone.
        value: JSON.stringify({
          num: rules.earnRateNum,
          den: rules.earnRateDen,
          version: rules.version,
          open: rules.launchState === "live",
        }),
      },
    ],
  });
  const errors = (result as { metafieldsSet: { userErrors: Array<{ message: string }> } }).metafieldsSet.userErrors;
  if (errors.length) throw new Error(`metafieldsSet failed: ${JSON.stringify(errors)}`);
}

/** The members-only rules for the theme's lock (app.metafields.loyalty.members_only in Liquid). */
export async function publishMembersOnlyForTheme(graphql: AdminGraphql, settings: unknown): Promise<void> {
  const installation = await adminCall(graphql, APP_INSTALLATION, {});
  const ownerId = (installation as { currentAppInstallation: { id: string } }).currentAppInstallation.id;
  const result = await adminCall(graphql, SET_APP_METAFIELDS, {
    metafields: [{ ownerId, namespace: "loyalty", key: "members_only", type: "json", value: JSON.stringify(settings) }],
  });
  const errors = (result as { metafieldsSet: { userErrors: Array<{ message: string }> } }).metafieldsSet.userErrors;
  if (errors.length) throw new Error(`metafieldsSet failed: ${JSON.stringify(errors)}`);
}
