// The merchant's webhook endpoints and the deliveries to them. The outbox's events are fanned out
// to the endpoints that chose them (one delivery row per event and endpoint, once), then sent by
// any process: a delivery is claimed by compare-and-set with a lease, marked delivered in the
// statement after its first 2xx (never sent again), else retried with backoff for a day and then
// failed. An endpoint failing for a day is paused until the merchant resumes it.
import { createHmac, randomBytes } from "node:crypto";
import { deliverable, type EventData } from "~/domain/events";
import { destinationProblem, type DestinationProblem } from "~/domain/ssrf";
import { failingTooLong, nextAttemptAt, signatureHeader, subscribes, webhookBody } from "~/domain/webhook-events";
import type { OutboxEvent, WebhookEndpoint } from "@prisma/client";
import { Prisma, rawExecute, clientDialect, type Db } from "~/db.server";
import { decryptToken, encryptToken } from "~/secrets.server";
import { destinationPolicy, resolveHost, SEND_TIMEOUT_MS, type Sender } from "~/integrations/webhook-sender.server";
import { errorText, log } from "~/log.server";
import { INTEGRATION_LEASE_MS } from "./integration-lease.server";

// A claim outlasts the longest send and its marking: a claim that ran out while its 2xx was on the
// way back would let another process send the same delivery again.
const LEASE_MS = Math.max(INTEGRATION_LEASE_MS, SEND_TIMEOUT_MS + 5_000);

const PROBLEMS: Record<DestinationProblem, string> = {
  invalid_url: "must be a URL such as https://example.com/loyalty",
  https_required: "must start with https://",
  private_address: "must reach a public address (not loopback, private or link-local)",
  unresolvable: "its host could not be found",
};

export class EndpointError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const view = (e: {
  id: string;
  url: string;
  events: string;
  createdAt: Date;
  pausedAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
}) => ({
  id: e.id,
  url: e.url,
  events: e.events.split(","),
  createdAt: e.createdAt.toISOString(),
  paused: e.pausedAt !== null,
  failingSince: e.failingSince?.toISOString() ?? null,
  lastSuccessAt: e.lastSuccessAt?.toISOString() ?? null,
});

export async function createEndpoint(db: Db, shopId: string, input: { url: string; events: string[] }, resolve = resolveHost) {
  const problem = await destinationProblem(input.url, destinationPolicy(), resolve);
  if (problem) throw new EndpointError(problem, `url ${PROBLEMS[problem]}`);
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const endpoint = await db.webhookEndpoint.create({
    data: {
      id: `we_${randomBytes(10).toString("hex")}`,
      shopId,
      url: input.url,
      events: [...new Set(input.events)].join(","),
      secret: encryptToken(secret, shopId),
    },
  });
  // The secret is shown here only.
  return { ...view(endpoint), secret };
}

export async function listEndpoints(db: Db, shopId: string) {
  const rows = await db.webhookEndpoint.findMany({ where: { shopId }, orderBy: { createdAt: "asc" } });
  return rows.map(view);
}

export async function deleteEndpoint(db: Db, shopId: string, id: string) {
  const { count } = await db.webhookEndpoint.deleteMany({ where: { shopId, id } });
  if (count)
    await db.webhookDelivery.updateMany({
      where: { endpointId: id, status: "pending" },
      data: { status: "failed", lastError: "endpoint removed" },
    });
  return count === 1;
}

/** Resumes a paused endpoint: its waiting deliveries go again now. */
export async function resumeEndpoint(db: Db, shopId: string, id: string) {
  const { count } = await db.webhookEndpoint.updateMany({ where: { shopId, id }, data: { pausedAt: null, failingSince: null } });
  if (count)
    await db.webhookDelivery.updateMany({ where: { endpointId: id, status: "pending" }, data: { nextAttemptAt: new Date() } });
  return count === 1;
}

