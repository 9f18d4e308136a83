// The emulated store's state and a deterministic generator of a realistic shop history.
import type { FiredTrigger } from "./flow.ts";
import { Random } from "./prng.ts";
import {
  customerPayload,
  orderPayload,
  refundPayload,
  type Customer,
  type LineItem,
  type Order,
  type Refund,
} from "./payloads.ts";

export interface EmulatedShop {
  domain: string;
  name: string;
  id: number;
  currency: string;
  timezone: string;
  customers: Map<number, Customer>;
  orders: Map<number, Order>;
  refunds: Refund[];
  /** offline tokens issued by token exchange */
  accessTokens: Set<string>;
  discountCodes: Map<string, Record<string, unknown>>;
  /** app-data metafields ("namespace.key" → parsed value), as Liquid's app.metafields sees them */
  appMetafields: Map<string, unknown>;
  /** cart and checkout validations the app created (validationCreate), by id */
  validations: Map<
    string,
    { functionHandle: string; enabled: boolean; blockOnFailure: boolean; metafields: Map<string, unknown> }
  >;
  /** app embeds the theme editor was opened to switch on (`<api key>/<handle>`), in order */
  embedActivations: string[];
  /** Flow triggers the app fired and Flow accepted (flowTriggerReceive), in order */
  flowTriggers: FiredTrigger[];
  /** customers' metafields ("<customer id>" → "namespace.key" → {type, value}), as metafieldsSet left them */
  customerMetafields: Map<number, Map<string, { type: string; value: string }>>;
  /** products' tags (product id → tags), as the merchant set them (tagProduct) */
  productTags: Map<number, string[]>;
}

/** A webhook the history calls for, with its payload as it was at that moment. */
export interface HistoryEvent {
  at: string;
  topic: "customers/create" | "orders/paid" | "orders/cancelled" | "refunds/create";
  payload: Record<string, unknown>;
}

const FIRST = [
  "Ava",
  "Liam",
  "Maya",
  "Noah",
  "Sara",
  "Omar",
  "Lena",
  "Jonas",
  "Yara",
  "Arash",
  "Mina",
  "Lucas",
  "Emma",
  "Kian",
  "Nora",
  "Elias",
  "Zoe",
  "Darius",
  "Ida",
  "Felix",
];
const LAST = [
  "Berger",
  "Rahimi",
  "Schmidt",
  "Karimi",
  "Novak",
  "Jensen",
  "Moradi",
  "Fischer",
  "Larsen",
  "Weber",
  "Hosseini",
  "Keller",
  "Dubois",
  "Rossi",
  "Tehrani",
  "Walsh",
];
export const PRODUCTS = [
  ["Trail Runner Sock", 1400],
  ["Merino Beanie", 3200],
  ["Canvas Tote", 2400],
  ["Waxed Jacket", 18900],
  ["Flannel Shirt", 6800],
  ["Leather Belt", 4500],
  ["Rain Shell", 12900],
  ["Wool Scarf", 3900],
  ["Hiking Boot", 15900],
  ["Field Notebook", 1250],
  ["Thermal Mug", 2799],
  ["Down Vest", 9900],
] as const;
/** The shop's products as the storefront and the admin's resource picker list them (one variant each). */
export const CATALOG = PRODUCTS.map(([title, price], i) => ({
  handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
  title,
  priceMinor: price,
  productId: 8_000_000 + i,
  variantId: 4_000_000 + i,
}));
const PRESENTMENT: Array<[string, number, number]> = [
  ["USD", 1, 0.6],
  ["CAD", 1.36, 0.15],
  ["EUR", 0.92, 0.15],
  ["GBP", 0.79, 0.1],
];

export function emptyShop(domain: string, name = "Demo Outfitters", currency = "USD"): EmulatedShop {
  return {
    domain,
    name,
    id: 60_000_000 + domain.length * 7919,
    currency,
    timezone: "America/New_York",
    customers: new Map(),
    orders: new Map(),
    refunds: [],
    accessTokens: new Set(),
    discountCodes: new Map(),
    appMetafields: new Map(),
    validations: new Map(),
    embedActivations: [],
    flowTriggers: [],
    customerMetafields: new Map(),
    productTags: new Map(),
  };
}

export interface GenerateOptions {
  seed?: number;
  customers?: number;
  orders?: number;
  months?: number;
  now?: Date;
}

