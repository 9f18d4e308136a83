// Shopify Flow triggers: which trigger an event fires and its payload, with Flow's
// letters-and-spaces field keys (extensions/loyalty-flow-*/shopify.extension.toml declares them).
import type { EventData, EventType } from "./events";

export const FLOW_TRIGGERS: Partial<Record<EventType, string>> = {
  "member.joined": "loyalty-member-joined",
  "points.earned": "loyalty-points-earned",
  "reward.redeemed": "loyalty-reward-redeemed",
  "reward.available": "loyalty-reward-available",
  "tier.changed": "loyalty-tier-changed",
  "points.expiring": "loyalty-points-expiring",
  "draw.won": "loyalty-draw-won",
};

export const FLOW_HANDLES: readonly string[] = Object.values(FLOW_TRIGGERS);

/** A trigger field cannot say "no tier" with nothing: Flow's text fields carry "None". */
const tierName = (name: string | null | undefined) => name || "None";

export function flowTrigger(
  type: EventType,
  customerId: string,
  data: EventData,
): { handle: string; payload: Record<string, string | number> } | null {
  const handle = FLOW_TRIGGERS[type];
  if (!handle) return null;
  const customer = { customer_id: Number(customerId) };
  switch (type) {
    case "member.joined":
      return { handle, payload: { ...customer, "Points balance": data.balance ?? 0 } };
    case "points.earned":
      return {
        handle,
        payload: { ...customer, Points: data.points ?? 0, "Points balance": data.balance ?? 0, Reason: data.reason ?? "" },
      };
    case "reward.redeemed":
      return {
        handle,
        payload: { ...customer, Reward: data.reward ?? "", Points: data.points ?? 0, "Discount code": data.code ?? "" },
      };
    case "reward.available":
      return { handle, payload: { ...customer, Reward: data.reward ?? "", "Points balance": data.balance ?? 0 } };
    case "tier.changed":
      return {
        handle,
        payload: {
          ...customer,
          "Previous tier": tierName(data.previousTier),
          "New tier": tierName(data.tier),
          Direction: data.direction ?? "up",
        },
      };
    case "points.expiring":
      return { handle, payload: { ...customer, Points: data.points ?? 0, "Expiry date": data.expiresOn ?? "" } };
    case "draw.won":
      return { handle, payload: { ...customer, Draw: data.draw ?? "", Reward: data.reward || "None" } };
    default:
      return null;
  }
}
