// Publishes what the theme extension needs to compute "Earn N points" without a request per page
// view: the earning rate, as an app-data metafield (app.metafields.loyalty.program in Liquid).
import type { EarningRules } from "~/domain/program";
import type { AdminGraphql } from "./discounts.server";
import { APP_INSTALLATION, SET_APP_METAFIELDS } from "./operations";

export async function publishProgram(
  graphql: AdminGraphql,
  rules: Pick<EarningRules, "earnRateNum" | "earnRateDen" | "version" | "launchState">,
): Promise<void> {
  const installation = await graphql(APP_INSTALLATION);
  const ownerId = (installation.data as { currentAppInstallation: { id: string } }).currentAppInstallation.id;
  const result = await graphql(SET_APP_METAFIELDS, {
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
  const errors =
    (result.data as { metafieldsSet: { userErrors: Array<{ message: string }> } } | undefined)?.metafieldsSet.userErrors ?? [];
  if (result.errors || errors.length) throw new Error(`metafieldsSet failed: ${JSON.stringify(result.errors ?? errors)}`);
}
