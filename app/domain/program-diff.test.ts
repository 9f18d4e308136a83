import { describe, expect, it } from "vitest";
import { diffPrograms, type DiffableProgram } from "./program-diff";

const base: DiffableProgram = {
  earning: { points: 1, per: 1, autoEnroll: true },
  pendingDays: 0,
  expiry: { inactiveDays: null },
  bonuses: { signup: 0, birthday: 0 },
  referrals: { referrerPoints: 0, refereePercent: 10 },
  launch: { state: "live", pilotTag: "" },
  rewards: [{ id: "r1", name: "5 off", type: "fixed_amount", pointsCost: 500, valueMinor: 500 }],
  tiers: [],
};

describe("diffPrograms", () => {
  it("says nothing for the first version or an unchanged one", () => {
    expect(diffPrograms(null, base)).toEqual([]);
    expect(diffPrograms(base, structuredClone(base))).toEqual([]);
    // A field missing in an older document and its default are the same setting.
    expect(diffPrograms(base, { ...base, bonuses: { signup: 0, birthday: 0, anniversary: 0 }, campaigns: [] })).toEqual([]);
  });

  it("lists each changed setting with before and after", () => {
    const after = {
      ...base,
      earning: { points: 2, per: 1, autoEnroll: false },
      expiry: { inactiveDays: 365 },
      launch: { state: "pilot", pilotTag: "vip" },
    };
    expect(diffPrograms(base, after).map((c) => c.text)).toEqual([
      "Points earned: 1 → 2",
      "Automatic enrolment: on → off",
      "Expiry after days without activity: none → 365",
      "Launch: live → pilot",
      "Pilot tag: none → vip",
    ]);
  });

  it("matches rewards and tiers by id (else by name): added, removed, and the fields that changed", () => {
    const after: DiffableProgram = {
      ...base,
      rewards: [
        { id: "r1", name: "5 off", type: "fixed_amount", pointsCost: 400, valueMinor: 500 },
        { name: "Free shipping", type: "free_shipping", pointsCost: 300 },
      ],
      tiers: [{ name: "Gold", thresholdPoints: 1000, earnMultiplierPct: 150 }],
      campaigns: [
        { name: "Double", startsAt: "2026-11-27T00:00:00.000Z", endsAt: "2026-11-30T00:00:00.000Z", multiplierPct: 200 },
      ],
    };
    expect(diffPrograms(base, after).map((c) => c.text)).toEqual([
      "Campaign added: Double (×2, 2026-11-27 to 2026-11-30)",
      "Reward 5 off: pointsCost 500 → 400",
      "Reward added: Free shipping",
      "Tier added: Gold",
    ]);
    expect(diffPrograms(after, base).map((c) => c.text)).toEqual([
      "Campaign removed: Double (×2, 2026-11-27 to 2026-11-30)",
      "Reward 5 off: pointsCost 400 → 500",
      "Reward removed: Free shipping",
      "Tier removed: Gold",
    ]);
    // A renamed reward with the same id is a change of name, not a removal and an addition.
    const renamed = { ...base, rewards: [{ ...base.rewards![0]!, name: "Five off" }] };
    expect(diffPrograms(base, renamed).map((c) => c.text)).toEqual(["Reward Five off: name 5 off → Five off"]);
  });
});
