// Property tests of the ledger invariants, driving the planner the database writer uses
// (mergeOrderFacts, planOrderEvent) and the ledger's own rules (balanceDelta, canSpend) through a
// small in-memory book: an order event here goes through exactly what a webhook goes through.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyDelta, balanceDelta, canSpend, EMPTY_BALANCE, type Balance, type EntryKind } from "./ledger";
import {
  emptyOrderRecord,
  mergeOrderFacts,
  planOrderEvent,
  type OrderEvent,
  type OrderPlanInput,
  type OrderRecord,
} from "./orders";
import { DEFAULT_RULES } from "./program";

const RULES = { ...DEFAULT_RULES, version: 1 };
const EXCLUDED = new Set(["x"]);
const AT = new Date("2026-06-01T12:00:00Z");

type Event =
  | { type: "paid"; order: number; subtotal: number }
  | { type: "refund"; order: number; refund: number; amount: number; lines?: "merchandise" | "not earning" }
  | { type: "cancel"; order: number }
  | { type: "redeem"; key: number; cost: number }
  | { type: "adjust"; key: number; points: number };

interface Entry {
  key: string;
  kind: EntryKind;
  points: number;
}

class Book {
  balance: Balance = EMPTY_BALANCE;
  entries = new Map<string, Entry>();
  orders = new Map<number, OrderRecord>();
  refunds = new Set<string>();
  earnEntries = new Map<number, OrderPlanInput["earnEntry"]>();

  post(key: string, kind: EntryKind, points: number) {
    if (this.entries.has(key) || points === 0) return;
    this.entries.set(key, { key, kind, points });
    this.balance = applyDelta(this.balance, balanceDelta({ kind, points, status: "available" }));
  }

  /**
   * `extras`: an order's lines that do not earn besides its merchandise (subtotals): a gift card
   * and a product the program excludes ("x"). Shopify's subtotal is the three together.
   */
  apply(event: Event, subtotals: Map<number, number>, extras = new Map<number, { gift: number; excluded: number }>()) {
    if (event.type === "redeem") {
      if (!this.entries.has(`redeem:${event.key}`) && canSpend(this.balance.available, event.cost)) {
        this.post(`redeem:${event.key}`, "redeem", -event.cost);
      }
      return;
    }
    if (event.type === "adjust") return this.post(`adjust:${event.key}`, "adjustment", event.points);
    const orderId = String(event.order);
    const merchandise = subtotals.get(event.order) ?? 0;
    const extra = extras.get(event.order) ?? { gift: 0, excluded: 0 };
    const facts = {
      orderId,
      name: `#${orderId}`,
      customer: { customerId: "c1" },
      currency: "USD",
      subtotalMinor: merchandise + extra.gift + extra.excluded,
      lines: [
        { productId: "p", giftCard: false, netMinor: merchandise },
        { productId: "g", giftCard: true, netMinor: extra.gift },
        { productId: "x", giftCard: false, netMinor: extra.excluded },
      ],
      presentmentCurrency: "USD",
      discountCodes: [],
      test: false,
      createdAt: AT,
      paidAt: AT,
    };
    const shopifyEvent: OrderEvent =
      event.type === "paid"
        ? { type: "paid", order: facts }
        : event.type === "cancel"
          ? { type: "cancelled", order: facts, wasPaid: false }
          : {
              type: "refund",
              orderId,
              refundId: String(event.refund),
              subtotalMinor: event.amount,
              // A refund of the lines that did not earn, or of merchandise (or, unsaid, of merchandise).
              ...(event.lines === "not earning"
                ? {
                    lines: [
                      { productId: "g", giftCard: true, subtotalMinor: extra.gift },
                      { productId: "x", giftCard: false, subtotalMinor: extra.excluded },
                    ],
                  }
                : event.lines === "merchandise"
                  ? { lines: [{ productId: "p", giftCard: false, subtotalMinor: event.amount }] }
                  : {}),
              createdAt: AT,
            };
    const refundKey = `${event.order}:${event.type === "refund" ? event.refund : ""}`;
    const seen = event.type === "refund" && this.refunds.has(refundKey);
    if (event.type === "refund") this.refunds.add(refundKey);
    const record = mergeOrderFacts(this.orders.get(event.order) ?? emptyOrderRecord(orderId), shopifyEvent, seen, EXCLUDED);
    const plan = planOrderEvent({
      event: shopifyEvent,
      record,
      member: { id: "m1", state: "active", tierValue: this.balance.lifetimeEarned },
      rules: RULES,
      tiers: [],
      earnEntry: this.earnEntries.get(event.order) ?? null,
      usedRedemptions: [],
      now: AT,
    });
    this.orders.set(event.order, plan.record);
    for (const e of plan.entries) {
      if (e.kind === "earn") this.earnEntries.set(event.order, e);
      this.post(e.idempotencyKey, e.kind, e.points);
    }
  }

  sumOfEntries(): number {
    let sum = 0;
    for (const entry of this.entries.values()) sum += entry.points;
    return sum;
  }
}

