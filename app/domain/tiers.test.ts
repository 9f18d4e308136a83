import { describe, expect, it } from "vitest";
import { tierStanding } from "./tiers";

const tiers = [
  { id: "g", name: "Gold", thresholdPoints: 1000, earnMultiplierPct: 150 },
  { id: "s", name: "Silver", thresholdPoints: 250, earnMultiplierPct: 125 },
];

describe("tierStanding", () => {
  it("finds the tier reached and the distance to the next", () => {
    expect(tierStanding(0, tiers)).toEqual({ tier: null, next: { tier: tiers[1], pointsToGo: 250 } });
    expect(tierStanding(250, tiers)).toEqual({ tier: tiers[1], next: { tier: tiers[0], pointsToGo: 750 } });
    expect(tierStanding(5000, tiers)).toEqual({ tier: tiers[0], next: null });
    expect(tierStanding(10, [])).toEqual({ tier: null, next: null });
  });
});
