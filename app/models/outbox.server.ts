// The transactional outbox (ADR 0016). Events are written in the transaction of the change they
// tell of, by three writers only: the ledger (entries posted: app/models/ledger.server.ts calls
// recordEntryEvents once per posting), member creation (ensureMembers) and a redemption's code
// being issued. A rolled-back transaction leaves no event; a committed one cannot lose its event.
// The delivery channels (app/integrations/) read the rows afterwards, each with its own state.
import { planEntryEvents, type EventData, type EventDraft, type EventType, type PostedEntry } from "~/domain/events";
import { FLOW_TRIGGERS } from "~/domain/flow";
import { balanceDelta } from "~/domain/ledger";
import { DEFAULT_TIER_ENTRY, measuredByLifetimePoints, tierRuleOf, type TierEntry } from "~/domain/tiers";
import { column, Prisma, rawExecute, rawQuery, type Dialect, type Tx } from "~/db.server";
import { recordTierChanges } from "./tier-changes.server";
import { tierEntries } from "./shops.server";

export interface OutboxEventDraft extends EventDraft {
  shopId: string;
  /** null for a shop's event (memberId "") */
  customerId: string | null;
}

/** A member's standing after the posting, as the balance update returned it. */
export interface MemberAfter {
  shopId: string;
  customerId: string | null;
  available: number;
  lifetimeEarned: number;
}

const CHUNK = 300;

/** Inserts events once per (shop, key); a key written before is left as it was. Answers how many are new. */
export async function recordEvents(tx: Tx, dialect: Dialect, events: readonly OutboxEventDraft[], now = new Date()) {
  let inserted = 0;
  for (let i = 0; i < events.length; i += CHUNK) {
    const values = events.slice(i, i + CHUNK).map((e) => {
      const flowState = FLOW_TRIGGERS[e.type] ? "pending" : "none";
      return Prisma.sql`(${e.shopId}, ${e.memberId}, ${e.customerId}, ${e.type}, ${e.eventKey}, ${JSON.stringify(e.data)}, ${now}, ${flowState}, ${now})`;
    });
    inserted += await rawExecute(
      tx,
      dialect,
      Prisma.sql`
      INSERT INTO "OutboxEvent" ("shopId", "memberId", "customerId", "type", "eventKey", "data", "createdAt", "flowState", "flowRunAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shopId", "eventKey") DO NOTHING`,
    );
  }
  return inserted;
}

/** Queues members' metafields to be written (one row per member: coalesced, the latest values win). */
export async function queueMetafields(
  tx: Tx,
  dialect: Dialect,
  members: ReadonlyArray<{ id: string; shopId: string }>,
  now = new Date(),
) {
  for (let i = 0; i < members.length; i += CHUNK) {
    const values = members.slice(i, i + CHUNK).map((m) => Prisma.sql`(${m.id}, ${m.shopId}, 0, ${now}, 0)`);
    await rawExecute(
      tx,
      dialect,
      Prisma.sql`
      INSERT INTO "MetafieldJob" ("memberId", "shopId", "generation", "runAt", "attempts")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("memberId") DO UPDATE SET "generation" = "MetafieldJob"."generation" + 1, "attempts" = 0, "lastError" = NULL`,
    );
  }
}

/**
 * The events of a posting: `entries` were posted now (fresh, in order), `after` holds their
 * members' standing once posted. Members without a customer (erased) cause none. Tier changes are
 * told here where tiers are measured by lifetime points; other measures are told where their
 * values are computed (app/models/tier-values.server.ts). Answers the shops' tier entries.
 */
