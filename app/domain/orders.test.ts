import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  earningRefund,
  earningSubtotal,
  emptyOrderRecord,
  lineEarns,
  mergeOrderFacts,
  NO_EXCLUSIONS,
  type ExcludedProducts,
  type OrderLine,
  orderEarner,
  planOrderEvent,
  planOrderPoints,
  reversalTarget,
  type OrderEvent,
  type OrderPointsState,
} from "./orders";
import { DEFAULT_RULES } from "./program";

const fresh: OrderPointsState = {
  subtotalMinor: null,
  paid: false,
  cancelled: false,
  refundedMinor: 0,
  earnDecided: false,
  earned: 0,
  reversed: 0,
};

describe("reversalTarget", () => {
  it("is round(E×R/S) half up, and exactly E at R = S", () => {
    expect(reversalTarget(100, 5000, 10000, false)).toBe(50);
    expect(reversalTarget(3, 5000, 10000, false)).toBe(2); // 1.5 → 2
    expect(reversalTarget(3, 3333, 10000, false)).toBe(1); // 0.9999 → 1
    expect(reversalTarget(3, 10000, 10000, false)).toBe(3);
    expect(reversalTarget(3, 12000, 10000, false)).toBe(3);
    expect(reversalTarget(3, 0, 10000, true)).toBe(3);
    expect(reversalTarget(0, 10000, 10000, true)).toBe(0);
  });

  it("never exceeds E and never decreases as refunds add up", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 10_000_000 }), fc.array(fc.nat(5_000_000)), (e, s, parts) => {
        let r = 0;
        let last = 0;
        for (const part of parts) {
          r += part;
          const t = reversalTarget(e, r, s, false);
          expect(t).toBeGreaterThanOrEqual(last);
          expect(t).toBeLessThanOrEqual(e);
          last = t;
        }
      }),
    );
  });
});

describe("planOrderPoints", () => {
  it("earns once when paid and known", () => {
    const paid = { ...fresh, paid: true, subtotalMinor: 12_345 };
    const first = planOrderPoints(paid, 123);
    expect(first.earn).toBe(123);
    const again = planOrderPoints(first.next, 123);
    expect(again.earn).toBe(0);
    expect(again.reverse).toBe(0);
  });

  it("does not earn for a customer who cannot, and decides later when they can", () => {
    const paid = { ...fresh, paid: true, subtotalMinor: 10_000 };
    expect(planOrderPoints(paid, null)).toMatchObject({ earn: 0, reverse: 0, next: { earnDecided: false } });
  });

  it("applies a refund that came before payment once the order is paid", () => {
    const refundedFirst = { ...fresh, refundedMinor: 5_000 };
    expect(planOrderPoints(refundedFirst, 100).earn).toBe(0);
    const plan = planOrderPoints({ ...refundedFirst, paid: true, subtotalMinor: 10_000 }, 100);
    expect(plan).toMatchObject({ earn: 100, reverse: 50 });
  });

  it("cancelling reverses what is left", () => {
    const after = planOrderPoints({ ...fresh, paid: true, subtotalMinor: 10_000, refundedMinor: 2_500 }, 100).next;
    expect(after.reversed).toBe(25);
    const cancelled = planOrderPoints({ ...after, cancelled: true }, 100);
    expect(cancelled.reverse).toBe(75);
    expect(cancelled.next.reversed).toBe(100);
  });
});

