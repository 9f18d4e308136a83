// The members-only validation in Shopify: created once (validationCreate, write_validations scope)
// with its rules in a metafield, updated with new rules afterwards (validationUpdate).
import { adminCall, ShopifyRejectedError, type AdminGraphql } from "./admin-call.server";
import { VALIDATION_CREATE, VALIDATION_UPDATE } from "./operations";
import type { MembersOnlySettings } from "./reward-settings";

export const MEMBERS_ONLY_FUNCTION = {
  handle: "loyalty-members-only",
  namespace: "$app:loyalty-members-only",
  key: "settings",
} as const;

/** Writes the settings; answers the validation's id (created when `validationId` is null). */
export async function publishMembersOnly(
  graphql: AdminGraphql,
  validationId: string | null,
  settings: MembersOnlySettings,
): Promise<string> {
  const common = {
    enable: true,
    blockOnFailure: true,
    title: "Loyalty Club members-only products",
    metafields: [
      {
        namespace: MEMBERS_ONLY_FUNCTION.namespace,
        key: MEMBERS_ONLY_FUNCTION.key,
        type: "json",
        value: JSON.stringify(settings),
      },
    ],
  };
  const [query, field, variables] = validationId
    ? [VALIDATION_UPDATE, "validationUpdate", { id: validationId, validation: common }]
    : [VALIDATION_CREATE, "validationCreate", { validation: { ...common, functionHandle: MEMBERS_ONLY_FUNCTION.handle } }];
  const data = await adminCall(graphql, query, variables);
  const result = data[field] as { validation: { id: string } | null; userErrors: Array<{ message: string }> };
  if (result.userErrors.length || !result.validation)
    throw new ShopifyRejectedError(result.userErrors.map((e) => e.message).join("; ") || "no validation");
  return result.validation.id;
}
