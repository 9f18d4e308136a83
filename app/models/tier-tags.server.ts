// Members' tiers written to their Shopify customers as a tag (`loyalty-tier:Gold`), so that
// segments, Flow and marketing emails can use them. Whenever a member's tier may have changed (the
// program's tiers were saved, points were adjusted or imported, and a periodic sweep for what
// orders moved) the members whose tag no longer matches are queued in TierTagJob, in one
// statement; a job takes them in batches, removes the old tag and adds the new one through Admin
// GraphQL (paced on Shopify's bucket by adminCall), and records on the member the tier it wrote.
//
// Idempotent: a member whose written tier already matches costs nothing, and tagsAdd/tagsRemove
// of a tag present/absent changes nothing. A job row carries a generation that every new queueing
// bumps; it is deleted only at the generation it was worked on, so a change that arrives while a
// member is being tagged is not lost.
import { Prisma } from "@prisma/client";
import { clientDialect, rawExecute, type Db } from "~/db.server";
import { TIER_VALUE_NOT_COMPUTED, tierTagChange, tierValueColumn, tierValueOf, wantedTierTag } from "~/domain/tiers";
import { adminCall, ShopifyRejectedError, type AdminGraphql } from "~/shopify/admin-call.server";
import { CUSTOMER_TAGS_ADD, CUSTOMER_TAGS_REMOVE } from "~/shopify/operations";
import { log } from "~/log.server";
import { tierSetup } from "./shops.server";

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 8;
/** a tagsAdd/tagsRemove's requested cost in Shopify's bucket */
const MUTATION_COST = 10;

type TierSetup = Awaited<ReturnType<typeof tierSetup>>;

/** The tier a member row should be tagged with, as SQL (the same rule as wantedTierTag). */
function wantedTierSql({ entry, tiers }: TierSetup): Prisma.Sql {
  const value = Prisma.raw(`m."${tierValueColumn(entry)}"`);
  const highestFirst = [...tiers].sort((a, b) => b.threshold - a.threshold);
  const bands = highestFirst.map((t) => Prisma.sql`WHEN ${value} >= ${t.threshold} THEN ${t.name}`);
  return Prisma.sql`CASE WHEN m."state" <> 'active' THEN '' ${bands.length ? Prisma.join(bands, " ") : Prisma.empty} ELSE '' END`;
}

/**
 * Queues the shop's members whose tag in Shopify no longer matches their tier (or only `memberId`).
 * A member never tagged and without a tier has nothing to change. Returns how many were queued.
 */
export async function queueTierTags(
  db: Db,
  shopId: string,
  options: { memberId?: string; customerId?: string; now?: Date } = {},
) {
  const dialect = clientDialect(db);
  const tiers = await tierSetup(db, shopId);
  const now = options.now ?? new Date();
  const oneMember = options.memberId
    ? Prisma.sql`AND m."id" = ${options.memberId}`
    : options.customerId
      ? Prisma.sql`AND m."customerId" = ${options.customerId}`
      : Prisma.empty;
  return rawExecute(
    db,
    dialect,
    Prisma.sql`
      INSERT INTO "TierTagJob" ("memberId", "shopId", "generation", "runAt", "attempts")
      SELECT m."id", m."shopId", 0, ${now}, 0
      FROM "Member" m
      WHERE m."shopId" = ${shopId} AND m."customerId" IS NOT NULL ${oneMember}
        AND COALESCE(m."tierTag", '') <> ${wantedTierSql(tiers)}
        AND m."tierValue" <> ${TIER_VALUE_NOT_COMPUTED}
      ON CONFLICT ("memberId") DO UPDATE SET
        "generation" = "TierTagJob"."generation" + 1, "runAt" = excluded."runAt", "attempts" = 0, "lastError" = NULL`,
  );
}

/** Every installed shop's drift (orders move members across thresholds): for the periodic sweep. */
export async function queueTierTagsForAllShops(db: Db, now = new Date()) {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { id: true } });
  let queued = 0;
  for (const { id } of shops) queued += await queueTierTags(db, id, { now });
  return queued;
}

interface ClaimedJob {
  memberId: string;
  shopId: string;
  generation: number;
  attempts: number;
}