export async function listDeliveries(db: Db, shopId: string, options: { endpointId?: string; limit?: number } = {}) {
  const rows = await db.webhookDelivery.findMany({
    where: { shopId, ...(options.endpointId ? { endpointId: options.endpointId } : {}) },
    orderBy: { id: "desc" },
    take: Math.min(options.limit ?? 50, 200),
  });
  const events = new Map(
    (await db.outboxEvent.findMany({ where: { id: { in: rows.map((r) => r.eventId) } }, select: { id: true, type: true } })).map(
      (e) => [e.id, e.type],
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpointId,
    eventId: `evt_${r.eventId}`,
    type: events.get(r.eventId) ?? null,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    nextAttemptAt: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The merchant's "Resend": the same event (same id and body) goes again now. */
export async function resendDelivery(db: Db, shopId: string, id: number) {
  const { count } = await db.webhookDelivery.updateMany({
    where: { shopId, id },
    data: { status: "pending", nextAttemptAt: new Date(), firstAttemptAt: null, lockedUntil: null },
  });
  return count === 1;
}

/** Endpoints the merchant should hear about (paused after failing for a day). */
export async function pausedEndpoints(db: Db, shopId: string) {
  return (await db.webhookEndpoint.findMany({ where: { shopId, pausedAt: { not: null } } })).map(view);
}

/** One delivery row per new event and endpoint that chose it; the events are then done. Answers how many events were. */
export async function fanOutEvents(db: Db, batch = 500): Promise<number> {
  const events = await db.outboxEvent.findMany({
    where: { hooksState: "pending" },
    orderBy: { id: "asc" },
    take: batch,
    select: { id: true, shopId: true, type: true, customerId: true, createdAt: true },
  });
  if (events.length === 0) return 0;
  const shops = [...new Set(events.map((e) => e.shopId))];
  const endpoints = await db.webhookEndpoint.findMany({
    where: { shopId: { in: shops }, pausedAt: null },
    select: { id: true, shopId: true, events: true, createdAt: true },
  });
  const rows = events.flatMap((e) =>
    !deliverable(e)
      ? []
      : endpoints
          .filter((p) => p.shopId === e.shopId && p.createdAt <= e.createdAt && subscribes(p.events, e.type))
          .map((p) => Prisma.sql`(${e.shopId}, ${p.id}, ${e.id}, 'pending', 0, ${e.createdAt}, ${e.createdAt})`),
  );
  const dialect = clientDialect(db);
  await db.$transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 300)
      await rawExecute(
        tx,
        dialect,
        Prisma.sql`INSERT INTO "WebhookDelivery" ("shopId", "endpointId", "eventId", "status", "attempts", "nextAttemptAt", "createdAt")
          VALUES ${Prisma.join(rows.slice(i, i + 300))} ON CONFLICT DO NOTHING`,
      );
    await tx.outboxEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { hooksState: "done" } });
  });
  return events.length;
}

