// Orders as Admin GraphQL lists them, turned into the same order events a webhook gives, for
// reconciliation: what Shopify knows about recent orders, read page by page within the API budget.
import { toMinorUnits } from "~/domain/money";
import type { OrderEvent, OrderFacts, OrderLine, RefundLine } from "~/domain/orders";
import { adminCall, type AdminGraphql } from "./admin-call.server";
import { ORDER_LINES, ORDER_REFUNDS, RECENT_ORDERS, type OrderLines, type OrderRefunds, type RecentOrders } from "./operations";

export type ShopifyOrder = RecentOrders["orders"]["nodes"][number];

const PAGE = 50;
// Requested costs of the documents (objects 1, lists by their `first`): kept in the bucket before each call.
const ORDERS_COST = 1 + PAGE * (3 + 20);
const REFUNDS_COST = 1 + 20 * (1 + 45 * 3);
const LINES_COST = 1 + 100 * 4;

const PAID = new Set(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"]);

/** Orders updated between `since` and `until`, oldest change first, a page at a time. */
export async function* ordersUpdatedSince(graphql: AdminGraphql, since: Date, until: Date): AsyncGenerator<ShopifyOrder[]> {
  let after: string | null = null;
  for (;;) {
    const data = (await adminCall(
      graphql,
      RECENT_ORDERS,
      { first: PAGE, after, query: `updated_at:>='${since.toISOString()}' AND updated_at:<='${until.toISOString()}'` },
      { cost: ORDERS_COST, attempts: 5 },
    )) as unknown as RecentOrders;
    yield data.orders.nodes;
    if (!data.orders.pageInfo.hasNextPage || !data.orders.pageInfo.endCursor) return;
    after = data.orders.pageInfo.endCursor;
  }
}

export interface ShopifyRefund {
  refundId: string;
  createdAt: Date;
  subtotalMinor: number;
  lines: RefundLine[];
}

const minor = (m: { amount: string; currencyCode: string }) => toMinorUnits(m.amount, m.currencyCode);

/** An order's lines as an orders/paid webhook gives them (what earns and what does not). */
export async function orderLines(graphql: AdminGraphql, orderId: string): Promise<OrderLine[]> {
  const data = (await adminCall(
    graphql,
    ORDER_LINES,
    { id: `gid://shopify/Order/${orderId}` },
    { cost: LINES_COST, attempts: 5 },
  )) as unknown as OrderLines;
  return (data.order?.lineItems.nodes ?? []).map((l) => ({
    productId: l.product?.legacyResourceId ?? null,
    giftCard: l.isGiftCard,
    netMinor:
      minor(l.originalUnitPriceSet.shopMoney) * l.quantity -
      l.discountAllocations.reduce((s, d) => s + minor(d.allocatedAmountSet.shopMoney), 0),
  }));
}

/** An order's refunds with their merchandise subtotals (what a refunds/create webhook says). */
export async function orderRefunds(graphql: AdminGraphql, orderId: string): Promise<ShopifyRefund[]> {
  const data = (await adminCall(
    graphql,
    ORDER_REFUNDS,
    { id: `gid://shopify/Order/${orderId}` },
    { cost: REFUNDS_COST, attempts: 5 },
  )) as unknown as OrderRefunds;
  return (data.order?.refunds ?? []).map((r) => {
    const lines = r.refundLineItems.nodes.map((l) => ({
      productId: l.lineItem?.product?.legacyResourceId ?? null,
      giftCard: l.lineItem?.isGiftCard ?? false,
      subtotalMinor: minor(l.subtotalSet.shopMoney),
    }));
    return {
      refundId: r.legacyResourceId,
      createdAt: new Date(r.createdAt),
      subtotalMinor: lines.reduce((sum, l) => sum + l.subtotalMinor, 0),
      lines,
    };
  });
}

export function shopifyOrderFacts(o: ShopifyOrder): OrderFacts {
  const shopMoney = o.subtotalPriceSet.shopMoney;
  return {
    orderId: o.legacyResourceId,
    name: o.name,
    customer: o.customer ? { customerId: o.customer.legacyResourceId, tags: o.customer.tags.join(", ") } : null,
    currency: shopMoney.currencyCode,
    subtotalMinor: toMinorUnits(shopMoney.amount, shopMoney.currencyCode),
    presentmentCurrency: o.subtotalPriceSet.presentmentMoney.currencyCode,
    discountCodes: o.discountCodes,
    test: o.test,
    createdAt: new Date(o.createdAt),
    paidAt: new Date(o.processedAt ?? o.createdAt),
  };
}

/** The paid and cancelled events Shopify's state of an order implies (refunds come separately). */
export function shopifyOrderEvents(o: ShopifyOrder): Array<Exclude<OrderEvent, { type: "refund" }>> {
  const facts = shopifyOrderFacts(o);
  const paid = PAID.has(o.displayFinancialStatus ?? "");
  const events: Array<Exclude<OrderEvent, { type: "refund" }>> = [];
  if (paid) events.push({ type: "paid", order: facts });
  if (o.cancelledAt) events.push({ type: "cancelled", order: facts, wasPaid: paid });
  return events;
}
