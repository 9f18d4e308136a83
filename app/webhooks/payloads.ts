// The parts of Shopify's REST-shaped webhook payloads the app uses, validated at the door.
// A body that fails here is answered 422 and nothing is stored.
import { z } from "zod";
import { toMinorUnits } from "~/domain/money";
import type { OrderEvent, OrderFacts, OrderLine, RefundLine } from "~/domain/orders";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const money = z.object({ amount: z.union([z.string(), z.number()]), currency_code: z.string().length(3) });
const moneySet = z.object({ shop_money: money, presentment_money: money.optional() });
const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "not a timestamp")
  .transform((s) => new Date(s));

// An order's line as earning reads it: what it cost after its discounts, whether it is a gift
// card, and its product (a product the program excludes by tag earns nothing).
const discountAllocation = z.object({ amount_set: moneySet }).passthrough();
const lineItem = z
  .object({
    product_id: id.nullish(),
    quantity: z.number().int().nonnegative(),
    price_set: moneySet,
    gift_card: z.boolean().default(false),
    discount_allocations: z.array(discountAllocation).default([]),
  })
  .passthrough();

const names = { first_name: z.string().nullish(), last_name: z.string().nullish() };
const customer = z.object({ id, email: z.string().nullish(), tags: z.string().nullish() }).passthrough();

