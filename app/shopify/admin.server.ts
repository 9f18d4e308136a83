import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./discounts.server";

/** The Admin GraphQL client of a shop's offline session, in the shape the Shopify calls take. */
export async function adminGraphqlFor(shop: string): Promise<AdminGraphql> {
  const { admin } = await unauthenticated.admin(shop);
  return async (query, variables) => (await admin.graphql(query, { variables })).json();
}
