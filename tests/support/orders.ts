// Small hand-made orders for tests, built with the emulator's payload shapes.
import type { OrderFacts } from "~/domain/orders";
import { customerPayload, orderPayload, refundPayload, type Customer, type Order, type Refund } from "../emulator/payloads.ts";

let nextId = 1;
export function customer(id: number, extra: Partial<Customer> = {}): Customer {
  return {
    id,
    email: `shopper${id}@example.com`,
    first_name: "Sam",
    last_name: `Shopper${id}`,
    tags: "",
    created_at: "2026-01-01T10:00:00Z",
    phone: null,
    ...extra,
  };
}

/** An order whose merchandise subtotal is `subtotalMinor` (one line per given amount). */
export function order(subtotalMinor: number | number[], who: Customer | null, extra: Partial<Order> = {}): Order {
  const amounts = Array.isArray(subtotalMinor) ? subtotalMinor : [subtotalMinor];
  const n = nextId++;
  return {
    id: 7_000_000_000 + n * 100 + Math.floor(Math.random() * 99),
    number: 5000 + n,
    customer: who,
    email: who?.email ?? null,
    created_at: new Date().toISOString(),
    currency: "USD",
    presentment_currency: "EUR",
    rate: 0.92,
    lines: amounts.map((unitMinor, i) => ({
      id: n * 1000 + i,
      product_id: 1,
      variant_id: 2,
      title: `Item ${i}`,
      quantity: 1,
      unitMinor,
    })),
    discountMinor: 0,
    discountCode: null,
    shippingMinor: 695,
    taxMinor: 800,
    test: false,
    financial_status: "paid",
    cancelled_at: null,
    ...extra,
  };
}

let refundSeq = 1;
/** A refund of the given lines (by index) of the order. */
export function refund(o: Order, lineIndexes: number[]): Refund {
  return {
    id: 990_000_000 + refundSeq++,
    order: o,
    created_at: new Date().toISOString(),
    lines: lineIndexes.map((i) => ({ line: o.lines[i]!, quantity: 1 })),
  };
}

export const paid = (o: Order) => ({ topic: "orders/paid", payload: orderPayload(o) });
export const cancelled = (o: Order, financialStatus = "refunded") => ({
  topic: "orders/cancelled",
  payload: orderPayload({ ...o, financial_status: financialStatus, cancelled_at: new Date().toISOString() }),
});
export const refunded = (r: Refund) => ({ topic: "refunds/create", payload: refundPayload(r) });
export const customerEvent = (c: Customer, topic = "customers/update") => ({ topic, payload: customerPayload(c) });

/** An order's facts as the planner reads them (for tests that apply order events directly), paid at `paidAt`. */
export function orderFacts(
  orderId: string,
  customerId: string | null,
  subtotalMinor: number,
  paidAt: Date,
  name = `#${orderId}`,
): OrderFacts {
  return {
    orderId,
    name,
    customer: customerId === null ? null : { customerId },
    currency: "USD",
    subtotalMinor,
    presentmentCurrency: "USD",
    discountCodes: [],
    test: false,
    createdAt: paidAt,
    paidAt,
  };
}
