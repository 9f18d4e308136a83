import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planOrderPoints, reversalTarget, type OrderPointsState } from "./orders";

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
