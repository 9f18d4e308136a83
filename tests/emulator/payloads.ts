// REST-shaped webhook payloads, as Shopify sends them for each topic (the fields the app and a
// careful reader would expect; money as decimal strings with shop and presentment sets).
export interface Money {
  amount: string;
  currency_code: string;
}

export interface Customer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  tags: string;
  created_at: string;
  phone: string | null;
}

export interface LineItem {
  id: number;
  product_id: number;
  variant_id: number;
  title: string;
  quantity: number;
  /** unit price in shop currency minor units, after line discounts */
  unitMinor: number;
  /** a gift card bought (it earns nothing: points come when it is spent) */
  gift_card?: boolean;
}

export interface Order {
  id: number;
  number: number;
  customer: Customer | null;
  email: string | null;
  created_at: string;
  currency: string;
  presentment_currency: string;
  /** presentment units per shop unit */
  rate: number;
  lines: LineItem[];
  discountMinor: number;
  discountCode: string | null;
  shippingMinor: number;
  taxMinor: number;
  test: boolean;
  financial_status: string;
  cancelled_at: string | null;
}

export interface Refund {
  id: number;
  order: Order;
  created_at: string;
  lines: Array<{ line: LineItem; quantity: number }>;
}

const fmt = (minor: number) => (minor / 100).toFixed(2);
export const moneySet = (minor: number, order: Pick<Order, "currency" | "presentment_currency" | "rate">) => ({
  shop_money: { amount: fmt(minor), currency_code: order.currency },
  presentment_money: { amount: fmt(Math.round(minor * order.rate)), currency_code: order.presentment_currency },
});

export function subtotalMinor(order: Order): number {
  return order.lines.reduce((sum, l) => sum + l.unitMinor * l.quantity, 0) - order.discountMinor;
}

/**
 * The order's discount allocated across its lines in proportion to their price, as Shopify
 * allocates an "across" discount application: whole minor units, the remainder on the last line
 * that takes a share, so the allocations add up to the discount exactly. Gift cards take none
 * (Shopify's discounts never apply to them).
 */
export function lineAllocations(order: Pick<Order, "lines" | "discountMinor">): number[] {
  const gross = order.lines.map((l) => (l.gift_card ? 0 : l.unitMinor * l.quantity));
  const total = gross.reduce((s, g) => s + g, 0);
  if (total === 0 || order.discountMinor === 0) return gross.map(() => 0);
  const shares = gross.map((g) => Math.floor((order.discountMinor * g) / total));
  const last = gross.findLastIndex((g) => g > 0);
  shares[last]! += order.discountMinor - shares.reduce((s, x) => s + x, 0);
  return shares;
}

export function customerPayload(c: Customer, extra: Record<string, unknown> = {}) {
  return {
    id: c.id,
    email: c.email,
    created_at: c.created_at,
    updated_at: c.created_at,
    first_name: c.first_name,
    last_name: c.last_name,
    state: "enabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    tags: c.tags,
    currency: "USD",
    phone: c.phone,
    addresses: [],
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${c.id}`,
    default_address: null,
    email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: c.created_at },
    ...extra,
  };
}

export function orderPayload(order: Order) {
  const subtotal = subtotalMinor(order);
  const total = subtotal + order.shippingMinor + order.taxMinor;
  const set = (minor: number) => moneySet(minor, order);
  const allocations = lineAllocations(order);
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: `#${order.number}`,
    order_number: order.number,
    number: order.number - 1000,
    email: order.email,
    contact_email: order.email,
    created_at: order.created_at,
    processed_at: order.created_at,
    updated_at: order.cancelled_at ?? order.created_at,
    cancelled_at: order.cancelled_at,
    cancel_reason: order.cancelled_at ? "customer" : null,
    closed_at: null,
    confirmed: true,
    currency: order.currency,
    presentment_currency: order.presentment_currency,
    financial_status: order.financial_status,
    fulfillment_status: null,
    test: order.test,
    taxes_included: false,
    source_name: "web",
    tags: "",
    buyer_accepts_marketing: false,
    subtotal_price: fmt(subtotal),
    subtotal_price_set: set(subtotal),
    total_line_items_price: fmt(subtotal + order.discountMinor),
    total_line_items_price_set: set(subtotal + order.discountMinor),
    total_discounts: fmt(order.discountMinor),
    total_discounts_set: set(order.discountMinor),
    total_shipping_price_set: set(order.shippingMinor),
    total_tax: fmt(order.taxMinor),
    total_tax_set: set(order.taxMinor),
    total_price: fmt(total),
    total_price_set: set(total),
    current_subtotal_price: fmt(subtotal),
    current_subtotal_price_set: set(subtotal),
    total_tip_received: "0.00",
    discount_codes: order.discountCode
      ? [{ code: order.discountCode, amount: fmt(order.discountMinor), type: "fixed_amount" }]
      : [],
    discount_applications: order.discountCode
      ? [
          {
            type: "discount_code",
            code: order.discountCode,
            value: fmt(order.discountMinor),
            value_type: "fixed_amount",
            allocation_method: "across",
            target_selection: "all",
            target_type: "line_item",
          },
        ]
      : [],
    customer: order.customer ? customerPayload(order.customer) : null,
    line_items: order.lines.map((l, i) => ({
      id: l.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
      product_id: l.product_id,
      variant_id: l.variant_id,
      title: l.title,
      name: l.title,
      quantity: l.quantity,
      price: fmt(l.unitMinor),
      price_set: set(l.unitMinor),
      sku: `SKU-${l.variant_id}`,
      requires_shipping: true,
      taxable: true,
      gift_card: l.gift_card ?? false,
      total_discount: "0.00",
      total_discount_set: set(0),
      discount_allocations: allocations[i]
        ? [{ amount: fmt(allocations[i]!), amount_set: set(allocations[i]!), discount_application_index: 0 }]
        : [],
      tax_lines: [],
    })),
    shipping_lines: [
      {
        id: order.id + 1,
        title: "Standard",
        price: fmt(order.shippingMinor),
        price_set: set(order.shippingMinor),
        code: "STANDARD",
      },
    ],
    tax_lines: [{ title: "Sales tax", rate: 0.08, price: fmt(order.taxMinor), price_set: set(order.taxMinor) }],
    refunds: [],
  };
}

