// One process at a time works on a shop's queue of a channel (Flow triggers, metafields): its calls
// share the shop's Admin API budget, and one worker per shop keeps each customer's events in
// order. A lease is a row taken by compare-and-set (an expired one can be taken over: its process
// died); a channel that must wait (Shopify throttled or down) keeps the lease until then.
import { Prisma, rawQuery, type Db, type Dialect } from "~/db.server";
import { timestampParam } from "./ledger.server";

/**
 * How long a lease holds before another process may take it over (its holder died). Renewed while
 * the holder works (at least every third of it), so only a dead holder's lease runs out.
 */
export const INTEGRATION_LEASE_MS = Math.max(1_000, Number(process.env.LOYALTY_INTEGRATION_LEASE_MS ?? 30_000));

/** Takes the shop's lease of `channel` until `until` if it is free or expired; true when taken. */
export async function takeLease(db: Db, dialect: Dialect, shopId: string, channel: string, now: Date, until: Date) {
  const rows = await rawQuery<{ shopId: string }>(
    db,
    dialect,
    Prisma.sql`
    INSERT INTO "IntegrationLease" ("shopId", "channel", "lockedUntil") VALUES (${shopId}, ${channel}, ${timestampParam(dialect, until)})
    ON CONFLICT ("shopId", "channel") DO UPDATE SET "lockedUntil" = excluded."lockedUntil"
    WHERE "IntegrationLease"."lockedUntil" <= ${timestampParam(dialect, now)}
    RETURNING "shopId"`,
  );
  return rows.length === 1;
}

/** Holds the lease until `until` (renewing it, or keeping a shop waiting after a throttle). */
export async function holdLease(db: Db, shopId: string, channel: string, until: Date) {
  await db.integrationLease.updateMany({ where: { shopId, channel }, data: { lockedUntil: until } });
}

/** Shops whose lease of `channel` is held into the future (waiting, or being worked on). */
export async function leasedShops(db: Db, channel: string, now: Date): Promise<Set<string>> {
  const rows = await db.integrationLease.findMany({ where: { channel, lockedUntil: { gt: now } }, select: { shopId: true } });
  return new Set(rows.map((r) => r.shopId));
}

/**
 * Keeps a taken lease alive while its holder works: `renew()` before each call extends it when a
 * third of it has passed since the last extension (one statement every few seconds, not per call).
 */
export function leaseKeeper(db: Db, shopId: string, channel: string, clock: () => Date) {
  let renewedAt = clock().getTime();
  return async () => {
    const now = clock().getTime();
    if (now - renewedAt < INTEGRATION_LEASE_MS / 3) return;
    renewedAt = now;
    await holdLease(db, shopId, channel, new Date(now + INTEGRATION_LEASE_MS));
  };
}
