// Admin GraphQL as the emulator serves it: every document is validated against Shopify's real
// Admin schema for the version, then executed against the emulated store's state.
import { buildClientSchema, graphql, parse, validate, type GraphQLSchema } from "graphql";
import { adminIntrospection } from "../../scripts/admin-schema.mjs";
import type { EmulatedShop } from "./store.ts";

const schemas = new Map<string, GraphQLSchema>();

export function adminSchema(version = "2026-10"): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    schema = buildClientSchema(adminIntrospection(version));
    schemas.set(version, schema);
  }
  return schema;
}

/** Validation errors of a document against the Admin schema (empty when valid). */
export function validateAdminDocument(source: string, version = "2026-10"): string[] {
  try {
    return validate(adminSchema(version), parse(source)).map((e) => e.message);
  } catch (error) {
    return [(error as Error).message];
  }
}

export type Resolvers = Record<string, (args: Record<string, unknown>, shop: EmulatedShop) => unknown>;

function rootQuery(shop: EmulatedShop) {
  return {
    shop: () => ({
      id: `gid://shopify/Shop/${shop.id}`,
      name: shop.name,
      currencyCode: shop.currency,
      ianaTimezone: shop.timezone,
      myshopifyDomain: shop.domain,
      email: `owner@${shop.domain}`,
    }),
    currentAppInstallation: () => ({ id: `gid://shopify/AppInstallation/${shop.id}` }),
    codeDiscountNodeByCode: ({ code }: { code: string }) => {
      const found = shop.discountCodes.get(code.toUpperCase());
      return found ? { id: found.id } : null;
    },
    customer: ({ id }: { id: string }) => {
      const customer = shop.customers.get(Number(String(id).split("/").pop()));
      return (
        customer && {
          id: `gid://shopify/Customer/${customer.id}`,
          firstName: customer.first_name,
          lastName: customer.last_name,
          tags: customer.tags.split(", ").filter(Boolean),
        }
      );
    },
    // Shopify's search syntax, as far as the app uses it: `email:"a@b.c" OR id:123`.
    customers: ({ first, query }: { first?: number; query?: string }) => {
      const emails = [...(query ?? "").matchAll(/email:"?([^"\s]+)"?/g)].map((m) => m[1]!.toLowerCase());
      const ids = [...(query ?? "").matchAll(/\bid:(\d+)/g)].map((m) => Number(m[1]));
      const found = [...shop.customers.values()].filter(
        (c) => (emails.length === 0 && ids.length === 0) || emails.includes(c.email.toLowerCase()) || ids.includes(c.id),
      );
      return {
        nodes: found.slice(0, first ?? 50).map((c) => ({
          id: `gid://shopify/Customer/${c.id}`,
          defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
          tags: c.tags.split(", ").filter(Boolean),
        })),
      };
    },
  };
}

export async function executeAdmin(
  shop: EmulatedShop,
  body: { query?: string; variables?: Record<string, unknown>; operationName?: string },
  mutations: Resolvers,
  version = "2026-10",
) {
  const source = body.query ?? "";
  const errors = validateAdminDocument(source, version);
  if (errors.length) return { errors: errors.map((message) => ({ message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) };
  const rootValue: Record<string, unknown> = { ...rootQuery(shop) };
  for (const [name, fn] of Object.entries(mutations)) rootValue[name] = (args: Record<string, unknown>) => fn(args, shop);
  const result = await graphql({
    schema: adminSchema(version),
    source,
    rootValue,
    variableValues: body.variables,
    operationName: body.operationName,
  });
  return {
    ...result,
    extensions: {
      cost: {
        requestedQueryCost: 1,
        actualQueryCost: 1,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
      },
    },
  };
}