/** Takes up to `limit` due jobs under a lease (each by compare-and-set, so two processes never share one). */
async function claim(db: Db, now: Date, limit: number): Promise<ClaimedJob[]> {
  const due = await db.tierTagJob.findMany({
    where: { runAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    orderBy: { runAt: "asc" },
    take: limit,
    select: { memberId: true, shopId: true, generation: true, attempts: true, lockedUntil: true },
  });
  const lockedUntil = new Date(now.getTime() + LEASE_MS);
  const claimed: ClaimedJob[] = [];
  for (const job of due) {
    const { count } = await db.tierTagJob.updateMany({
      where: { memberId: job.memberId, generation: job.generation, lockedUntil: job.lockedUntil },
      data: { lockedUntil },
    });
    if (count === 1) claimed.push(job);
  }
  return claimed;
}

export interface TierTagRun {
  tagged: number;
  unchanged: number;
  failed: number;
}

/**
 * One pass over the due jobs, a batch at a time, until none is due or `budgetMs` is spent.
 * `graphqlFor` gives a shop's Admin GraphQL client (its offline session).
 */
export async function syncTierTags(
  db: Db,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  options: { now?: () => Date; batch?: number; budgetMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<TierTagRun> {
  const clock = options.now ?? (() => new Date());
  const started = Date.now();
  const run: TierTagRun = { tagged: 0, unchanged: 0, failed: 0 };
  const tiers = new Map<string, TierSetup>();
  const clients = new Map<string, Promise<AdminGraphql>>();
  for (;;) {
    const jobs = await claim(db, clock(), options.batch ?? 50);
    if (jobs.length === 0) break;
    for (const job of jobs) {
      const outcome = await syncOne(db, job, tiers, clients, graphqlFor, options.sleep).catch(async (error: unknown) => {
        await failed(db, job, error, clock());
        return "failed" as const;
      });
      run[outcome]++;
    }
    if (Date.now() - started > (options.budgetMs ?? 60_000)) break;
  }
  return run;
}

async function syncOne(
  db: Db,
  job: ClaimedJob,
  tierCache: Map<string, TierSetup>,
  clients: Map<string, Promise<AdminGraphql>>,
  graphqlFor: (shopId: string) => Promise<AdminGraphql>,
  sleep?: (ms: number) => Promise<void>,
): Promise<"tagged" | "unchanged"> {
  const member = await db.member.findUnique({
    where: { id: job.memberId },
    select: { id: true, shopId: true, customerId: true, state: true, lifetimeEarned: true, tierValue: true, tierTag: true },
  });
  const shop = member ? await db.shop.findUnique({ where: { id: member.shopId }, select: { uninstalledAt: true } }) : null;
  if (!member || !member.customerId || !shop || shop.uninstalledAt) {
    await done(db, job);
    return "unchanged";
  }
  if (!tierCache.has(member.shopId)) tierCache.set(member.shopId, await tierSetup(db, member.shopId));
  const { entry, tiers } = tierCache.get(member.shopId)!;
  if (tierValueOf(member, entry) === TIER_VALUE_NOT_COMPUTED) {
    // Being computed in a new measure: the sweep after it queues the member again.
    await done(db, job);
    return "unchanged";
  }
  const wanted = wantedTierTag({ state: member.state, tierValue: tierValueOf(member, entry) }, tiers);
  const change = tierTagChange(member.tierTag, wanted);
  if (change.add.length === 0 && change.remove.length === 0) {
    if (member.tierTag === null) await db.member.update({ where: { id: member.id }, data: { tierTag: wanted } });
    await done(db, job);
    return "unchanged";
  }
  if (!clients.has(member.shopId)) clients.set(member.shopId, graphqlFor(member.shopId));
  const graphql = await clients.get(member.shopId)!;
  const id = `gid://shopify/Customer/${member.customerId}`;
  // Old tag first: a failure between the two leaves the customer untagged for a moment, never with two tiers.
  if (change.remove.length) await tagCall(graphql, CUSTOMER_TAGS_REMOVE, "tagsRemove", id, change.remove, sleep);
  if (change.add.length) await tagCall(graphql, CUSTOMER_TAGS_ADD, "tagsAdd", id, change.add, sleep);
  await db.member.update({ where: { id: member.id }, data: { tierTag: wanted } });
  await done(db, job);
  return "tagged";
}

async function tagCall(
  graphql: AdminGraphql,
  document: string,
  field: "tagsAdd" | "tagsRemove",
  id: string,
  tags: string[],
  sleep?: (ms: number) => Promise<void>,
) {
  const data = (await adminCall(graphql, document, { id, tags }, { cost: MUTATION_COST, sleep })) as Record<
    string,
    { userErrors: Array<{ field: string[] | null; message: string }> } | null
  >;
  const errors = data[field]?.userErrors ?? [];
  if (errors.length) throw new ShopifyRejectedError(`${field}: ${errors.map((e) => e.message).join("; ")}`);
}

/** The job is finished, unless it was queued again meanwhile (then it runs again at once). */
async function done(db: Db, job: ClaimedJob) {
  const { count } = await db.tierTagJob.deleteMany({ where: { memberId: job.memberId, generation: job.generation } });
  if (count === 0) await db.tierTagJob.updateMany({ where: { memberId: job.memberId }, data: { lockedUntil: null } });
}

/** Retried later with backoff; after MAX_ATTEMPTS it is dropped (the periodic sweep queues it again). */
async function failed(db: Db, job: ClaimedJob, error: unknown, now: Date) {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const attempts = job.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) {
    log("warn", "tier tags: giving up", { shop: job.shopId, member: job.memberId, attempts, error: message });
    await db.tierTagJob.deleteMany({ where: { memberId: job.memberId, generation: job.generation } });
    return;
  }
  const delay = Math.min(30_000 * 2 ** (attempts - 1), 6 * 3_600_000);
  await db.tierTagJob.updateMany({
    where: { memberId: job.memberId, generation: job.generation },
    data: { attempts, lastError: message, lockedUntil: null, runAt: new Date(now.getTime() + delay) },
  });
}

/** When the next failed job is due again (null: nothing waiting). */
export async function nextTierTagRetry(db: Db): Promise<Date | null> {
  const next = await db.tierTagJob.findFirst({ orderBy: { runAt: "asc" }, select: { runAt: true } });
  return next?.runAt ?? null;
}

/**
 * The periodic job: every shop's drift queued (`sweep`: orders move members across thresholds),
 * then what is due synced. For the job thread's periodic list.
 */
export async function runTierTagJobs(db: Db, graphqlFor: (shopId: string) => Promise<AdminGraphql>, sweep = false) {
  if (sweep) await queueTierTagsForAllShops(db);
  return syncTierTags(db, graphqlFor);
}
