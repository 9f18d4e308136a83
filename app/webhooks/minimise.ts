// What the inbox keeps of a webhook body: only the fields app/webhooks/payloads.ts reads, so a
// stored job (and a dead letter) carries as little personal data as the work needs — no names,
// phone numbers, billing addresses, line titles or notes (of a line only what earning reads:
// product, quantity, price, discounts, gift card). Pure functions, no imports.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The listed keys of an object that are present (absent keys stay absent, null stays null). */
function pick(value: unknown, keys: readonly string[]): Json {
  const out: Json = {};
  if (!isObject(value)) return out;
  for (const key of keys) if (key in value) out[key] = value[key];
  return out;
}

/** `null` and non-objects as they are (the parser decides), objects reduced to `keys`. */
function pickOrKeep(value: unknown, keys: readonly string[]): unknown {
  return isObject(value) ? pick(value, keys) : value;
}

const list = (value: unknown, each: (item: unknown) => unknown): unknown => (Array.isArray(value) ? value.map(each) : value);

const MONEY = ["amount", "currency_code"] as const;
const moneySet = (v: unknown) => {
  if (!isObject(v)) return v;
  const out: Json = {};
  if ("shop_money" in v) out.shop_money = pickOrKeep(v.shop_money, MONEY);
  if ("presentment_money" in v) out.presentment_money = pickOrKeep(v.presentment_money, MONEY);
  return out;
};

const ORDER_KEYS = ["id", "name", "test", "created_at", "processed_at", "cancelled_at", "financial_status", "email"] as const;
const ADDRESS_KEYS = ["address1", "address2", "zip", "country_code"] as const;
const CUSTOMER_KEYS = ["id", "email", "tags"] as const;
// A customer's own events also keep the name, for the merchant's member list and its search
// (protected customer data, as the email); an order's copy of the customer does not.
const CUSTOMER_EVENT_KEYS = [...CUSTOMER_KEYS, "first_name", "last_name"] as const;

const LINE_KEYS = ["product_id", "quantity", "gift_card"] as const;

function line(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out = pick(value, LINE_KEYS);
  if ("price_set" in value) out.price_set = moneySet(value.price_set);
  if ("discount_allocations" in value)
    out.discount_allocations = list(value.discount_allocations, (d) =>
      isObject(d) && "amount_set" in d ? { amount_set: moneySet(d.amount_set) } : pickOrKeep(d, []),
    );
  return out;
}

function order(body: Json): Json {
  const out = pick(body, ORDER_KEYS);
  if ("customer" in body) out.customer = pickOrKeep(body.customer, CUSTOMER_KEYS);
  if ("subtotal_price_set" in body) out.subtotal_price_set = moneySet(body.subtotal_price_set);
  if ("line_items" in body) out.line_items = list(body.line_items, line);
  if ("discount_codes" in body) out.discount_codes = list(body.discount_codes, (d) => pickOrKeep(d, ["code", "amount"]));
  if ("shipping_address" in body) out.shipping_address = pickOrKeep(body.shipping_address, ADDRESS_KEYS);
  return out;
}

function refund(body: Json): Json {
  const out = pick(body, ["id", "order_id", "created_at"]);
  if ("refund_line_items" in body) {
    out.refund_line_items = list(body.refund_line_items, (line) =>
      isObject(line)
        ? {
            ...("subtotal_set" in line ? { subtotal_set: moneySet(line.subtotal_set) } : {}),
            ...("line_item" in line ? { line_item: pickOrKeep(line.line_item, ["product_id", "gift_card"]) } : {}),
          }
        : line,
    );
  }
  return out;
}

function compliance(body: Json): Json {
  const out = pick(body, ["shop_domain", "orders_requested", "orders_to_redact"]);
  if ("customer" in body) out.customer = pickOrKeep(body.customer, ["id"]);
  if ("data_request" in body) out.data_request = pickOrKeep(body.data_request, ["id"]);
  return out;
}

const MINIMISERS: Record<string, (body: Json) => Json> = {
  "orders/paid": order,
  "orders/cancelled": order,
  "refunds/create": refund,
  "customers/create": (b) => pick(b, CUSTOMER_EVENT_KEYS),
  "customers/update": (b) => pick(b, CUSTOMER_EVENT_KEYS),
  "products/create": (b) => pick(b, ["id", "tags"]),
  "products/update": (b) => pick(b, ["id", "tags"]),
  "products/delete": (b) => pick(b, ["id"]),
  "customers/data_request": compliance,
  "customers/redact": compliance,
  "shop/redact": (b) => pick(b, ["shop_domain"]),
  "app/uninstalled": () => ({}),
};

/** Whether the inbox knows how to reduce bodies of this topic (every stored topic must). */
export function canMinimise(topic: string): boolean {
  return topic in MINIMISERS;
}

/**
 * The JSON the inbox stores for a verified webhook body: only what the parser of its topic
 * reads. A topic without a minimiser keeps nothing (`{}`): a new topic must say what it needs.
 */
export function minimisePayload(topic: string, body: unknown): string {
  const minimise = MINIMISERS[topic];
  return JSON.stringify(minimise && isObject(body) ? minimise(body) : {});
}

/**
 * A stored payload with a redacted customer's details removed (customers/redact): an order
 * keeps its amounts but becomes a guest's order; a customer's own events keep nothing (null).
 */
export function redactPayload(topic: string, body: unknown): string | null {
  if (topic === "customers/create" || topic === "customers/update") return null;
  const minimised = JSON.parse(minimisePayload(topic, body)) as Json;
  if (topic === "orders/paid" || topic === "orders/cancelled") {
    if ("customer" in minimised) minimised.customer = null;
    if ("email" in minimised) minimised.email = null;
    if ("shipping_address" in minimised) minimised.shipping_address = null;
  }
  return JSON.stringify(minimised);
}
