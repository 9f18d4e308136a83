// Members' tier values where the program does not measure tiers by lifetime points (which is the
// ledger's own lifetimeEarned column): points earned in the last 12 months, or the amount spent
// over the lifetime or the last 12 months. Each value is computed exactly from its source (the
// ledger's entries, the stored orders) for the members something touched, in the transaction that
// touched them:
//   - points in the window: where points post (the ledger's posting, recordEntryEvents);
//   - spend: where orders are stored (the order writer, after the batch's facts).
// A value has a date when it is next to change by itself (the oldest thing it counts leaves the
// window): the periodic job computes those again, and a tier a member falls out of is told as any
// other change. A program that starts measuring another way marks its members "not computed"
// (tierValue -1, due now): the job computes them in the background and tells no change for them,
// since there is no earlier value in the new measure to compare with.
import { COUNTS_TOWARDS_LIFETIME } from "~/domain/ledger";
import { tierChangeEvent } from "~/domain/events";
import {
  leavesWindowAt,
  measuredByLifetimePoints,
  tierRuleOf,
  tierStanding,
  TIER_VALUE_NOT_COMPUTED,
  windowStart,
  type TierEntry,
} from "~/domain/tiers";
import {
  clientDialect,
  column,
  Prisma,
  rawExecute,
  rawQuery,
  timestampParam,
  transaction,
  type Db,
  type Dialect,
  type Tx,
} from "~/db.server";
import { queueMetafields, recordEvents, type OutboxEventDraft } from "./outbox.server";
import { tierEntries } from "./shops.server";
import { recordTierChanges } from "./tier-changes.server";

const NOT_COMPUTED = TIER_VALUE_NOT_COMPUTED;

// The kinds whose points count towards tiers measured by points (as they count towards lifetimeEarned).
const COUNTING_KINDS = [...COUNTS_TOWARDS_LIFETIME];

interface Computed {
  id: string;
  customerId: string | null;
  old: number;
  value: number;
  dropsAt: Date | null;
}

/** Each member's value from its source, with when it next changes by itself. */
async function compute(
  tx: Tx,
  dialect: Dialect,
  shopId: string,
  entry: TierEntry,
  memberIds: readonly string[],
  now: Date,
): Promise<Computed[]> {
  const rolling = entry.period === "rolling_12_months";
  const since = windowStart(now);
  const ids = Prisma.join(memberIds.map((id) => Prisma.sql`${id}`));
  const source =
    entry.measure === "spend"
      ? Prisma.sql`LEFT JOIN "OrderFact" "o" ON "o"."shopId" = "m"."shopId" AND "o"."customerId" = "m"."customerId"
          AND "o"."paid" AND NOT "o"."cancelled" AND NOT "o"."test" AND "o"."subtotalMinor" IS NOT NULL
          ${rolling ? Prisma.sql`AND "o"."paidAt" >= ${timestampParam(dialect, since)}` : Prisma.empty}`
      : Prisma.sql`LEFT JOIN "LedgerEntry" "o" ON "o"."memberId" = "m"."id" AND "o"."shopId" = "m"."shopId"
          AND "o"."kind" IN (${Prisma.join(COUNTING_KINDS.map((k) => Prisma.sql`${k}`))})
          AND "o"."occurredAt" >= ${timestampParam(dialect, since)}`;
  const amount =
    entry.measure === "spend"
      ? Prisma.sql`CASE WHEN "o"."subtotalMinor" > "o"."refundedMinor" THEN "o"."subtotalMinor" - "o"."refundedMinor" ELSE 0 END`
      : Prisma.sql`"o"."points"`;
  const at = entry.measure === "spend" ? Prisma.sql`"o"."paidAt"` : Prisma.sql`"o"."occurredAt"`;
  if (dialect === "postgresql")
    // Two writers computing one member at once: the second waits for the first's value.
    await rawQuery(
      tx,
      dialect,
      Prisma.sql`SELECT "id" FROM "Member" WHERE "shopId" = ${shopId} AND "id" IN (${ids}) ORDER BY "id" FOR UPDATE`,
    );
  const rows = await rawQuery<Record<string, unknown>>(
    tx,
    dialect,
    Prisma.sql`SELECT "m"."id", "m"."customerId", "m"."tierValue" AS "old", COALESCE(SUM(${amount}), 0) AS "value", MIN(${at}) AS "oldest"
      FROM "Member" "m" ${source}
      WHERE "m"."shopId" = ${shopId} AND "m"."id" IN (${ids})
      GROUP BY "m"."id", "m"."customerId", "m"."tierValue"`,
  );
  return rows.map((r) => {
    const oldest = column.date(r.oldest);
    const leaves = rolling && oldest ? leavesWindowAt(oldest) : null;
    return {
      id: String(r.id),
      customerId: r.customerId == null ? null : String(r.customerId),
      old: column.int(r.old),
      // Reversals of points earned before the window can outweigh what the window holds.
      value: Math.max(0, column.int(r.value)),
      // (never due at once again: month arithmetic is not exact at the ends of months)
      dropsAt: leaves && leaves <= now ? new Date(now.getTime() + 1000) : leaves,
    };
  });
}