const order = z
  .object({
    id,
    name: z.string().default(""),
    customer: customer.nullish(),
    subtotal_price_set: moneySet,
    line_items: z.array(lineItem).default([]),
    discount_codes: z
      .array(z.object({ code: z.string(), amount: z.union([z.string(), z.number()]).nullish() }).passthrough())
      .default([]),
    test: z.boolean().default(false),
    created_at: timestamp,
    processed_at: timestamp.nullish(),
    cancelled_at: timestamp.nullish(),
    financial_status: z.string().nullish(),
    email: z.string().nullish(),
    shipping_address: z
      .object({
        address1: z.string().nullish(),
        address2: z.string().nullish(),
        zip: z.string().nullish(),
        country_code: z.string().nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();

const refund = z
  .object({
    id,
    order_id: id,
    created_at: timestamp,
    refund_line_items: z
      .array(
        z
          .object({
            subtotal_set: moneySet,
            line_item: z
              .object({ product_id: id.nullish(), gift_card: z.boolean().default(false) })
              .passthrough()
              .nullish(),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();

const productPayload = z.object({ id, tags: z.string().nullish() }).passthrough();

const customerPayload = z.object({ id, email: z.string().nullish(), tags: z.string().nullish(), ...names }).passthrough();

const complianceCustomer = z
  .object({
    shop_domain: z.string(),
    customer: z.object({ id }).passthrough(),
    orders_requested: z.array(id).optional(),
    orders_to_redact: z.array(id).optional(),
    data_request: z.object({ id }).passthrough().optional(),
  })
  .passthrough();

const shopRedact = z.object({ shop_domain: z.string() }).passthrough();

// app/uninstalled carries the shop resource: `domain` is its primary (possibly custom) domain,
// `myshopify_domain` the one Shopify names it by in X-Shopify-Shop-Domain.
const shopResource = z.object({ myshopify_domain: z.string() }).passthrough();

export class PayloadError extends Error {
  readonly code: string = "invalid_payload";
}

/** A body that names another shop than X-Shopify-Shop-Domain (which the HMAC does not cover). */
export class ShopMismatchError extends PayloadError {
  override readonly code = "shop_mismatch";
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PayloadError(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return result.data;
}

function orderFacts(body: z.output<typeof order>): OrderFacts {
  const shopMoney = body.subtotal_price_set.shop_money;
  let subtotalMinor: number;
  try {
    subtotalMinor = toMinorUnits(String(shopMoney.amount), shopMoney.currency_code);
  } catch (error) {
    throw new PayloadError(`subtotal_price_set.shop_money.amount: ${(error as Error).message}`);
  }
  let lines: OrderLine[];
  try {
    lines = body.line_items.map((l, i) => {
      const currency = l.price_set.shop_money.currency_code;
      const unit = toMinorUnits(String(l.price_set.shop_money.amount), currency);
      const discounts = l.discount_allocations.reduce(
        (s, d) => s + toMinorUnits(String(d.amount_set.shop_money.amount), d.amount_set.shop_money.currency_code),
        0,
      );
      if (!Number.isSafeInteger(unit * l.quantity)) throw new Error(`line ${i}: amount out of range`);
      return { productId: l.product_id ?? null, giftCard: l.gift_card, netMinor: unit * l.quantity - discounts };
    });
  } catch (error) {
    throw new PayloadError(`line_items: ${(error as Error).message}`);
  }
  return {
    orderId: body.id,
    name: body.name,
    customer: body.customer ? { customerId: body.customer.id, email: body.customer.email, tags: body.customer.tags } : null,
    currency: shopMoney.currency_code,
    subtotalMinor,
    lines,
    presentmentCurrency: body.subtotal_price_set.presentment_money?.currency_code ?? null,
    discountCodes: body.discount_codes.map((d) => d.code),
    // REST orders give a code's amount in the shop's currency; an amount that does not parse is left out.
    codeDiscounts: body.discount_codes.flatMap((d) => {
      try {
        return d.amount == null ? [] : [{ code: d.code, amountMinor: toMinorUnits(String(d.amount), shopMoney.currency_code) }];
      } catch {
        return [];
      }
    }),
    test: body.test,
    createdAt: body.created_at,
    paidAt: body.processed_at ?? body.created_at,
    email: body.customer?.email ?? body.email ?? null,
    shippingAddress: body.shipping_address ?? null,
  };
}

const PAID_STATUSES = new Set(["paid", "partially_refunded", "refunded"]);

export function parseOrderEvent(topic: string, body: unknown): OrderEvent {
  if (topic === "refunds/create") {
    const r = parse(refund, body);
    let subtotalMinor = 0;
    const lines: RefundLine[] = [];
    try {
      for (const line of r.refund_line_items) {
        const minor = toMinorUnits(String(line.subtotal_set.shop_money.amount), line.subtotal_set.shop_money.currency_code);
        subtotalMinor += minor;
        lines.push({
          productId: line.line_item?.product_id ?? null,
          giftCard: line.line_item?.gift_card ?? false,
          subtotalMinor: minor,
        });
      }
    } catch (error) {
      throw new PayloadError(`refund_line_items: ${(error as Error).message}`);
    }
    return { type: "refund", orderId: r.order_id, refundId: r.id, subtotalMinor, lines, createdAt: r.created_at };
  }
  const o = parse(order, body);
  if (topic === "orders/cancelled") {
    return { type: "cancelled", order: orderFacts(o), wasPaid: PAID_STATUSES.has(o.financial_status ?? "") };
  }
  return { type: "paid", order: orderFacts(o) };
}

export function parseCustomer(body: unknown) {
  const c = parse(customerPayload, body);
  return { customerId: c.id, email: c.email, tags: c.tags, firstName: c.first_name, lastName: c.last_name };
}

export function parseProduct(body: unknown) {
  const p = parse(productPayload, body);
  return { productId: p.id, tags: p.tags ?? null };
}

export function parseComplianceCustomer(body: unknown) {
  const c = parse(complianceCustomer, body);
  return {
    customerId: c.customer.id,
    orderIds: [...(c.orders_requested ?? []), ...(c.orders_to_redact ?? [])],
    requestId: c.data_request?.id ?? null,
  };
}

export function parseShopRedact(body: unknown) {
  return parse(shopRedact, body);
}

export function parseShopResource(body: unknown) {
  return parse(shopResource, body);
}

/** The customer a payload is about, kept beside the job so customers/redact can clear it. */
export function customerOf(topic: string, body: unknown): string | null {
  const b = body as Record<string, unknown>;
  const pick = (v: unknown) => (typeof v === "number" || typeof v === "string" ? String(v) : null);
  if (topic.startsWith("orders/")) return pick((b.customer as { id?: unknown } | null)?.id);
  if (topic === "customers/create" || topic === "customers/update") return pick(b.id);
  if (topic.startsWith("customers/")) return pick((b.customer as { id?: unknown } | null)?.id);
  return null;
}
