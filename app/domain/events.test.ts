import { describe, expect, it } from "vitest";
import { planEntryEvents, type PostedEntry } from "./events";
import { flowTrigger } from "./flow";

const tiers = [
  { id: "t-silver", name: "Silver", thresholdPoints: 100, earnMultiplierPct: 100 },
  { id: "t-gold", name: "Gold", thresholdPoints: 300, earnMultiplierPct: 125 },
];
const rewards = [{ id: "r5", name: "5 off", pointsCost: 500 }];
const entry = (
  kind: PostedEntry["kind"],
  points: number,
  key: string,
  status: PostedEntry["status"] = "available",
): PostedEntry => ({
  memberId: "m1",
  kind,
  points,
  status,
  idempotencyKey: key,
  reason: `${kind} ${points}`,
});

describe("the events of a posting", () => {
  it("tells of points earned with the balance after each, a tier reached and a reward become affordable", () => {
    const events = planEntryEvents(
      [entry("earn", 150, "o1"), entry("earn", 400, "o2")],
      { available: 0, lifetimeEarned: 0 },
      { tiers, rewards },
    );
    expect(events.map((e) => [e.type, e.eventKey, e.data])).toEqual([
      ["points.earned", "entry:o1", { points: 150, balance: 150, reason: "earn 150" }],
      ["tier.changed", "tier:o1", { tier: "Silver", previousTier: null, direction: "up" }],
      ["points.earned", "entry:o2", { points: 400, balance: 550, reason: "earn 400" }],
      ["reward.available", "available:r5:o2", { reward: "5 off", rewardId: "r5", balance: 550 }],
      ["tier.changed", "tier:o2", { tier: "Gold", previousTier: "Silver", direction: "up" }],
    ]);
  });

  it("makes a reward available again only after the balance fell below its cost", () => {
    const before = { available: 600, lifetimeEarned: 600 };
    const events = planEntryEvents(
      [entry("earn", 50, "a"), entry("redeem", -500, "b"), entry("earn", 100, "c"), entry("earn", 400, "d")],
      before,
      { tiers: [], rewards },
    );
    expect(events.filter((e) => e.type === "reward.available").map((e) => e.eventKey)).toEqual(["available:r5:d"]);
    expect(events.find((e) => e.type === "points.spent")!.data).toMatchObject({ points: 500, balance: 150 });
  });

  it("tells of reversals and a tier lost, and nothing of pending points becoming available but a reward reached", () => {
    const down = planEntryEvents([entry("reversal", -250, "r")], { available: 320, lifetimeEarned: 320 }, { tiers, rewards });
    expect(down.map((e) => [e.type, e.data])).toEqual([
      ["points.reversed", { points: 250, balance: 70, reason: "reversal -250" }],
      ["tier.changed", { tier: null, previousTier: "Gold", direction: "down" }],
    ]);
    const pending = planEntryEvents(
      [entry("earn", 500, "p", "pending")],
      { available: 0, lifetimeEarned: 0 },
      { tiers: [], rewards },
    );
    expect(pending.map((e) => [e.type, e.data.balance])).toEqual([["points.earned", 0]]);
    const released = planEntryEvents(
      [entry("release", 500, "release:p")],
      { available: 0, lifetimeEarned: 500 },
      { tiers: [], rewards },
    );
    expect(released.map((e) => e.type)).toEqual(["reward.available"]);
  });

  it("builds Flow payloads with the trigger's letters-and-spaces keys", () => {
    expect(flowTrigger("tier.changed", "7001", { tier: "Gold", previousTier: null, direction: "up" })).toEqual({
      handle: "loyalty-tier-changed",
      payload: { customer_id: 7001, "Previous tier": "None", "New tier": "Gold", Direction: "up" },
    });
    expect(flowTrigger("points.spent", "7001", { points: 5 })).toBeNull();
  });
});
