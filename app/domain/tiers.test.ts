import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIER_ENTRY,
  leavesWindowAt,
  nextTierView,
  TIER_VALUE_NOT_COMPUTED,
  tierRuleOf,
  tierStanding,
  tierTagChange,
  tierValueColumn,
  tierValueOf,
  wantedTierTag,
  windowStart,
} from "./tiers";

const tiers = [
  { id: "g", name: "Gold", threshold: 1000, earnMultiplierPct: 150 },
  { id: "s", name: "Silver", threshold: 250, earnMultiplierPct: 125 },
];

describe("tierStanding", () => {
  it("finds the tier reached and the distance to the next", () => {
    expect(tierStanding(0, tiers)).toEqual({ tier: null, next: { tier: tiers[1], toGo: 250 } });
    expect(tierStanding(250, tiers)).toEqual({ tier: tiers[1], next: { tier: tiers[0], toGo: 750 } });
    expect(tierStanding(5000, tiers)).toEqual({ tier: tiers[0], next: null });
    expect(tierStanding(10, [])).toEqual({ tier: null, next: null });
  });
});

describe("tier tags", () => {
  it("wants the member's tier while they take part, none after", () => {
    expect(wantedTierTag({ state: "active", tierValue: 300 }, tiers)).toBe("Silver");
    expect(wantedTierTag({ state: "active", tierValue: 10 }, tiers)).toBe("");
    expect(wantedTierTag({ state: "opted_out", tierValue: 3000 }, tiers)).toBe("");
  });

  it("removes the old tag and adds the new one, and does nothing when they agree", () => {
    expect(tierTagChange("Silver", "Gold")).toEqual({ remove: ["loyalty-tier:Silver"], add: ["loyalty-tier:Gold"] });
    expect(tierTagChange(null, "Gold")).toEqual({ remove: [], add: ["loyalty-tier:Gold"] });
    expect(tierTagChange("Gold", "")).toEqual({ remove: ["loyalty-tier:Gold"], add: [] });
    expect(tierTagChange("Gold", "Gold")).toEqual({ remove: [], add: [] });
    expect(tierTagChange(null, "")).toEqual({ remove: [], add: [] });
  });
});

describe("tier entry", () => {
  const rows = [
    { id: "s", name: "Silver", thresholdPoints: 250, thresholdSpendMinor: 10_000, earnMultiplierPct: 125 },
    { id: "g", name: "Gold", thresholdPoints: 1000, thresholdSpendMinor: 50_000, earnMultiplierPct: 150 },
  ];
  const bySpend = { measure: "spend", period: "lifetime" } as const;
  const byPoints12 = { measure: "points", period: "rolling_12_months" } as const;

  it("reads each tier's threshold in the measure in force", () => {
    expect(rows.map((r) => tierRuleOf(r, DEFAULT_TIER_ENTRY).threshold)).toEqual([250, 1000]);
    expect(rows.map((r) => tierRuleOf(r, bySpend).threshold)).toEqual([10_000, 50_000]);
    expect(tierRuleOf(rows[0]!, bySpend)).toEqual({ id: "s", name: "Silver", threshold: 10_000, earnMultiplierPct: 125 });
  });

  it("decides by lifetime points only where the program measures them, else by the kept value", () => {
    const member = { lifetimeEarned: 1200, tierValue: 7_000 };
    expect(tierValueOf(member, DEFAULT_TIER_ENTRY)).toBe(1200);
    expect(tierValueOf(member, bySpend)).toBe(7_000);
    expect(tierValueOf(member, byPoints12)).toBe(7_000);
    expect([DEFAULT_TIER_ENTRY, bySpend, byPoints12].map(tierValueColumn)).toEqual(["lifetimeEarned", "tierValue", "tierValue"]);
  });

  it("tells the next tier in points or in money to spend", () => {
    const spendTiers = rows.map((r) => tierRuleOf(r, bySpend));
    expect(nextTierView(tierStanding(7_000, spendTiers), bySpend)).toEqual({ id: "s", name: "Silver", spendToGoMinor: 3_000 });
    const pointTiers = rows.map((r) => tierRuleOf(r, DEFAULT_TIER_ENTRY));
    expect(nextTierView(tierStanding(300, pointTiers), DEFAULT_TIER_ENTRY)).toEqual({ id: "g", name: "Gold", pointsToGo: 700 });
    expect(nextTierView(tierStanding(60_000, spendTiers), bySpend)).toBeNull();
    // A value still being computed is below every tier.
    expect(
      tierStanding(
        TIER_VALUE_NOT_COMPUTED,
        pointTiers.map((t) => ({ ...t, threshold: 0 })),
      ).tier,
    ).toBeNull();
  });

  it("counts something for 12 calendar months, ends of months included", () => {
    expect(windowStart(new Date("2026-12-03T11:00:00Z")).toISOString()).toBe("2025-12-03T11:00:00.000Z");
    expect(leavesWindowAt(new Date("2026-03-31T08:00:00Z")).toISOString()).toBe("2027-03-31T08:00:00.000Z");
    // 29 February: JavaScript's month arithmetic rolls it to 1 March; it still counts a full year.
    expect(leavesWindowAt(new Date("2028-02-29T12:00:00Z")).toISOString()).toBe("2029-03-01T12:00:00.000Z");
    const paid = new Date("2026-05-10T09:30:00Z");
    expect(windowStart(leavesWindowAt(paid)).getTime()).toBe(paid.getTime());
  });
});
