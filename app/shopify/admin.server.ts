import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./admin-call.server";

type AdminContext = Awaited<ReturnType<typeof unauthenticated.admin>>["admin"];

/** An admin context's GraphQL client in the shape the Shopify calls take (answers as JSON). */
export function graphqlOf(admin: AdminContext): AdminGraphql {
  return async (query, variables) => (await admin.graphql(query, { variables })).json();
}

/** The Admin GraphQL client of a shop's offline session. */
export async function adminGraphqlFor(shop: string): Promise<AdminGraphql> {
  return graphqlOf((await unauthenticated.admin(shop)).admin);
}