/**
 * Computes the members' values again (in the caller's transaction) and tells the tier changes:
 * a tier.changed event, the movement row and the customer's metafields queued. Members whose
 * value was not computed yet get theirs silently. Nothing for a shop measured by lifetime points.
 */
export async function refreshTierValues(
  tx: Tx,
  dialect: Dialect,
  shopId: string,
  memberIds: readonly string[],
  options: { entry?: TierEntry; now?: Date } = {},
): Promise<{ computed: number; changedTier: number }> {
  const now = options.now ?? new Date();
  const entry = options.entry ?? (await tierEntries(tx, dialect, [shopId])).get(shopId);
  if (!entry || measuredByLifetimePoints(entry) || memberIds.length === 0) return { computed: 0, changedTier: 0 };
  const tiers = (
    await tx.tier.findMany({
      where: { shopId, active: true },
      select: { id: true, name: true, thresholdPoints: true, thresholdSpendMinor: true, earnMultiplierPct: true },
    })
  ).map((t) => tierRuleOf(t, entry));
  let computed = 0;
  let changedTier = 0;
  const unique = [...new Set(memberIds)].sort();
  for (let i = 0; i < unique.length; i += 300) {
    const rows = await compute(tx, dialect, shopId, entry, unique.slice(i, i + 300), now);
    if (rows.length === 0) continue;
    const values = rows.map((r) => Prisma.sql`(${r.id}, CAST(${r.value} AS INTEGER), ${timestampParam(dialect, r.dropsAt)})`);
    await rawExecute(
      tx,
      dialect,
      Prisma.sql`WITH "v" ("id", "value", "dropsAt") AS (VALUES ${Prisma.join(values)})
        UPDATE "Member" SET "tierValue" = "v"."value", "tierValueDropsAt" = "v"."dropsAt"
        FROM "v" WHERE "Member"."id" = "v"."id" AND "Member"."shopId" = ${shopId}`,
    );
    computed += rows.length;
    const events: OutboxEventDraft[] = [];
    const moved: Array<{ id: string; shopId: string }> = [];
    for (const r of rows) {
      if (r.old === NOT_COMPUTED) {
        moved.push({ id: r.id, shopId }); // its tier metafield, in the new measure
        continue;
      }
      const event = tierChangeEvent(
        r.id,
        tierStanding(r.old, tiers).tier,
        tierStanding(r.value, tiers).tier,
        `tier:value:${r.id}:${now.getTime()}:${r.value}`,
      );
      if (!event) continue;
      changedTier++;
      moved.push({ id: r.id, shopId });
      if (r.customerId) events.push({ ...event, shopId, customerId: r.customerId });
    }
    await recordEvents(tx, dialect, events, now);
    await recordTierChanges(
      tx,
      dialect,
      events,
      tiers.map((t) => ({ ...t, shopId })),
      now,
    );
    await queueMetafields(tx, dialect, moved, now);
  }
  return { computed, changedTier };
}

/**
 * A shop whose program now measures tiers another way: every member's value is to be computed
 * again, in the background (refreshDueTierValues). Nothing to do when the new measure is lifetime points.
 */
export async function markTierValuesDue(tx: Tx, shopId: string, entry: TierEntry, now = new Date()) {
  if (measuredByLifetimePoints(entry)) {
    // lifetimeEarned is the value again: nothing is waiting, and nothing is left "not computed".
    await tx.member.updateMany({
      where: { shopId, OR: [{ tierValueDropsAt: { not: null } }, { tierValue: { not: 0 } }] },
      data: { tierValueDropsAt: null, tierValue: 0 },
    });
    return;
  }
  await tx.member.updateMany({ where: { shopId }, data: { tierValue: NOT_COMPUTED, tierValueDropsAt: now } });
}

/** Whether any of the shop's members has a value waiting to be computed. */
export async function tierValuesDue(db: Db, shopId: string, now = new Date()): Promise<boolean> {
  return (await db.member.count({ where: { shopId, tierValueDropsAt: { lte: now } }, take: 1 })) > 0;
}

/** The periodic job: members whose value is due (a window moved past something, or not computed), a batch at a time. */
export async function refreshDueTierValues(db: Db, now = new Date(), batch = 500): Promise<number> {
  const dialect = clientDialect(db);
  let done = 0;
  for (;;) {
    const due = await db.member.findMany({
      where: { tierValueDropsAt: { lte: now } },
      orderBy: { tierValueDropsAt: "asc" },
      take: batch,
      select: { id: true, shopId: true },
    });
    if (due.length === 0) return done;
    const byShop = new Map<string, string[]>();
    for (const m of due) byShop.set(m.shopId, [...(byShop.get(m.shopId) ?? []), m.id]);
    await transaction(
      db,
      async (tx) => {
        for (const [shopId, ids] of byShop) {
          const entry = (await tierEntries(tx, dialect, [shopId])).get(shopId);
          if (!entry || measuredByLifetimePoints(entry))
            await tx.member.updateMany({ where: { shopId, id: { in: ids } }, data: { tierValueDropsAt: null } });
          else await refreshTierValues(tx, dialect, shopId, ids, { entry, now });
        }
      },
      { timeout: 30_000, maxWait: 15_000 },
    );
    done += due.length;
    if (due.length < batch) return done;
  }
}