/** Takes up to `limit` due deliveries under a lease, each by compare-and-set (no two processes share one). */
async function claimDeliveries(db: Db, now: Date, limit: number) {
  const due = await db.webhookDelivery.findMany({
    where: { status: "pending", nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
  });
  const claimed = [];
  for (const d of due) {
    const { count } = await db.webhookDelivery.updateMany({
      where: { id: d.id, status: "pending", lockedUntil: d.lockedUntil },
      data: { lockedUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 1) claimed.push(d);
  }
  return claimed;
}

export interface DeliveryRun {
  delivered: number;
  retried: number;
  failed: number;
}

/** Fans out new events, then sends what is due, a few at a time, until nothing is due or `budgetMs` is spent. */
export async function deliverWebhooks(
  db: Db,
  send: Sender,
  options: { now?: () => Date; budgetMs?: number; concurrency?: number; giveWay?: () => boolean } = {},
): Promise<DeliveryRun> {
  const clock = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.budgetMs ?? 20_000);
  const stop = () => Date.now() > deadline || (options.giveWay?.() ?? false);
  const run: DeliveryRun = { delivered: 0, retried: 0, failed: 0 };
  while ((await fanOutEvents(db)) > 0 && !stop());
  while (!stop()) {
    const claimed = await claimDeliveries(db, clock(), options.concurrency ?? 10);
    if (claimed.length === 0) break;
    // What the claimed deliveries need, read once for all of them.
    const ids = (pick: (d: (typeof claimed)[number]) => string | number) => [...new Set(claimed.map(pick))];
    const about: About = {
      endpoints: new Map(
        (await db.webhookEndpoint.findMany({ where: { id: { in: ids((d) => d.endpointId) as string[] } } })).map((e) => [
          e.id,
          e,
        ]),
      ),
      events: new Map(
        (await db.outboxEvent.findMany({ where: { id: { in: ids((d) => d.eventId) as number[] } } })).map((e) => [e.id, e]),
      ),
      shops: new Map(
        (
          await db.shop.findMany({
            where: { id: { in: ids((d) => d.shopId) as string[] } },
            select: { id: true, uninstalledAt: true },
          })
        ).map((s) => [s.id, s]),
      ),
      succeeded: new Map(),
    };
    await Promise.all(
      claimed.map((d) =>
        deliverOne(db, d, about, send, clock, run).catch((error) =>
          log("warn", "webhook delivery failed", { delivery: d.id, error: errorText(error) }),
        ),
      ),
    );
    // An endpoint that answered 2xx is not failing: one statement per endpoint, not per delivery.
    for (const [id, at] of about.succeeded)
      await db.webhookEndpoint.update({ where: { id }, data: { lastSuccessAt: at, failingSince: null } });
  }
  return run;
}

interface About {
  endpoints: Map<string, WebhookEndpoint>;
  events: Map<number, OutboxEvent>;
  shops: Map<string, { uninstalledAt: Date | null }>;
  /** endpoints that answered 2xx in this round, and when last */
  succeeded: Map<string, Date>;
}

async function deliverOne(
  db: Db,
  d: { id: number; shopId: string; endpointId: string; eventId: number; attempts: number; firstAttemptAt: Date | null },
  about: About,
  send: Sender,
  clock: () => Date,
  run: DeliveryRun,
) {
  const endpoint = about.endpoints.get(d.endpointId);
  const event = about.events.get(d.eventId);
  const shop = about.shops.get(d.shopId);
  if (!endpoint || endpoint.shopId !== d.shopId || !event || !deliverable(event) || !shop || shop.uninstalledAt) {
    await db.webhookDelivery.update({
      where: { id: d.id },
      data: { status: "failed", lockedUntil: null, lastError: "nothing to deliver" },
    });
    run.failed++;
    return;
  }
  if (endpoint.pausedAt) {
    await db.webhookDelivery.update({
      where: { id: d.id },
      data: { lockedUntil: null, nextAttemptAt: new Date(clock().getTime() + 3_600_000) },
    });
    return;
  }
  const body = webhookBody({ ...event, data: JSON.parse(event.data) as EventData });
  const secret = decryptToken(endpoint.secret, endpoint.shopId);
  const t = Math.floor(clock().getTime() / 1000);
  const signature = signatureHeader(t, (m) => createHmac("sha256", secret).update(m).digest("hex"), body);
  const result = await send(endpoint.url, body, {
    "Loyalty-Event-Id": `evt_${event.id}`,
    "Loyalty-Signature": signature,
    "User-Agent": "LoyaltyClub-Webhooks/1",
  });
  const now = clock();
  const firstAttemptAt = d.firstAttemptAt ?? now;
  const attempts = d.attempts + 1;
  if (result.status !== null && result.status >= 200 && result.status < 300) {
    await db.webhookDelivery.update({
      where: { id: d.id },
      data: {
        status: "delivered",
        attempts,
        firstAttemptAt,
        lastStatus: result.status,
        lastError: null,
        deliveredAt: now,
        lockedUntil: null,
      },
    });
    about.succeeded.set(endpoint.id, now);
    run.delivered++;
    return;
  }
  const next = nextAttemptAt(attempts, firstAttemptAt, now);
  const lastError =
    result.error ?? (result.status !== null && result.status >= 300 && result.status < 400 ? "redirect not followed" : null);
  await db.webhookDelivery.update({
    where: { id: d.id },
    data: {
      status: next ? "pending" : "failed",
      attempts,
      firstAttemptAt,
      lastStatus: result.status,
      lastError,
      nextAttemptAt: next ?? now,
      lockedUntil: null,
    },
  });
  if (next) run.retried++;
  else run.failed++;
  const failingSince = endpoint.failingSince ?? now;
  const paused = failingTooLong(failingSince, now);
  await db.webhookEndpoint.update({
    where: { id: endpoint.id },
    data: { failingSince, ...(paused && !endpoint.pausedAt ? { pausedAt: now } : {}) },
  });
  if (paused && !endpoint.pausedAt)
    log("warn", "webhook endpoint paused after failing for a day", { shop: endpoint.shopId, endpoint: endpoint.id });
}
