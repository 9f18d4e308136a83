import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { unauthenticated } from "~/shopify.server";
import { ShopNotConnectedError, type AdminGraphql } from "./admin-call.server";

type AdminClient = { graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response> };

/** An admin client in the shape the Shopify calls take (answers as JSON). */
export function adminGraphqlClient(admin: AdminClient): AdminGraphql {
  return async (query, variables) => (await admin.graphql(query, { variables })).json();
}

/** The Admin GraphQL client of a shop's offline session; ShopNotConnectedError where there is none. */
export async function adminGraphqlFor(shop: string): Promise<AdminGraphql> {
  try {
    const { admin } = await unauthenticated.admin(shop);
    return adminGraphqlClient(admin);
  } catch (error) {
    if (error instanceof SessionNotFoundError) throw new ShopNotConnectedError(shop);
    throw error;
  }
}