describe("planOrderEvent", () => {
  const at = new Date("2026-03-01T10:00:00Z");
  const rules = { ...DEFAULT_RULES, version: 3 };
  const order = (subtotalMinor: number) => ({
    orderId: "1001",
    name: "#1001",
    customer: { customerId: "7" },
    currency: "USD",
    subtotalMinor,
    presentmentCurrency: "USD",
    discountCodes: [],
    test: false,
    createdAt: at,
    paidAt: at,
  });
  const member = { id: "m1", state: "active", tierValue: 0 };
  const base = { member, rules, tiers: [], earnEntry: null, usedRedemptions: [], now: at };
  const paid = (subtotal: number) => {
    const event: OrderEvent = { type: "paid", order: order(subtotal) };
    return { event, record: mergeOrderFacts(emptyOrderRecord("1001"), event, false) };
  };

  it("earns at the tier's multiplier and records the version and rate it used", () => {
    const gold = { id: "t", name: "Gold", threshold: 100, earnMultiplierPct: 150 };
    const plan = planOrderEvent({ ...base, ...paid(10_000), member: { ...member, tierValue: 500 }, tiers: [gold] });
    expect(plan.entries).toMatchObject([
      { kind: "earn", points: 150, status: "available", programVersion: 3, rateNum: 150, rateDen: 100 },
    ]);
    expect(plan.record).toMatchObject({ earnVersion: 3, memberId: "m1", earnedPoints: 150 });
  });

  it("keeps points pending for the pending period, and a reversal of pending points pending too", () => {
    const pendingRules = { ...rules, pendingDays: 14 };
    const first = planOrderEvent({ ...base, ...paid(10_000), rules: pendingRules });
    expect(first.entries[0]).toMatchObject({ status: "pending", availableAt: new Date(at.getTime() + 14 * 86_400_000) });
    const refund: OrderEvent = { type: "refund", orderId: "1001", refundId: "r1", subtotalMinor: 5_000, createdAt: at };
    const second = planOrderEvent({
      ...base,
      rules: pendingRules,
      event: refund,
      record: mergeOrderFacts(first.record, refund, false),
      earnEntry: first.entries[0]!,
    });
    expect(second.entries).toMatchObject([
      { kind: "reversal", points: -50, status: "pending", sourceType: "refund", sourceId: "r1" },
    ]);
  });

  it("gives spent points back on a wholly refunded order only when the program says so", () => {
    const used = [{ id: "rd1", memberId: "m1", pointsSpent: 500 }];
    const first = planOrderEvent({ ...base, ...paid(4_000) });
    const cancel: OrderEvent = { type: "cancelled", order: order(4_000), wasPaid: true };
    const record = mergeOrderFacts(first.record, cancel, false);
    const input = { ...base, event: cancel, record, earnEntry: first.entries[0]!, usedRedemptions: used };
    expect(planOrderEvent(input).entries.map((e) => e.kind)).toEqual(["reversal"]);
    const returning = planOrderEvent({ ...input, rules: { ...rules, returnSpentPointsOnRefund: true } });
    expect(returning.entries.map((e) => [e.kind, e.points])).toEqual([
      ["reversal", -40],
      ["refund_of_redemption", 500],
    ]);
  });

  it("enrols only a customer's first paid order, and never a guest's", () => {
    const { record } = paid(1_000);
    expect(orderEarner(record, null, true)).toBe("enrol");
    expect(orderEarner(record, null, false)).toBe("none");
    expect(orderEarner({ ...record, customerId: null }, null, true)).toBe("none");
    expect(orderEarner({ ...record, earnVersion: 1 }, null, true)).toBe("none");
    expect(orderEarner({ ...record, memberId: "m1" }, null, true)).toBe("recorded");
  });

  it("counts a refund once, however often it is delivered", () => {
    const { record } = paid(1_000);
    const refund: OrderEvent = { type: "refund", orderId: "1001", refundId: "r1", subtotalMinor: 300, createdAt: at };
    expect(mergeOrderFacts(record, refund, false).refundedMinor).toBe(300);
    expect(mergeOrderFacts(record, refund, true).refundedMinor).toBe(0);
  });
});

