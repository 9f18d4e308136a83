// Outgoing webhooks as the merchant's tools see them: which events an endpoint can choose, the
// body of one (the same bytes on every attempt), its Stripe-style signature, and the backoff.
import { z } from "zod";
import type { EventData, EventType } from "./events";

/** The events an endpoint can subscribe to ("*" is all of them). */
export const WEBHOOK_EVENTS = [
  "member.joined",
  "points.earned",
  "points.spent",
  "points.reversed",
  "reward.redeemed",
  "tier.changed",
  "points.expiring",
  "analytics.weekly_summary",
] as const satisfies readonly EventType[];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** POST /app/api/webhook-endpoints (and the Integrations page's form). */
export const WebhookEndpointInput = z.object({
  url: z.string().trim().min(1, "url is required").max(2000),
  events: z
    .array(z.enum([...WEBHOOK_EVENTS, "*"]))
    .min(1, "choose at least one event, or *")
    .refine((list) => !list.includes("*") || list.length === 1, 'use ["*"] alone for every event'),
});

/** POST /app/api/api-keys (and the Integrations page's form). */
export const ApiKeyInput = z.object({
  name: z.string().trim().min(1, "name is required").max(100),
  access: z.enum(["read", "write"]),
});

export function subscribes(events: string, type: string): boolean {
  const list = events.split(",");
  return (WEBHOOK_EVENTS as readonly string[]).includes(type) && (list.includes("*") || list.includes(type));
}

/**
 * The JSON body of an event: `{id, type, createdAt, shop, data: {customerId, …figures}}`; a shop's
 * event (the weekly summary) carries its summary as `data`, with no customer.
 */
export function webhookBody(event: {
  id: number;
  type: string;
  createdAt: Date;
  shopId: string;
  customerId: string | null;
  data: EventData;
}): string {
  const d = event.data;
  const base = { id: `evt_${event.id}`, type: event.type, createdAt: event.createdAt.toISOString(), shop: event.shopId };
  if (d.summary) return JSON.stringify({ ...base, data: d.summary });
  const data: Record<string, unknown> = { customerId: event.customerId };
  for (const key of [
    "points",
    "balance",
    "reason",
    "reward",
    "rewardId",
    "code",
    "tier",
    "previousTier",
    "direction",
    "expiresOn",
  ] as const)
    if (d[key] !== undefined) data[key] = d[key];
  return JSON.stringify({ ...base, data });
}

/** `Loyalty-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the HMAC is passed in). */
export function signatureHeader(t: number, hmacHex: (message: string) => string, body: string): string {
  return `t=${t},v1=${hmacHex(`${t}.${body}`)}`;
}

const DAY_MS = 86_400_000;
/** Waits after the 1st, 2nd, … failed attempt: the first retry within a minute, then longer, up to 8 h. */
const BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000];

/** When to try again after `attempts` failed attempts since `firstAttemptAt`, or null: give up (a day has passed). */
export function nextAttemptAt(attempts: number, firstAttemptAt: Date, now: Date): Date | null {
  if (now.getTime() - firstAttemptAt.getTime() >= DAY_MS) return null;
  const wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
  // The last retry lands at the day's end, so retries span at least 24 hours.
  const end = firstAttemptAt.getTime() + DAY_MS;
  return new Date(Math.min(now.getTime() + wait, Math.max(end, now.getTime() + 1000)));
}

/** An endpoint failing for a day is paused. */
export const failingTooLong = (failingSince: Date | null, now: Date) =>
  failingSince !== null && now.getTime() - failingSince.getTime() >= DAY_MS;
