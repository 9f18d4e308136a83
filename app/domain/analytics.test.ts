import { describe, expect, it } from "vitest";
import {
  compareWithHoldout,
  inHoldoutShare,
  localDate,
  meanHalfUp,
  periodOf,
  previousPeriod,
  rangeOf,
  ratio,
  segmentOf,
  slotOf,
  startOfLocalDay,
  barsOf,
  tierMoves,
  valuePerPoint,
} from "./analytics";

describe("periods in the shop's time zone", () => {
  it("starts days at local midnight, also off the hour and across DST changes", () => {
    expect(startOfLocalDay("2026-03-10", "Asia/Kolkata").toISOString()).toBe("2026-03-09T18:30:00.000Z");
    expect(startOfLocalDay("2026-03-10", "Asia/Kathmandu").toISOString()).toBe("2026-03-09T18:15:00.000Z");
    expect(startOfLocalDay("2026-11-01", "America/New_York").toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(startOfLocalDay("2026-11-02", "America/New_York").toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(startOfLocalDay("2026-03-08", "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(startOfLocalDay("2026-03-09", "America/New_York").toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(localDate(new Date("2026-03-09T18:29:59Z"), "Asia/Kolkata")).toBe("2026-03-09");
    expect(localDate(new Date("2026-03-09T18:30:00Z"), "Asia/Kolkata")).toBe("2026-03-10");
  });

  it("makes every day a whole number of quarter hours (25 hours on the day DST ends)", () => {
    const result = periodOf("2026-10-31", "2026-11-02", "America/New_York");
    if (!result.ok) throw new Error("period");
    const hours = result.period.days.map((d) => (d.end.getTime() - d.start.getTime()) / 3_600_000);
    expect(hours).toEqual([24, 25, 24]);
    for (const d of result.period.days) expect(d.start.getTime() % (15 * 60_000)).toBe(0);
    expect(slotOf(result.period.end) - slotOf(result.period.start)).toBe(73 * 4);
  });

  it("refuses impossible dates, reversed and overlong periods", () => {
    expect(periodOf("2026-02-29", "2026-03-01", "UTC")).toMatchObject({ ok: false, errors: [{ path: "from" }] });
    expect(periodOf("2026-03-02", "2026-03-01", "UTC")).toMatchObject({ ok: false, errors: [{ path: "to" }] });
    expect(periodOf("2023-01-01", "2026-03-01", "UTC")).toMatchObject({ ok: false, errors: [{ path: "to" }] });
    expect(periodOf("1 March", "2026-03-01", "UTC")).toMatchObject({ ok: false });
  });

  it("compares with the same number of days just before", () => {
    const p = periodOf("2026-03-01", "2026-03-31", "Europe/Berlin");
    if (!p.ok) throw new Error("period");
    expect(previousPeriod(p.period, "Europe/Berlin")).toMatchObject({ from: "2026-01-29", to: "2026-02-28" });
  });

  it("reads presets and custom ranges, ending today in the zone", () => {
    const now = new Date("2026-03-10T20:00:00Z"); // already the 11th in Kolkata
    expect(rangeOf(new URLSearchParams(""), "Asia/Kolkata", now)).toEqual({
      preset: "30d",
      from: "2026-02-10",
      to: "2026-03-11",
    });
    expect(rangeOf(new URLSearchParams("preset=7d"), "UTC", now)).toEqual({ preset: "7d", from: "2026-03-04", to: "2026-03-10" });
    expect(rangeOf(new URLSearchParams("preset=month"), "UTC", now)).toEqual({
      preset: "month",
      from: "2026-03-01",
      to: "2026-03-10",
    });
    expect(rangeOf(new URLSearchParams("from=2026-01-01&to=2026-01-31"), "UTC", now)).toMatchObject({ preset: "custom" });
  });
});

describe("arithmetic", () => {
  it("rounds means half up, negative ones too, and divides by nothing as 0", () => {
    expect(meanHalfUp(5, 2)).toBe(3);
    expect(meanHalfUp(84_500, 6)).toBe(14_083);
    expect(meanHalfUp(87_000, 7)).toBe(12_429);
    expect(meanHalfUp(-5, 2)).toBe(-2);
    expect(meanHalfUp(-7, 2)).toBe(-3);
    expect(meanHalfUp(10, 0)).toBe(0);
    expect(ratio(1, 0)).toBe(0);
    expect(ratio(1, 4)).toBe(0.25);
  });

  it("values a point at the best fixed-amount reward", () => {
    expect(
      valuePerPoint([
        { type: "fixed_amount", pointsCost: 500, valueMinor: 500 },
        { type: "percentage", pointsCost: 100, valueMinor: null },
      ]),
    ).toBe(1);
    expect(valuePerPoint([{ type: "free_shipping", pointsCost: 100, valueMinor: null }])).toBe(0);
  });
});

describe("the holdout", () => {
  it("takes positions below the share, and keeps everyone in when the share grows", () => {
    expect(inHoldoutShare(0, 0)).toBe(false);
    expect(inHoldoutShare(0, 5)).toBe(true);
    expect(inHoldoutShare(Math.floor(0.0499 * 2 ** 32), 5)).toBe(true);
    expect(inHoldoutShare(Math.ceil(0.05 * 2 ** 32), 5)).toBe(false);
    for (const p of [1, 123_456_789, 2 ** 31, 2 ** 32 - 1]) if (inHoldoutShare(p, 5)) expect(inHoldoutShare(p, 10)).toBe(true);
  });

  const group = (customers: number, perCustomer: number[], repeaters = 0) => ({
    customers,
    orders: customers + repeaters,
    revenueMinor: perCustomer.reduce((s, v) => s + v, 0),
    revenueSquares: perCustomer.reduce((s, v) => s + v * v, 0),
    repeaters,
  });

  it("says so instead of a number until the holdout has enough orders", () => {
    const r = compareWithHoldout(group(100, Array(100).fill(5_000)), group(10, Array(10).fill(4_000)), 50, 1_000);
    expect(r).toMatchObject({ ready: false, holdoutCustomers: 10, holdoutOrders: 10 });
  });

  it("computes incremental revenue with an interval and ROI by hand", () => {
    // Members: 100 customers, half spend 60.00 and half 40.00 (mean 50.00); holdout: 50 at 40.00 and 50.00 alternately (mean 45.00).
    const members = group(100, [...Array(50).fill(6_000), ...Array(50).fill(4_000)], 20);
    const holdout = group(60, [...Array(30).fill(4_000), ...Array(30).fill(5_000)]);
    const r = compareWithHoldout(members, holdout, 40, 10_000);
    if (!r.ready) throw new Error(r.reason);
    // (5000 − 4500) × 100 members = 50,000; margin 40% = 20,000; ROI (20,000 − 10,000) / 10,000 = 1.
    expect(r.incrementalRevenue.value).toBe(50_000);
    expect(r.incrementalMargin).toBe(20_000);
    expect(r.roi).toBe(1);
    // Variances: members 1000²·100/99, holdout 500²·60/59; se = √(v1/100 + v2/60).
    const se = Math.sqrt((1_000_000 * 100) / 99 / 100 + (250_000 * 60) / 59 / 60);
    expect(r.incrementalRevenue.low).toBe(Math.round((500 - 1.96 * se) * 100));
    expect(r.incrementalRevenue.high).toBe(Math.round((500 + 1.96 * se) * 100));
    expect(r.repeatRate.members).toBe(0.2);
    expect(r.aov.members).toBe(Math.floor((2 * 500_000 + 120) / 240));
  });
});

describe("customer value segments", () => {
  it("names the corners", () => {
    expect(segmentOf(5, 5, 5)).toBe("Champions");
    expect(segmentOf(3, 3, 3)).toBe("Loyal");
    expect(segmentOf(5, 1, 1)).toBe("Promising");
    expect(segmentOf(3, 1, 2)).toBe("Needs attention");
    expect(segmentOf(1, 5, 5)).toBe("At risk");
    expect(segmentOf(1, 1, 1)).toBe("Lost");
  });
});

describe("tier movement", () => {
  const row = (memberId: string, from: string | null, fromThreshold: number, to: string | null, toThreshold: number) => ({
    memberId,
    fromTier: from,
    fromThreshold,
    toTier: to,
    toThreshold,
  });
  it("moves each member from the tier before their first change to the tier after their last", () => {
    const result = tierMoves([
      // a: none → Silver → Gold: one move up, none → Gold
      row("a", null, -1, "Silver", 1_000),
      row("b", "Gold", 5_000, "Silver", 1_000), // b: Gold → Silver (refunds): down
      row("a", "Silver", 1_000, "Gold", 5_000),
      // c: Silver → Gold → Silver: back where they started, no move
      row("c", "Silver", 1_000, "Gold", 5_000),
      row("c", "Gold", 5_000, "Silver", 1_000),
      row("d", null, -1, "Gold", 5_000), // d: none → Gold, like a
      row("e", "Silver", 1_000, null, -1), // e: Silver → no tier: down
    ]);
    expect(result.up).toBe(2);
    expect(result.down).toBe(2);
    expect(result.moves).toEqual([
      { from: "No tier", to: "Gold", direction: "up", members: 2 },
      { from: "Gold", to: "Silver", direction: "down", members: 1 },
      { from: "Silver", to: "No tier", direction: "down", members: 1 },
    ]);
  });
  it("is empty without changes", () => {
    expect(tierMoves([])).toEqual({ up: 0, down: 0, moves: [] });
  });
});

describe("bars of a chart", () => {
  const days = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `d${i}`, value: i + 1 }));
  it("keeps a bar a day for short ranges", () => {
    expect(barsOf(days(3))).toEqual({
      width: 1,
      bars: [
        { key: "d0", value: 1 },
        { key: "d1", value: 2 },
        { key: "d2", value: 3 },
      ],
    });
  });
  it("sums weeks beyond the limit, the last one partial, keyed by their first day", () => {
    const { width, bars } = barsOf(days(9), 2);
    expect(width).toBe(7);
    // 1+…+7 = 28, then 8+9 = 17
    expect(bars).toEqual([
      { key: "d0", value: 28 },
      { key: "d7", value: 17 },
    ]);
    // A year at the default limit: 53 weekly bars, every day counted once.
    const year = barsOf(days(365));
    expect(year.width).toBe(7);
    expect(year.bars).toHaveLength(53);
    expect(year.bars.reduce((s, b) => s + b.value, 0)).toBe((365 * 366) / 2);
  });
});
