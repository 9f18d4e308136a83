// Members' loyalty data on their Shopify customers ($app:loyalty metafields, app/domain/metafields.ts),
// written from the MetafieldJob queue the outbox fills in the ledger's transaction. One row per
// member coalesces a burst: the job reads the member as they are now, so the latest values win.
// Per shop under a lease, metafieldsSet takes up to 25 values a call (whole members), lapsed
// values are deleted (an app-owned metafield cannot be blank), paced on Shopify's bucket by
// adminCall. An erase job (customers/redact) deletes the metafields and the tier tag.
import { LOYALTY_KEYS, LOYALTY_NAMESPACE, loyaltyMetafields, type LoyaltyKey, type MetafieldValue } from "~/domain/metafields";
import { tierTag, tierValueOf } from "~/domain/tiers";
import { clientDialect, distinctShops, Prisma, type Db } from "~/db.server";
import { adminCall, ShopifyRejectedError, type AdminGraphql } from "~/shopify/admin-call.server";
import { CUSTOMER_TAGS_REMOVE, DELETE_METAFIELDS, SET_CUSTOMER_METAFIELDS } from "~/shopify/operations";
import { log } from "~/log.server";
import { eachLeasedShop, holdLease, INTEGRATION_LEASE_MS, type ChannelOptions } from "./integration-lease.server";
import { currentRules, tierSetup } from "./shops.server";

const CHANNEL = "metafields";
const PER_CALL = 25;
const MAX_ATTEMPTS = 8;
const COST = 10;

interface Job {
  memberId: string;
  generation: number;
  attempts: number;
  erase: boolean;
  customerId: string | null;
  tierTag: string | null;
}

interface Work {
  job: Job;
  ownerId: string;
  set: MetafieldValue[];
  remove: LoyaltyKey[];
  keys: string;
  /** the keys the member had written before (null: not known) */
  keysBefore: string | null;
}

export interface MetafieldRun {
  written: number;
  erased: number;
  failed: number;
}

export async function syncCustomerMetafields(
  db: Db,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  options: ChannelOptions = {},
): Promise<MetafieldRun> {
  const clock = options.now ?? (() => new Date());
  const run: MetafieldRun = { written: 0, erased: 0, failed: 0 };
  const deadline = Date.now() + (options.budgetMs ?? 20_000);
  const stop = () => Date.now() > deadline || (options.giveWay?.() ?? false);
  // A seek per shop on the (shopId, runAt) index, not a read of every job due.
  const dialect = clientDialect(db);
  const due = Prisma.sql`"runAt" <= ${clock()}`;
  await eachLeasedShop(
    db,
    await distinctShops(db, dialect, "MetafieldJob", due, "", 100),
    CHANNEL,
    "metafields",
    clock,
    10_000,
    (shopId) => syncShop(db, shopId, graphqlFor, run, clock, options.sleep, stop),
  );
  return run;
}

async function syncShop(
  db: Db,
  shopId: string,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  run: MetafieldRun,
  clock: () => Date,
  sleep: ((ms: number) => Promise<void>) | undefined,
  stop: () => boolean,
): Promise<Date> {
  const shop = await db.shop.findUnique({
    where: { id: shopId },
    select: { uninstalledAt: true, programVersion: true, timezone: true },
  });
  if (!shop || shop.uninstalledAt) {
    // The token is gone with the app: nothing can be written or deleted (docs/data-protection.md).
    await db.metafieldJob.deleteMany({ where: { shopId } });
    return clock();
  }
  const [{ entry, tiers }, rules] = await Promise.all([tierSetup(db, shopId), currentRules(db, shopId, shop.programVersion)]);
  let graphql: AdminGraphql | null = null;
  while (!stop()) {
    const jobs: Job[] = await db.metafieldJob.findMany({
      where: { shopId, runAt: { lte: clock() } },
      orderBy: { runAt: "asc" },
      take: 60,
      select: { memberId: true, generation: true, attempts: true, erase: true, customerId: true, tierTag: true },
    });
    if (jobs.length === 0) return clock();
    await holdLease(db, shopId, CHANNEL, new Date(clock().getTime() + INTEGRATION_LEASE_MS));
    const members = new Map(
      (
        await db.member.findMany({
          where: { shopId, id: { in: jobs.map((j) => j.memberId) } },
          select: {
            id: true,
            customerId: true,
            state: true,
            available: true,
            lifetimeEarned: true,
            tierValue: true,
            lastActivityAt: true,
            metafieldKeys: true,
          },
        })
      ).map((m) => [m.id, m]),
    );
    const work: Work[] = [];
    for (const job of jobs) {
      if (job.erase) {
        work.push({
          job,
          ownerId: `gid://shopify/Customer/${job.customerId}`,
          set: [],
          remove: [...LOYALTY_KEYS],
          keys: "",
          keysBefore: null,
        });
        continue;
      }
      const m = members.get(job.memberId);
      if (!m?.customerId) {
        await finish(db, [job]);
        continue;
      }
      const { set, remove } = loyaltyMetafields(
        { ...m, tierValue: tierValueOf(m, entry) },
        tiers,
        rules.expiryDays,
        shop.timezone,
      );
      const written = new Set((m.metafieldKeys ?? LOYALTY_KEYS.join(",")).split(",").filter(Boolean));
      work.push({
        job,
        ownerId: `gid://shopify/Customer/${m.customerId}`,
        set,
        // Only what may be there: keys written before (all of them when it is not known).
        remove: remove.filter((k) => written.has(k)),
        keys: set.map((v) => v.key).join(","),
        keysBefore: m.metafieldKeys,
      });
    }
    graphql ??= await graphqlFor(shopId);
    try {
      await writeAll(db, graphql, work, run, clock, sleep);
    } catch (error) {
      if (error instanceof ShopifyRejectedError) throw error;
      // Shopify is busy or down: the shop waits, its jobs stay as they are.
      return new Date(clock().getTime() + 5_000);
    }
  }
  return clock();
}

