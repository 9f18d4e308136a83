// One process at a time works on a shop's queue of a channel (Flow triggers, metafields): its calls
// share the shop's Admin API budget, and one worker per shop keeps each customer's events in
// order. A lease is a row taken by compare-and-set (an expired one can be taken over: its process
// died); a channel that must wait (Shopify throttled or down) keeps the lease until then.
import { clientDialect, Prisma, rawQuery, type Db, type Dialect, timestampParam } from "~/db.server";
import { errorText, log } from "~/log.server";
import { ShopNotConnectedError } from "~/shopify/admin-call.server";

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

/** Shops worked on at once: each has its own Admin API bucket, so one shop's queue never waits on another's. */
const SHOPS_AT_ONCE = 16;
const turns = new Map<string, number>();

export interface ChannelOptions {
  now?: () => Date;
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** true when the pass should stop early (the inbox has a backlog of orders to credit first) */
  giveWay?: () => boolean;
}

/**
 * Runs `work` for each shop whose lease of `channel` this process gets, SHOPS_AT_ONCE at a time;
 * `work` answers when the shop may be worked on again (its lease is held until then).
 */
export async function eachLeasedShop(
  db: Db,
  shops: readonly string[],
  channel: string,
  label: string,
  clock: () => Date,
  failedWaitMs: number,
  work: (shopId: string) => Promise<Date>,
) {
  const dialect = clientDialect(db);
  // Each pass starts further along the list (stable, by shop id), so shops past the first few
  // get their turn while those have long queues (a flash sale takes a shop an hour of Flow calls).
  const from = shops.length ? (turns.get(channel) ?? 0) % shops.length : 0;
  turns.set(channel, from + SHOPS_AT_ONCE);
  const queue = [...shops.slice(from), ...shops.slice(0, from)];
  const worker = async () => {
    for (let shopId = queue.shift(); shopId !== undefined; shopId = queue.shift()) {
      const now = clock();
      if (!(await takeLease(db, dialect, shopId, channel, now, new Date(now.getTime() + INTEGRATION_LEASE_MS)))) continue;
      let releaseAt = clock();
      try {
        releaseAt = await work(shopId);
      } catch (error) {
        // Uninstalled between the check and the call: the next run finds it so and drops its queue.
        if (error instanceof ShopNotConnectedError) log("info", `${label}: shop not connected`, { shop: shopId });
        else log("warn", `${label}: shop failed`, { shop: shopId, error: errorText(error) });
        releaseAt = new Date(clock().getTime() + failedWaitMs);
      } finally {
        await holdLease(db, shopId, channel, releaseAt);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHOPS_AT_ONCE, queue.length) }, worker));
}
