// Domain events: what the outside world (Shopify Flow, metafields, the merchant's webhooks) hears
// of the ledger. The ledger asks this plan, in the transaction that posts the entries, which
// events those entries cause; each event's key derives from the entry that caused it, so an
// entry posted once (its own idempotency key) causes its events once.
import type { EntryKind, EntryStatus } from "./ledger";
import { localDate } from "./analytics";
import { balanceDelta } from "./ledger";
import { tierStanding, type TierRule } from "./tiers";

export const EVENT_TYPES = [
  "member.joined",
  "points.earned",
  "points.spent",
  "points.reversed",
  "reward.redeemed",
  "reward.available",
  "tier.changed",
  "points.expiring",
  "draw.won",
  "analytics.weekly_summary",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events about the shop, not a customer (customerId null, memberId ""): the weekly summary. */
export const SHOP_EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(["analytics.weekly_summary"]);
/** Whether an outbox row still has something to deliver: a customer's event until the customer is erased, a shop's always. */
export const deliverable = (e: { type: string; customerId: string | null }) =>
  e.customerId !== null || SHOP_EVENT_TYPES.has(e.type);

/** The figures an event carries (webhooks' `data`, Flow's fields), as they apply to its type. */
export interface EventData {
  points?: number;
  balance?: number;
  reason?: string;
  reward?: string;
  rewardId?: string;
  code?: string;
  tier?: string | null;
  previousTier?: string | null;
  direction?: "up" | "down";
  expiresOn?: string;
  /** draw.won: the draw's name */
  draw?: string;
  /** analytics.weekly_summary: the week and its figures beside the week before */
  summary?: Record<string, unknown>;
}

export interface EventDraft {
  memberId: string;
  type: EventType;
  /** unique per shop: the effect it tells of */
  eventKey: string;
  data: EventData;
}

/** A posted entry as the plan needs it. */
export interface PostedEntry {
  memberId: string;
  kind: EntryKind;
  points: number;
  status: EntryStatus;
  idempotencyKey: string;
  reason: string;
}

export interface MemberStanding {
  available: number;
  lifetimeEarned: number;
}

// Points credited: what Flow's "points earned" and the webhooks' points.earned tell of.
const EARNING: ReadonlySet<EntryKind> = new Set(["earn", "bonus", "referral", "adjustment", "import"]);
const SPENDING: ReadonlySet<EntryKind> = new Set(["redeem"]);
// Taken back: reversals of orders, expiry, and negative corrections.
const TAKING_BACK: ReadonlySet<EntryKind> = new Set(["reversal", "expiry", "adjustment", "import"]);

/**
 * The events of one member's entries, posted in this order on top of `before`. A reward becomes
 * available when the balance reaches its cost from below (so again only after it fell below); a
 * tier change is a change of the tier the lifetime points reach.
 */
export function planEntryEvents(
  entries: readonly PostedEntry[],
  before: MemberStanding,
  rules: { tiers: readonly TierRule[]; rewards: ReadonlyArray<{ id: string; name: string; pointsCost: number }> },
): EventDraft[] {
  const events: EventDraft[] = [];
  let available = before.available;
  let lifetime = before.lifetimeEarned;
  for (const e of entries) {
    const delta = balanceDelta(e);
    const was = { available, tier: tierStanding(lifetime, rules.tiers).tier };
    available += delta.available;
    lifetime += delta.lifetimeEarned;
    const key = e.idempotencyKey;
    const base = { memberId: e.memberId };
    if (e.points > 0 && EARNING.has(e.kind))
      events.push({
        ...base,
        type: "points.earned",
        eventKey: `entry:${key}`,
        data: { points: e.points, balance: available, reason: e.reason },
      });
    else if (e.points < 0 && SPENDING.has(e.kind))
      events.push({
        ...base,
        type: "points.spent",
        eventKey: `entry:${key}`,
        data: { points: -e.points, balance: available, reason: e.reason },
      });
    else if (e.points < 0 && TAKING_BACK.has(e.kind))
      events.push({
        ...base,
        type: "points.reversed",
        eventKey: `entry:${key}`,
        data: { points: -e.points, balance: available, reason: e.reason },
      });

    for (const reward of rules.rewards) {
      if (was.available < reward.pointsCost && available >= reward.pointsCost)
        events.push({
          ...base,
          type: "reward.available",
          eventKey: `available:${reward.id}:${key}`,
          data: { reward: reward.name, rewardId: reward.id, balance: available },
        });
    }
    const tierEvent = tierChangeEvent(e.memberId, was.tier, tierStanding(lifetime, rules.tiers).tier, `tier:${key}`);
    if (tierEvent) events.push(tierEvent);
  }
  return events;
}

/** tier.changed when the tier reached is another (`eventKey` names what moved it), else null. */
export function tierChangeEvent(
  memberId: string,
  before: TierRule | null,
  after: TierRule | null,
  eventKey: string,
): EventDraft | null {
  if ((after?.id ?? null) === (before?.id ?? null)) return null;
  const up = (after?.threshold ?? -1) > (before?.threshold ?? -1);
  return {
    memberId,
    type: "tier.changed",
    eventKey,
    data: { tier: after?.name ?? null, previousTier: before?.name ?? null, direction: up ? "up" : "down" },
  };
}

/**
 * When points expire (`expiresAt`), the day they do as the shop's calendar says it (YYYY-MM-DD in
 * `timeZone`: points that go at 03:00 UTC go on the evening before in New York), and when to remind
 * of it (`daysBefore` earlier).
 */
export function expiryReminder(
  lastActivityAt: Date,
  expiryDays: number,
  daysBefore: number,
  timeZone = "UTC",
): { expiresOn: string; remindFrom: Date; expiresAt: Date } {
  const expiresAt = new Date(lastActivityAt.getTime() + expiryDays * 86_400_000);
  return {
    expiresAt,
    expiresOn: localDate(expiresAt, timeZone),
    remindFrom: new Date(expiresAt.getTime() - daysBefore * 86_400_000),
  };
}