/** Writes, deletes and (for erasures) untags; each member's job is finished once all of theirs went. */
async function writeAll(
  db: Db,
  graphql: AdminGraphql,
  work: Work[],
  run: MetafieldRun,
  clock: () => Date,
  sleep: ((ms: number) => Promise<void>) | undefined,
) {
  const refused = new Map<Work, string>();
  // metafieldsSet is all or nothing: a call takes whole members, up to 25 values.
  const calls: Work[][] = [];
  for (const w of work.filter((w) => w.set.length)) {
    const last = calls.at(-1);
    if (last && last.reduce((n, x) => n + x.set.length, 0) + w.set.length <= PER_CALL) last.push(w);
    else calls.push([w]);
  }
  for (const call of calls) {
    const metafields = call.flatMap((w) => w.set.map((v) => ({ ownerId: w.ownerId, namespace: LOYALTY_NAMESPACE, ...v })));
    const data = await adminCall(graphql, SET_CUSTOMER_METAFIELDS, { metafields }, { cost: COST, sleep });
    const errors = (data.metafieldsSet as { userErrors: Array<{ message: string; elementIndex: number | null }> }).userErrors;
    for (const e of errors) {
      const owner = e.elementIndex !== null ? metafields[e.elementIndex]?.ownerId : null;
      for (const w of call) if (owner === null || w.ownerId === owner) refused.set(w, e.message);
    }
    // None of the call was saved: the members not refused go again at once.
    if (errors.length) for (const w of call) if (!refused.has(w)) w.job.attempts = -1;
  }
  const removals = work
    .filter((w) => !refused.has(w) && w.job.attempts !== -1)
    .flatMap((w) => w.remove.map((key) => ({ ownerId: w.ownerId, namespace: LOYALTY_NAMESPACE, key })));
  for (let i = 0; i < removals.length; i += PER_CALL) {
    const data = await adminCall(
      graphql,
      DELETE_METAFIELDS,
      { metafields: removals.slice(i, i + PER_CALL) },
      { cost: COST, sleep },
    );
    const errors = (data.metafieldsDelete as { userErrors: Array<{ message: string }> }).userErrors;
    if (errors.length) throw new ShopifyRejectedError(`metafieldsDelete: ${errors.map((e) => e.message).join("; ")}`);
  }
  const done: Job[] = [];
  const keysNow = new Map<string, string[]>(); // keys written → members whose written keys changed to them
  for (const w of work) {
    if (w.job.attempts === -1) continue;
    const reason = refused.get(w);
    if (reason !== undefined) {
      // A customer Shopify no longer has (deleted) has nothing left to write to.
      if (/does not exist/i.test(reason)) done.push(w.job);
      else await failed(db, w.job, reason, clock());
      run.failed++;
      continue;
    }
    if (w.job.erase) {
      if (w.job.tierTag)
        await adminCall(graphql, CUSTOMER_TAGS_REMOVE, { id: w.ownerId, tags: [tierTag(w.job.tierTag)] }, { cost: COST, sleep });
      run.erased++;
    } else {
      if (w.keysBefore !== w.keys) keysNow.set(w.keys, [...(keysNow.get(w.keys) ?? []), w.job.memberId]);
      run.written++;
    }
    done.push(w.job);
  }
  // A few statements for the whole call, not two per member: most members keep the keys they had.
  for (const [keys, ids] of keysNow) await db.member.updateMany({ where: { id: { in: ids } }, data: { metafieldKeys: keys } });
  await finish(db, done);
}

/** Done, unless a member was queued again meanwhile (then it runs again with the newer values). */
async function finish(db: Db, jobs: readonly Job[]) {
  if (jobs.length === 0) return;
  await db.metafieldJob.deleteMany({
    where: { OR: jobs.map((j) => ({ memberId: j.memberId, generation: j.generation })) },
  });
}

async function failed(db: Db, job: Job, message: string, now: Date) {
  const attempts = job.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) {
    log("warn", "metafields: giving up", { member: job.memberId, attempts, error: message.slice(0, 300) });
    return finish(db, [job]);
  }
  await db.metafieldJob.updateMany({
    where: { memberId: job.memberId, generation: job.generation },
    data: {
      attempts,
      lastError: message.slice(0, 300),
      runAt: new Date(now.getTime() + Math.min(30_000 * 2 ** (attempts - 1), 3_600_000)),
    },
  });
}
