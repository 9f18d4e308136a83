import { describe, expect, it } from "vitest";
import { expiryReminder, planEntryEvents, type PostedEntry } from "./events";
import { loyaltyMetafields, pointsExpiring } from "./metafields";
import { flowTrigger } from "./flow";

const tiers = [
  { id: "t-silver", name: "Silver", threshold: 100, earnMultiplierPct: 100 },
  { id: "t-gold", name: "Gold", threshold: 300, earnMultiplierPct: 125 },
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

describe("the day points expire", () => {
  // Last activity 2026-10-07T03:30Z + 90 days = 2027-01-05T03:30Z: the 5th in London, still the
  // 4th (22:30) in New York, already the 5th (14:30) in Sydney.
  const last = new Date("2026-10-07T03:30:00Z");

  it("is the shop's calendar day of the instant they go", () => {
    expect(expiryReminder(last, 90, 14).expiresOn).toBe("2027-01-05");
    expect(expiryReminder(last, 90, 14, "America/New_York").expiresOn).toBe("2027-01-04");
    expect(expiryReminder(last, 90, 14, "Australia/Sydney").expiresOn).toBe("2027-01-05");
    expect(expiryReminder(last, 90, 14, "America/New_York")).toMatchObject({
      expiresAt: new Date("2027-01-05T03:30:00Z"),
      remindFrom: new Date("2026-12-22T03:30:00Z"),
    });
  });

  it("is what the storefront and the customer's metafield say", () => {
    const member = { state: "active", available: 300, tierValue: 300, lastActivityAt: last };
    expect(pointsExpiring(member, 90, "America/New_York")).toEqual({ points: 300, on: "2027-01-04" });
    expect(loyaltyMetafields(member, [], 90, "America/New_York").set).toContainEqual({
      key: "points_expiring_on",
      type: "date",
      value: "2027-01-04",
    });
  });
});