// A set of orders, each with a subtotal and refunds that add up to at most the subtotal.
const ordersArb = fc.array(
  fc.record({
    subtotal: fc.integer({ min: 0, max: 500_000 }),
    refundShares: fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 4 }),
    fullyRefunded: fc.boolean(),
    cancelled: fc.boolean(),
    gift: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
    excluded: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
  }),
  { minLength: 1, maxLength: 6 },
);

function orderEvents(
  orders: Array<{
    subtotal: number;
    refundShares: number[];
    fullyRefunded: boolean;
    cancelled: boolean;
    gift: number;
    excluded: number;
  }>,
) {
  const events: Event[] = [];
  const subtotals = new Map<number, number>();
  const extras = new Map<number, { gift: number; excluded: number }>();
  orders.forEach((o, order) => {
    subtotals.set(order, o.subtotal);
    extras.set(order, { gift: o.gift, excluded: o.excluded });
    events.push({ type: "paid", order, subtotal: o.subtotal });
    const totalShares = o.refundShares.reduce((a, b) => a + b, 0);
    let given = 0;
    o.refundShares.forEach((share, refund) => {
      const last = refund === o.refundShares.length - 1;
      const amount = last && o.fullyRefunded ? o.subtotal - given : Math.floor((o.subtotal * share) / (totalShares * 2));
      given += amount;
      events.push({ type: "refund", order, refund, amount, lines: "merchandise" });
    });
    // The gift card and the excluded product go back too: nothing more to take back.
    if (o.fullyRefunded && o.gift + o.excluded > 0)
      events.push({ type: "refund", order, refund: 100, amount: o.gift + o.excluded, lines: "not earning" });
    if (o.cancelled) events.push({ type: "cancel", order });
  });
  return { events, subtotals, extras };
}

function finalState(book: Book) {
  return {
    balance: book.balance,
    orders: [...book.orders.entries()].map(([id, o]) => [id, o.earnedPoints, o.reversedPoints]).sort(),
  };
}

describe("ledger invariants", () => {
  it("any sequence of earn, refund, cancel, redeem and adjust keeps balance = sum of entries", () => {
    const anyEvent = fc.oneof(
      fc.record({ type: fc.constant("paid" as const), order: fc.nat(4), subtotal: fc.nat(100_000) }),
      fc.record({ type: fc.constant("refund" as const), order: fc.nat(4), refund: fc.nat(3), amount: fc.nat(100_000) }),
      fc.record({ type: fc.constant("cancel" as const), order: fc.nat(4) }),
      fc.record({ type: fc.constant("redeem" as const), key: fc.nat(10), cost: fc.integer({ min: 1, max: 2_000 }) }),
      fc.record({ type: fc.constant("adjust" as const), key: fc.nat(10), points: fc.integer({ min: -500, max: 500 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(anyEvent, { maxLength: 60 }),
        fc.dictionary(fc.nat(4).map(String), fc.nat(100_000)),
        (events, subs) => {
          const subtotals = new Map(Object.entries(subs).map(([k, v]) => [Number(k), v]));
          const book = new Book();
          for (const event of events) {
            const before = book.balance.available;
            book.apply(event, subtotals);
            expect(book.balance.available).toBe(book.sumOfEntries());
            if (event.type === "redeem") expect(book.balance.available >= 0 || book.balance.available === before).toBe(true);
          }
          for (const order of book.orders.values()) {
            expect(order.reversedPoints).toBeLessThanOrEqual(order.earnedPoints);
          }
        },
      ),
    );
  });

  it("a full refund or a cancellation reverses exactly what was earned", () => {
    fc.assert(
      fc.property(ordersArb, (orders) => {
        const forced = orders.map((o) => ({
          ...o,
          fullyRefunded: true,
          refundShares: o.refundShares.length ? o.refundShares : [1],
        }));
        const { events, subtotals, extras } = orderEvents(forced);
        const book = new Book();
        for (const e of events) book.apply(e, subtotals, extras);
        for (const [i, order] of book.orders) {
          // Only the merchandise earns: 1 point per whole unit, the gift card and the excluded product nothing.
          expect(order.earnedPoints).toBe(Math.floor(forced[i]!.subtotal / 100));
          expect(order.reversedPoints).toBe(order.earnedPoints);
        }
        expect(book.balance.available).toBe(0);
      }),
    );
  });

  it("delivery order and duplication never change the final state", () => {
    fc.assert(
      fc.property(ordersArb, fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), (orders, shuffleSeed) => {
        const { events, subtotals, extras } = orderEvents(orders);
        const inOrder = new Book();
        for (const e of events) inOrder.apply(e, subtotals, extras);

        // Deliver every event 1–3 times, in an order picked by the seed.
        const deliveries = events.flatMap((e, i) =>
          Array.from({ length: 1 + (shuffleSeed[i % shuffleSeed.length]! % 3) }, () => e),
        );
        for (let i = deliveries.length - 1; i > 0; i--) {
          const j = shuffleSeed[i % shuffleSeed.length]! % (i + 1);
          [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
        }
        const shuffled = new Book();
        for (const e of deliveries) shuffled.apply(e, subtotals, extras);

        expect(finalState(shuffled)).toEqual(finalState(inOrder));
        expect(shuffled.balance.available).toBe(shuffled.sumOfEntries());
      }),
      { numRuns: 300 },
    );
  });
});
