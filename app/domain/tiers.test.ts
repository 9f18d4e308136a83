import { describe, expect, it } from "vitest";
import { tierStanding, tierTagChange, wantedTierTag } from "./tiers";

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
