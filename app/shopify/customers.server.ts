// Customers as Shopify has them, for what the app has not seen in a webhook yet: the tags a
// pilot checks, and the customer behind an email in an imported file.
import { adminCall } from "./admin-call.server";
import { ShopifyUnavailableError, type AdminGraphql } from "./discounts.server";
import { CUSTOMER_TAGS, CUSTOMERS_SEARCH, SHOP_CUSTOMER_TAGS } from "./operations";

export async function customerTags(graphql: AdminGraphql, customerId: string): Promise<string[] | null> {
  const result = await graphql(CUSTOMER_TAGS, { id: `gid://shopify/Customer/${customerId}` });
  if (result.errors) throw new ShopifyUnavailableError(JSON.stringify(result.errors));
  const customer = (result.data as { customer: { tags: string[] } | null } | undefined)?.customer;
  return customer ? customer.tags : null;
}

export interface ShopifyCustomer {
  customerId: string;
  email: string;
  tags: string[];
}

const BATCH = 50;

interface CustomerNode {
  id: string;
  defaultEmailAddress: { emailAddress: string } | null;
  tags: string[];
}

async function searchCustomers(graphql: AdminGraphql, terms: string[]): Promise<ShopifyCustomer[]> {
  const result = await graphql(CUSTOMERS_SEARCH, { query: terms.join(" OR ") });
  if (result.errors) throw new ShopifyUnavailableError(JSON.stringify(result.errors));
  const nodes = (result.data as { customers: { nodes: CustomerNode[] } } | undefined)?.customers.nodes ?? [];
  return nodes.map((n) => ({
    customerId: n.id.split("/").pop()!,
    email: n.defaultEmailAddress?.emailAddress.toLowerCase() ?? "",
    tags: n.tags,
  }));
}

/** The shop's customers with these emails, a batch a query; an email two customers share matches neither. */
export async function customersByEmail(graphql: AdminGraphql, emails: readonly string[]): Promise<Map<string, ShopifyCustomer>> {
  const found = new Map<string, ShopifyCustomer | null>();
  for (let i = 0; i < emails.length; i += BATCH) {
    const part = emails.slice(i, i + BATCH);
    for (const c of await searchCustomers(
      graphql,
      part.map((e) => `email:"${e.replace(/["\\]/g, "")}"`),
    )) {
      if (part.includes(c.email)) found.set(c.email, found.has(c.email) ? null : c);
    }
  }
  return new Map([...found].flatMap(([e, c]) => (c ? [[e, c] as const] : [])));
}

/** The shop's customers with these ids (numeric strings), a batch a query. */
export async function customersById(graphql: AdminGraphql, ids: readonly string[]): Promise<Map<string, ShopifyCustomer>> {
  const found = new Map<string, ShopifyCustomer>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const part = ids.slice(i, i + BATCH);
    for (const c of await searchCustomers(
      graphql,
      part.map((id) => `id:${id}`),
    ))
      if (part.includes(c.customerId)) found.set(c.customerId, c);
  }
  return found;
}

/** The tags the shop's customers carry (up to 250), for the pilot's choice of tag. */
export async function shopCustomerTags(graphql: AdminGraphql): Promise<string[]> {
  const data = (await adminCall(graphql, SHOP_CUSTOMER_TAGS, {}, { attempts: 2 })) as {
    shop: { customerTags: { nodes: string[] } };
  };
  return data.shop.customerTags.nodes;
}