/** A shop history: customers, ~18 months of orders, some refunded, some cancelled. Deterministic per seed. */
export function generateHistory(shop: EmulatedShop, options: GenerateOptions = {}): HistoryEvent[] {
  const rnd = new Random(options.seed ?? 42);
  const now = options.now ?? new Date("2026-11-01T12:00:00Z");
  const months = options.months ?? 18;
  const start = new Date(now.getTime() - months * 30 * 86_400_000);
  const span = now.getTime() - start.getTime();
  const events: HistoryEvent[] = [];

  const customers: Customer[] = [];
  for (let i = 0; i < (options.customers ?? 240); i++) {
    const first = rnd.pick(FIRST);
    const last = rnd.pick(LAST);
    const created = new Date(start.getTime() + Math.floor(rnd.next() * span * 0.8));
    const tags = [rnd.chance(0.1) ? "vip" : "", rnd.chance(0.02) ? "loyalty-opt-out" : ""].filter(Boolean).join(", ");
    const customer: Customer = {
      id: 7001 + i,
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      first_name: first,
      last_name: last,
      tags,
      created_at: created.toISOString(),
      phone: null,
    };
    customers.push(customer);
    shop.customers.set(customer.id, customer);
    events.push({ at: customer.created_at, topic: "customers/create", payload: customerPayload(customer) });
  }

  let lineId = 90_000_000;
  for (let n = 0; n < (options.orders ?? 2100); n++) {
    const created = new Date(start.getTime() + Math.floor(((n + rnd.next()) / (options.orders ?? 2100)) * span));
    // Repeat buyers: a skewed pick makes some customers far more frequent than others.
    const eligible = customers.filter((c) => c.created_at <= created.toISOString());
    const customer = rnd.chance(0.12) || eligible.length === 0 ? null : eligible[Math.floor(rnd.next() ** 2 * eligible.length)]!;
    const lines: LineItem[] = Array.from({ length: rnd.int(1, 3) }, () => {
      const [title, price] = rnd.pick(PRODUCTS);
      const productIndex = PRODUCTS.findIndex((p) => p[0] === title);
      return {
        id: lineId++,
        product_id: 8_000_000 + productIndex,
        variant_id: 4_000_000 + productIndex,
        title,
        quantity: rnd.int(1, 2),
        unitMinor: price,
      };
    });
    const gross = lines.reduce((s, l) => s + l.unitMinor * l.quantity, 0);
    const roll = rnd.next();
    const discountCode = roll < 0.07 ? "WELCOME10" : roll < 0.11 ? "SPRING5" : null;
    const discountMinor = discountCode === "WELCOME10" ? Math.round(gross * 0.1) : discountCode === "SPRING5" ? 500 : 0;
    let p = rnd.next();
    const [presentment, rate] = PRESENTMENT.find(([, , weight]) => (p -= weight) < 0) ?? PRESENTMENT[0]!;
    const order: Order = {
      id: 5_500_000_000 + n,
      number: 1001 + n,
      customer,
      email: customer?.email ?? `guest${n}@example.net`,
      created_at: created.toISOString(),
      currency: shop.currency,
      presentment_currency: presentment,
      rate,
      lines,
      discountMinor,
      discountCode,
      shippingMinor: gross - discountMinor >= 7500 ? 0 : 695,
      taxMinor: Math.round((gross - discountMinor) * 0.08),
      test: rnd.chance(0.01),
      financial_status: "paid",
      cancelled_at: null,
    };
    shop.orders.set(order.id, order);

    const fate = rnd.next();
    if (fate < 0.01) {
      // Authorised, then voided before capture: never paid.
      order.financial_status = "voided";
      order.cancelled_at = new Date(created.getTime() + 3_600_000).toISOString();
      events.push({ at: order.cancelled_at, topic: "orders/cancelled", payload: orderPayload(order) });
      continue;
    }
    events.push({ at: order.created_at, topic: "orders/paid", payload: orderPayload(order) });
    if (fate < 0.035) {
      order.financial_status = "refunded";
      order.cancelled_at = new Date(created.getTime() + 2 * 3_600_000).toISOString();
      events.push({ at: order.cancelled_at, topic: "orders/cancelled", payload: orderPayload(order) });
    } else if (fate < 0.12) {
      // One or two refunds of some lines, days later.
      const refundable = lines.map((line) => ({ line, left: line.quantity }));
      for (let r = 0; r < rnd.int(1, 2); r++) {
        const at = new Date(Math.min(now.getTime(), created.getTime() + rnd.int(2, 30) * 86_400_000 + r * 86_400_000));
        const picks = refundable.filter((x) => x.left > 0 && rnd.chance(0.6));
        if (picks.length === 0) break;
        const refund: Refund = {
          id: 880_000_000 + n * 10 + r,
          order,
          created_at: at.toISOString(),
          lines: picks.map((x) => {
            const quantity = rnd.int(1, x.left);
            x.left -= quantity;
            return { line: x.line, quantity };
          }),
        };
        shop.refunds.push(refund);
        events.push({ at: refund.created_at, topic: "refunds/create", payload: refundPayload(refund) });
      }
      order.financial_status = refundable.every((x) => x.left === 0) ? "refunded" : "partially_refunded";
    }
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
