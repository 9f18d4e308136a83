// Admin GraphQL as the emulator serves it: every document is validated against Shopify's real
// Admin schema for the version, then executed against the emulated store's state.
import { buildClientSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import { adminIntrospection } from "../../scripts/admin-schema.mjs";
import { lineAllocations, refundPayload, subtotalMinor, type Order } from "./payloads.ts";
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

// A document's parse and validation, once per version and text: the app sends the same few
// documents thousands of times in a benchmark, and validating against the whole Admin schema each
// time made the emulator a noticeable share of the machine's CPU beside the app it serves.
const checked = new Map<string, { document: DocumentNode | null; errors: string[] }>();

function checkedDocument(source: string, version: string) {
  const key = `${version}\u0000${source}`;
  let entry = checked.get(key);
  if (!entry) {
    try {
      const document = parse(source);
      const errors = validate(adminSchema(version), document).map((e) => e.message);
      entry = { document: errors.length ? null : document, errors };
    } catch (error) {
      entry = { document: null, errors: [(error as Error).message] };
    }
    if (checked.size < 1_000) checked.set(key, entry);
  }
  return entry;
}

/** Validation errors of a document against the Admin schema (empty when valid). */
export function validateAdminDocument(source: string, version = "2026-10"): string[] {
  return checkedDocument(source, version).errors;
}

export type Resolvers = Record<string, (args: Record<string, unknown>, shop: EmulatedShop) => unknown>;

/** When an order last changed: created, cancelled or refunded. */
export function orderUpdatedAt(shop: EmulatedShop, order: Order): string {
  const times = [
    order.created_at,
    order.cancelled_at,
    ...shop.refunds.filter((r) => r.order.id === order.id).map((r) => r.created_at),
  ];
  return times
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1)!;
}

/** An Order node as Admin GraphQL answers it (the fields the app asks for, and a few more). */
function orderNode(shop: EmulatedShop, order: Order) {
  const money = (minor: number) => ({ amount: (minor / 100).toFixed(2), currencyCode: order.currency });
  return {
    id: `gid://shopify/Order/${order.id}`,
    legacyResourceId: String(order.id),
    name: `#${order.number}`,
    createdAt: order.created_at,
    processedAt: order.created_at,
    updatedAt: orderUpdatedAt(shop, order),
    cancelledAt: order.cancelled_at,
    displayFinancialStatus: order.financial_status.toUpperCase(),
    test: order.test,
    discountCodes: order.discountCode ? [order.discountCode] : [],
    customer: order.customer && {
      id: `gid://shopify/Customer/${order.customer.id}`,
      legacyResourceId: String(order.customer.id),
      tags: order.customer.tags.split(", ").filter(Boolean),
    },
    subtotalPriceSet: {
      shopMoney: money(subtotalMinor(order)),
      presentmentMoney: {
        amount: (Math.round(subtotalMinor(order) * order.rate) / 100).toFixed(2),
        currencyCode: order.presentment_currency,
      },
    },
    lineItems: ({ first }: { first?: number }) => {
      const allocations = lineAllocations(order);
      const lines = order.lines.slice(0, first ?? 50);
      return {
        nodes: lines.map((l, i) => ({
          id: `gid://shopify/LineItem/${l.id}`,
          quantity: l.quantity,
          isGiftCard: l.gift_card ?? false,
          product: { id: `gid://shopify/Product/${l.product_id}`, legacyResourceId: String(l.product_id) },
          originalUnitPriceSet: { shopMoney: money(l.unitMinor) },
          discountAllocations: allocations[i] ? [{ allocatedAmountSet: { shopMoney: money(allocations[i]!) } }] : [],
        })),
        pageInfo: { hasNextPage: order.lines.length > lines.length },
      };
    },
    refunds: ({ first }: { first?: number }) =>
      shop.refunds
        .filter((r) => r.order.id === order.id)
        .slice(0, first ?? 50)
        .map((r) => {
          const payload = refundPayload(r);
          return {
            id: `gid://shopify/Refund/${r.id}`,
            legacyResourceId: String(r.id),
            createdAt: r.created_at,
            refundLineItems: ({ first: lines }: { first?: number }) => ({
              nodes: payload.refund_line_items.slice(0, lines ?? 50).map((l) => ({
                quantity: l.quantity,
                lineItem: {
                  id: `gid://shopify/LineItem/${l.line_item.id}`,
                  isGiftCard: l.line_item.gift_card,
                  product: {
                    id: `gid://shopify/Product/${l.line_item.product_id}`,
                    legacyResourceId: String(l.line_item.product_id),
                  },
                },
                subtotalSet: {
                  shopMoney: { amount: l.subtotal_set.shop_money.amount, currencyCode: l.subtotal_set.shop_money.currency_code },
                  presentmentMoney: {
                    amount: l.subtotal_set.presentment_money.amount,
                    currencyCode: l.subtotal_set.presentment_money.currency_code,
                  },
                },
              })),
            }),
          };
        }),
  };
}