export async function recordEntryEvents(
  tx: Tx,
  dialect: Dialect,
  entries: readonly PostedEntry[],
  after: ReadonlyMap<string, MemberAfter>,
  now = new Date(),
) {
  const byMember = new Map<string, PostedEntry[]>();
  for (const e of entries)
    if (after.get(e.memberId)?.customerId) byMember.set(e.memberId, [...(byMember.get(e.memberId) ?? []), e]);
  if (byMember.size === 0) return new Map<string, TierEntry>();
  const shops = [...new Set([...byMember.keys()].map((id) => after.get(id)!.shopId))];
  const entryOf = await tierEntries(tx, dialect, shops);
  // On the transaction's own connection, one statement after the other (a pg connection runs one
  // query at a time; typed calls side by side made pg queue them, which pg 9 will refuse).
  const inShops = Prisma.sql`"shopId" IN (${Prisma.join(shops.map((s) => Prisma.sql`${s}`))}) AND "active" = ${true}`;
  const tiers = (
    await rawQuery<Record<string, unknown>>(
      tx,
      dialect,
      Prisma.sql`SELECT "id", "shopId", "name", "thresholdPoints", "thresholdSpendMinor", "earnMultiplierPct" FROM "Tier" WHERE ${inShops}`,
    )
  ).map((t) =>
    tierRuleOf(
      {
        id: String(t.id),
        shopId: String(t.shopId),
        name: String(t.name),
        thresholdPoints: column.int(t.thresholdPoints),
        thresholdSpendMinor: column.int(t.thresholdSpendMinor),
        earnMultiplierPct: column.int(t.earnMultiplierPct),
      },
      entryOf.get(String(t.shopId)) ?? DEFAULT_TIER_ENTRY,
    ),
  );
  const rewards = (
    await rawQuery<Record<string, unknown>>(
      tx,
      dialect,
      Prisma.sql`SELECT "id", "shopId", "name", "pointsCost" FROM "Reward" WHERE ${inShops}`,
    )
  ).map((r) => ({ id: String(r.id), shopId: String(r.shopId), name: String(r.name), pointsCost: column.int(r.pointsCost) }));
  const events: OutboxEventDraft[] = [];
  for (const [memberId, list] of byMember) {
    const m = after.get(memberId)!;
    // What the member had before: what they have now less what these entries moved.
    const before = list.reduce(
      (b, e) => {
        if (e.kind === "release") return { available: b.available - e.points, lifetimeEarned: b.lifetimeEarned };
        return {
          available: b.available - (e.status === "available" ? e.points : 0),
          lifetimeEarned: b.lifetimeEarned - lifetimeOf(e),
        };
      },
      { available: m.available, lifetimeEarned: m.lifetimeEarned },
    );
    const byLifetime = measuredByLifetimePoints(entryOf.get(m.shopId) ?? DEFAULT_TIER_ENTRY);
    const planned = planEntryEvents(list, before, {
      tiers: byLifetime ? tiers.filter((t) => t.shopId === m.shopId) : [],
      rewards: rewards.filter((r) => r.shopId === m.shopId),
    });
    for (const e of planned) events.push({ ...e, shopId: m.shopId, customerId: m.customerId! });
  }
  await recordEvents(tx, dialect, events, now);
  await recordTierChanges(tx, dialect, events, tiers, now);
  await queueMetafields(
    tx,
    dialect,
    [...byMember.keys()].map((id) => ({ id, shopId: after.get(id)!.shopId })),
    now,
  );
  return entryOf;
}

// The same rule as balanceDelta's lifetime column, for taking it back.
const lifetimeOf = (e: PostedEntry) => balanceDelta(e).lifetimeEarned;

/** member.joined for members created now (active ones: an opt-out remembered is no member). */
export async function recordJoined(
  tx: Tx,
  dialect: Dialect,
  members: ReadonlyArray<{ id: string; shopId: string; customerId: string | null; state: string; available: number }>,
) {
  const events: OutboxEventDraft[] = members
    .filter((m) => m.state === "active" && m.customerId)
    .map((m) => ({
      shopId: m.shopId,
      memberId: m.id,
      customerId: m.customerId!,
      type: "member.joined" as EventType,
      eventKey: `joined:${m.id}`,
      data: { balance: m.available } satisfies EventData,
    }));
  await recordEvents(tx, dialect, events);
  await queueMetafields(
    tx,
    dialect,
    events.map((e) => ({ id: e.memberId, shopId: e.shopId })),
  );
}

/** reward.redeemed when a redemption's code is issued. */
export async function recordRedeemed(
  tx: Tx,
  dialect: Dialect,
  redemption: { id: string; shopId: string; memberId: string; pointsSpent: number; code: string; rewardId: string },
) {
  const member = await tx.member.findUnique({ where: { id: redemption.memberId }, select: { customerId: true } });
  const reward = await tx.reward.findUnique({ where: { id: redemption.rewardId }, select: { name: true } });
  if (!member?.customerId) return;
  await recordEvents(tx, dialect, [
    {
      shopId: redemption.shopId,
      memberId: redemption.memberId,
      customerId: member.customerId,
      type: "reward.redeemed",
      eventKey: `redeemed:${redemption.id}`,
      data: { reward: reward?.name ?? "", rewardId: redemption.rewardId, points: redemption.pointsSpent, code: redemption.code },
    },
  ]);
}

/**
 * customers/redact: the customer's events lose the customer and their figures (undelivered ones
 * are dropped), and their loyalty metafields and tier tag are queued for deletion in Shopify (an
 * erase job holds the customer id until that is done).
 */
export async function redactIntegrations(
  tx: Tx,
  shopId: string,
  customerId: string,
  member: { id: string; tierTag: string | null } | null,
) {
  const about = { shopId, OR: [{ customerId }, ...(member ? [{ memberId: member.id }] : [])] };
  await tx.outboxEvent.updateMany({
    where: { ...about, flowState: "pending" },
    data: { flowState: "skipped", flowError: "customer redacted" },
  });
  await tx.outboxEvent.updateMany({ where: about, data: { customerId: null, data: "{}" } });
  if (!member) return;
  const erase = { erase: true, customerId, tierTag: member.tierTag || null, attempts: 0, lastError: null, runAt: new Date() };
  await tx.metafieldJob.upsert({
    where: { memberId: member.id },
    create: { memberId: member.id, shopId, ...erase },
    update: { ...erase, generation: { increment: 1 } },
  });
}