export function refundPayload(refund: Refund) {
  const order = refund.order;
  const set = (minor: number) => moneySet(minor, order);
  const allocations = lineAllocations(order);
  return {
    id: refund.id,
    admin_graphql_api_id: `gid://shopify/Refund/${refund.id}`,
    order_id: order.id,
    created_at: refund.created_at,
    processed_at: refund.created_at,
    note: "Returned by customer",
    restock: true,
    user_id: null,
    duties: [],
    order_adjustments: [],
    transactions: [],
    refund_line_items: refund.lines.map(({ line, quantity }, i) => {
      // The refunded units' part of the discount allocated to their line.
      const gross = line.unitMinor * quantity;
      const share = Math.round(((allocations[order.lines.indexOf(line)] ?? 0) * quantity) / line.quantity);
      const subtotal = gross - share;
      return {
        id: refund.id * 10 + i,
        line_item_id: line.id,
        quantity,
        restock_type: "return",
        location_id: null,
        subtotal: Number(fmt(subtotal)),
        subtotal_set: set(subtotal),
        total_tax: 0,
        total_tax_set: set(0),
        line_item: {
          id: line.id,
          title: line.title,
          quantity: line.quantity,
          price: fmt(line.unitMinor),
          variant_id: line.variant_id,
          product_id: line.product_id,
          gift_card: line.gift_card ?? false,
        },
      };
    }),
  };
}

/** The refunded merchandise subtotal of a refund payload, in minor units (what the app must use). */
export function refundSubtotalMinor(payload: ReturnType<typeof refundPayload>): number {
  return payload.refund_line_items.reduce((s, l) => s + Math.round(Number(l.subtotal_set.shop_money.amount) * 100), 0);
}

export function shopPayload(shop: { domain: string; name: string; id: number; currency: string; timezone: string }) {
  return {
    id: shop.id,
    name: shop.name,
    email: `owner@${shop.domain}`,
    domain: shop.domain,
    myshopify_domain: shop.domain,
    currency: shop.currency,
    iana_timezone: shop.timezone,
    plan_name: "basic",
    created_at: "2023-01-10T10:00:00-05:00",
  };
}

/** A product as products/create and products/update send it (tags comma-separated, as the REST resource has them). */
export function productPayload(product: { id: number; title: string; tags: readonly string[]; updated_at: string }) {
  return {
    id: product.id,
    admin_graphql_api_id: `gid://shopify/Product/${product.id}`,
    title: product.title,
    handle: product.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    body_html: "",
    vendor: "Emulated store",
    product_type: "",
    status: "active",
    published_scope: "global",
    tags: product.tags.join(", "),
    created_at: product.updated_at,
    updated_at: product.updated_at,
    published_at: product.updated_at,
    template_suffix: null,
    variants: [],
    options: [],
    images: [],
    image: null,
    media: [],
    variant_gids: [],
    has_variants_that_requires_components: false,
    category: null,
  };
}
