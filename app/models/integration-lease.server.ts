// One process at a time works on a shop's queue of a channel (Flow triggers, metafields): its calls
// share the shop's Admin API budget, and one worker per shop keeps each customer's events in
// order. A lease is a row taken by compare-and-set (an expired one can be taken over: its process
// died); a channel that must wait (Shopify throttled or down) keeps the lease until then.
import { Prisma, rawQuery, type Db, type Dialect } from "~/db.server";
import { timestampParam } from "./ledger.server";

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