describe("what earns: gift cards never, products excluded by tag not", () => {
  const at = new Date("2026-03-01T10:00:00Z");
  const rules = { ...DEFAULT_RULES, version: 1 };
  const member = { id: "m1", state: "active", tierValue: 0 };
  const base = { member, rules, tiers: [], earnEntry: null, usedRedemptions: [], now: at };
  // A 30.00 shirt (product 11) with 3.00 of a 5.00 order discount, a 20.00 sample (product 12) with
  // 2.00 of it, and a 50.00 gift card: Shopify's subtotal is 30 + 20 + 50 - 5 = 95.00.
  const lines: OrderLine[] = [
    { productId: "11", giftCard: false, netMinor: 2_700 },
    { productId: "12", giftCard: false, netMinor: 1_800 },
    { productId: "13", giftCard: true, netMinor: 5_000 },
  ];
  const facts = {
    orderId: "2001",
    name: "#2001",
    customer: { customerId: "7" },
    currency: "USD",
    subtotalMinor: 9_500,
    lines,
    presentmentCurrency: "USD",
    discountCodes: [],
    test: false,
    createdAt: at,
    paidAt: at,
  };
  const samples: ExcludedProducts = new Set(["12"]);

  it("takes gift-card lines and excluded products off Shopify's subtotal, never below 0", () => {
    expect(earningSubtotal(9_500, lines, NO_EXCLUSIONS)).toBe(4_500);
    expect(earningSubtotal(9_500, lines, samples)).toBe(2_700);
    expect(earningSubtotal(9_500, [], samples)).toBe(9_500);
    expect(earningSubtotal(100, [{ productId: null, giftCard: true, netMinor: 5_000 }], NO_EXCLUSIONS)).toBe(0);
    expect(lineEarns({ productId: null, giftCard: false }, samples)).toBe(true);
  });

  it("earns on the lines that earn, and a refund takes back in proportion to what earned", () => {
    const paid: OrderEvent = { type: "paid", order: facts };
    const first = planOrderEvent({
      ...base,
      event: paid,
      record: mergeOrderFacts(emptyOrderRecord("2001"), paid, false, samples),
    });
    expect(first.entries).toMatchObject([{ kind: "earn", points: 27 }]);
    expect(first.record).toMatchObject({ subtotalMinor: 9_500, earnSubtotalMinor: 2_700 });

    // Refunding the gift card and the sample takes nothing back; the refund still counts in the order's refunds.
    const noEarning: OrderEvent = {
      type: "refund",
      orderId: "2001",
      refundId: "r1",
      subtotalMinor: 6_800,
      lines: [
        { productId: "13", giftCard: true, subtotalMinor: 5_000 },
        { productId: "12", giftCard: false, subtotalMinor: 1_800 },
      ],
      createdAt: at,
    };
    const second = planOrderEvent({
      ...base,
      event: noEarning,
      record: mergeOrderFacts(first.record, noEarning, false, samples),
      earnEntry: first.entries[0]!,
    });
    expect(second.entries).toEqual([]);
    expect(second.record).toMatchObject({ refundedMinor: 6_800, refundedEarnMinor: 0 });

    // Refunding a third of the shirt's earning part: round(27 × 900 / 2700) = 9.
    const shirt: OrderEvent = {
      type: "refund",
      orderId: "2001",
      refundId: "r2",
      subtotalMinor: 900,
      lines: [{ productId: "11", giftCard: false, subtotalMinor: 900 }],
      createdAt: at,
    };
    const third = planOrderEvent({
      ...base,
      event: shirt,
      record: mergeOrderFacts(second.record, shirt, false, samples),
      earnEntry: first.entries[0]!,
    });
    expect(third.entries).toMatchObject([{ kind: "reversal", points: -9 }]);
  });

  it("keeps the basis the earning was decided on when the order is delivered again later", () => {
    const paid: OrderEvent = { type: "paid", order: facts };
    const first = planOrderEvent({
      ...base,
      event: paid,
      record: mergeOrderFacts(emptyOrderRecord("2001"), paid, false, samples),
    });
    // The sample lost its tag meanwhile: a repeated delivery changes nothing about what was earned.
    const again = mergeOrderFacts(first.record, paid, false, NO_EXCLUSIONS);
    expect(again.earnSubtotalMinor).toBe(2_700);
    expect(planOrderEvent({ ...base, event: paid, record: again, earnEntry: first.entries[0]! }).entries).toEqual([]);
  });

  it("a refund without line details counts whole (what older payloads said)", () => {
    const refund: OrderEvent = { type: "refund", orderId: "1", refundId: "r", subtotalMinor: 500, createdAt: at };
    expect(mergeOrderFacts(emptyOrderRecord("1"), refund, false, samples)).toMatchObject({
      refundedMinor: 500,
      refundedEarnMinor: 500,
    });
    expect(earningRefund([{ productId: "12", giftCard: false, subtotalMinor: 500 }], samples)).toBe(0);
  });
});