/** `orders(query: "updated_at:>='…'")`, sorted by UPDATED_AT, paged with opaque cursors. */
function ordersConnection(shop: EmulatedShop, args: { first?: number; after?: string | null; query?: string | null }) {
  // Shopify's search syntax, the part the app uses: updated_at:>='…' AND updated_at:<='…'
  const since = /updated_at:>=?'?([^' ]+)'?/.exec(args.query ?? "")?.[1];
  const until = /updated_at:<=?'?([^' ]+)'?/.exec(args.query ?? "")?.[1];
  const all = [...shop.orders.values()]
    .filter((o) => !since || orderUpdatedAt(shop, o) >= new Date(since).toISOString())
    .filter((o) => !until || orderUpdatedAt(shop, o) <= new Date(until).toISOString())
    .sort((a, b) => (orderUpdatedAt(shop, a) < orderUpdatedAt(shop, b) ? -1 : 1));
  const start = args.after ? Number(Buffer.from(args.after, "base64").toString()) + 1 : 0;
  const page = all.slice(start, start + (args.first ?? 50));
  const end = start + page.length - 1;
  return {
    nodes: page.map((o) => orderNode(shop, o)),
    pageInfo: { hasNextPage: end < all.length - 1, endCursor: page.length ? Buffer.from(String(end)).toString("base64") : null },
  };
}

/**
 * `products(query: "tag:'a' OR tag:'b'")`: the products carrying any of the tags (Shopify's
 * search, as far as the app uses it; tags compared ignoring case), paged with opaque cursors.
 */
function productsConnection(shop: EmulatedShop, args: { first?: number; after?: string | null; query?: string | null }) {
  const wanted = [...(args.query ?? "").matchAll(/tag:'((?:[^'\\]|\\.)*)'/g)].map((m) =>
    m[1]!.replace(/\\(.)/g, "$1").toLowerCase(),
  );
  const all = [...shop.productTags]
    .filter(([, tags]) => wanted.length === 0 || tags.some((t) => wanted.includes(t.toLowerCase())))
    .sort((a, b) => a[0] - b[0]);
  const start = args.after ? Number(Buffer.from(args.after, "base64").toString()) + 1 : 0;
  const page = all.slice(start, start + (args.first ?? 50));
  const end = start + page.length - 1;
  return {
    nodes: page.map(([id, tags]) => ({ id: `gid://shopify/Product/${id}`, legacyResourceId: String(id), tags })),
    pageInfo: { hasNextPage: end < all.length - 1, endCursor: page.length ? Buffer.from(String(end)).toString("base64") : null },
  };
}

function rootQuery(shop: EmulatedShop) {
  return {
    products: (args: { first?: number; after?: string | null; query?: string | null }) => productsConnection(shop, args),
    orders: (args: { first?: number; after?: string | null; query?: string | null }) => ordersConnection(shop, args),
    order: ({ id }: { id: string }) => {
      const order = shop.orders.get(Number(String(id).split("/").pop()));
      return order ? orderNode(shop, order) : null;
    },
    shop: () => ({
      id: `gid://shopify/Shop/${shop.id}`,
      name: shop.name,
      currencyCode: shop.currency,
      ianaTimezone: shop.timezone,
      myshopifyDomain: shop.domain,
      email: `owner@${shop.domain}`,
      // The tags the shop's customers carry, most used first.
      customerTags: ({ first }: { first: number }) => {
        const uses = new Map<string, number>();
        for (const c of shop.customers.values())
          for (const tag of c.tags.split(", ").filter(Boolean)) uses.set(tag, (uses.get(tag) ?? 0) + 1);
        const nodes = [...uses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([tag]) => tag);
        return { nodes: nodes.slice(0, first) };
      },
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
  const { document, errors } = checkedDocument(body.query ?? "", version);
  if (!document) return { errors: errors.map((message) => ({ message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) };
  const rootValue: Record<string, unknown> = { ...rootQuery(shop) };
  for (const [name, fn] of Object.entries(mutations)) rootValue[name] = (args: Record<string, unknown>) => fn(args, shop);
  const result = await execute({
    schema: adminSchema(version),
    document,
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
