// Processes the inbox. Jobs are claimed in batches with a lease (SKIP LOCKED on PostgreSQL, so
// several app servers never take the same job), fairly between shops; a job whose process died
// is taken again once its lease runs out. Order jobs are applied many to a transaction, which
// also marks them done. Failures retry alone with exponential backoff; after MAX_ATTEMPTS, or at
// once for a body that cannot be used, the job is kept as a dead letter, visible in the admin.
import { availableParallelism } from "node:os";
import { clientDialect, distinctShops, Prisma, rawExecute, rawQuery, type Db, type Dialect, type Tx } from "~/db.server";
import type { OrderEvent } from "~/domain/orders";
import { releaseDuePoints, withLedger } from "~/models/ledger.server";
import { refreshDueTierValues } from "~/models/tier-values.server";
import { expireInactivePoints } from "~/models/expiry.server";
import { applyOrderEvents } from "~/models/orders.server";
import { PayloadError } from "./payloads";
import { JOBS_DONE, JOBS_FAILED, threadSignals } from "~/thread-signals.server";
import { TOPIC_HANDLERS, type TopicHandler } from "./topics.server";
import { errorText, log } from "~/log.server";
import { arrivalsWaiting, closeArrivals, moveArrivals } from "./arrivals.server";

export const MAX_ATTEMPTS = 8;
// How long a claim holds its jobs; a process killed mid-batch leaves them to others after this.
const LEASE_MS = Number(process.env.LOYALTY_JOB_LEASE_MS ?? 30_000);
/**
 * Order events applied in one transaction: as many as fit in the target time. Longer
 * transactions spread each one's fixed cost (claim, reads, commit) over more orders. On SQLite
 * a transaction holds the app file's one write lock, which the door no longer needs (it writes
 * the arrivals file, ADR 0022), but a shopper's redemption or a merchant's save does; and while
 * webhooks arrive, the job thread's pauses between short transactions leave the CPU to the door.
 * Measured on 2 cores: a 10,000-order drain in one process ran 1,297 orders/s at 25 ms, about
 * 1,500 at 100 ms and 1,700–2,100 at 150 ms; but over HTTP, 100 ms while webhooks arrived took
 * the door from 64% to 52% of the floor and its p99 at 500 req/s from 30 to 85 ms, for no gain
 * end to end (697 and 684 orders/s). So: 25 ms while the door is busy, 150 ms once it is quiet.
 * On PostgreSQL a batch's time is mostly its round trips (a dozen statements whatever its size,
 * each waiting its turn on a busy machine): at 100 ms the chunk shrank to its minimum and a
 * 10,000-order drain ran 660 transactions (350 orders/s); at 250 ms it holds 150 orders and the
 * same drain runs at 550 orders/s.
 */
const TX_TARGET_MS: Record<Dialect, { busy: number; quiet: number }> = {
  sqlite: { busy: 25, quiet: 150 },
  postgresql: { busy: 250, quiet: 250 },
};
const CHUNK_MIN = 16;
const CHUNK_MAX = 200;

/** Grows the chunk while transactions are quick, halves it when one was slow. */
export class ChunkSize {
  size = 32;
  constructor(private readonly target: { busy: number; quiet: number }) {}
  observe(count: number, ms: number, doorBusy = true) {
    if (count < this.size) return; // a short run says nothing about the size
    const targetMs = doorBusy ? this.target.busy : this.target.quiet;
    if (ms > targetMs * 1.5) this.size = Math.max(CHUNK_MIN, Math.floor(this.size / 2));
    else if (ms < targetMs / 2) this.size = Math.min(CHUNK_MAX, this.size * 2);
  }
}
/** shops visited by one claim, round-robin */
const SHOPS_PER_CLAIM = 64;
/** claimed before anything else: Shopify's compliance topics */
export const COMPLIANCE_TOPICS = ["customers/redact", "shop/redact", "customers/data_request"];

export interface ClaimedJob {
  id: number;
  shopId: string;
  topic: string;
  webhookId: string;
  payload: string | null;
  attempts: number;
}

export function backoffMs(attempts: number): number {
  const base = Math.min(2 ** attempts * 1000, 10 * 60_000);
  return base / 2 + Math.floor(Math.random() * (base / 2));
}

const toJobs = (rows: Array<Record<string, unknown>>): ClaimedJob[] =>
  rows.map((r) => ({
    id: Number(r.id),
    shopId: String(r.shopId),
    topic: String(r.topic),
    webhookId: String(r.webhookId),
    payload: (r.payload as string | null) ?? null,
    attempts: Number(r.attempts),
  }));

/** Where the round-robin over shops goes on from (per process; any start is fair). */
export interface ClaimCursor {
  shop: string;
}

/** Shops with pending jobs after `after`, in order: an index skip-scan, one seek per shop. */
const shopsWithWork = (db: Db, dialect: Dialect, after: string, limit: number) =>
  distinctShops(db, dialect, "WebhookJob", Prisma.sql`"status" = 'pending'`, after, limit);

const CLAIMED = Prisma.sql`RETURNING "id", "shopId", "topic", "webhookId", "payload", "attempts"`;

/**
 * Claims up to `limit` due jobs with a lease: compliance topics first, then round-robin over the
 * shops with work (up to an equal share each), so one shop's backlog never holds up another's.
 * PostgreSQL skips rows another process has locked: no job is claimed twice at once.
 */
export async function claimJobs(
  db: Db,
  dialect: Dialect,
  limit: number,
  now = new Date(),
  cursor: ClaimCursor = { shop: "" },
): Promise<ClaimedJob[]> {
  // SQLite: what the door has stored since the last claim joins the inbox first (arrivals.server.ts).
  await moveArrivals(db);
  const lease = new Date(now.getTime() + LEASE_MS);
  const skipLocked = dialect === "postgresql" ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  const set = Prisma.sql`"status" = 'processing', "attempts" = "attempts" + 1, "lockedUntil" = ${lease}`;
  const claimed = toJobs(
    await rawQuery<Record<string, unknown>>(
      db,
      dialect,
      Prisma.sql`
      UPDATE "WebhookJob" SET ${set}
      WHERE "id" IN (
        SELECT "id" FROM "WebhookJob"
        WHERE "status" = 'pending' AND "topic" IN (${Prisma.join(COMPLIANCE_TOPICS)}) AND "runAt" <= ${now}
        ORDER BY "id" LIMIT ${limit} ${skipLocked}
      ) ${CLAIMED}`,
    ),
  );
  if (claimed.length >= limit) return claimed.sort((a, b) => a.id - b.id);

  let shops = await shopsWithWork(db, dialect, cursor.shop, SHOPS_PER_CLAIM);
  if (shops.length < SHOPS_PER_CLAIM && cursor.shop !== "") {
    shops = [
      ...shops,
      ...(await shopsWithWork(db, dialect, "", SHOPS_PER_CLAIM - shops.length)).filter((s) => !shops.includes(s)),
    ];
  }
  if (shops.length) {
    cursor.shop = shops[shops.length - 1]!;
    const share = Math.max(1, Math.ceil((limit - claimed.length) / shops.length));
    const list = Prisma.sql`WITH "s" ("shopId") AS (VALUES ${Prisma.join(shops.map((s) => Prisma.sql`(${s})`))})`;
    // Each shop's due jobs, oldest first, up to its share; one spelling per dialect of "for each
    // shop in the list" (PostgreSQL: LATERAL, which SQLite lacks; SQLite: a correlated IN).
    const due = Prisma.sql`
      SELECT "w"."id" FROM "WebhookJob" "w"
      WHERE "w"."shopId" = "s"."shopId" AND "w"."status" = 'pending' AND "w"."runAt" <= ${now}
      ORDER BY "w"."id" LIMIT ${share} ${skipLocked}`;
    const perShop =
      dialect === "postgresql"
        ? Prisma.sql`SELECT "j"."id" FROM "s" CROSS JOIN LATERAL (${due}) "j"`
        : Prisma.sql`SELECT "j"."id" FROM "s" JOIN "WebhookJob" "j" ON "j"."id" IN (${due})`;
    const rows = await rawQuery<Record<string, unknown>>(
      db,
      dialect,
      Prisma.sql`${list} UPDATE "WebhookJob" SET ${set} WHERE "id" IN (${perShop}) ${CLAIMED}`,
    );
    claimed.push(...toJobs(rows));
  }
  return claimed.sort((a, b) => a.id - b.id);
}

/** Jobs whose process died mid-lease go back to the queue (their attempt counted). */
export async function reclaimExpiredLeases(db: Db, now = new Date()): Promise<number> {
  return db.webhookJob
    .updateMany({
      where: { status: "processing", lockedUntil: { lt: now } },
      data: { status: "pending", lockedUntil: null },
    })
    .then((r) => r.count);
}

type Finish = { status: "done" | "skipped" | "dead"; lastError: string | null };

// updateMany, not update: shop/redact may have deleted the job's own row meanwhile.
async function finishJobs(db: Db | Tx, dialect: Dialect, ids: number[], outcome: Finish, at: Date): Promise<void> {
  if (ids.length === 0) return;
  // Processed payloads carry personal data: gone once done.
  const payload = outcome.status === "dead" ? Prisma.empty : Prisma.sql`, "payload" = NULL`;
  await rawExecute(
    db,
    dialect,
    Prisma.sql`UPDATE "WebhookJob" SET "status" = ${outcome.status}, "lastError" = ${outcome.lastError},
      "processedAt" = ${at}, "lockedUntil" = NULL ${payload}
      WHERE "id" IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}`))})`,
  );
}

/** What a job's row keeps about its failure: a payload's fault by its stable code (its text may quote personal data). */
const failureText = (error: unknown) =>
  error instanceof PayloadError ? error.code : error instanceof Error ? error.message.slice(0, 500) : String(error);

async function failJob(db: Db, job: ClaimedJob, error: unknown, now: Date): Promise<void> {
  Atomics.add(threadSignals, JOBS_FAILED, 1);
  const message = failureText(error);
  if (error instanceof PayloadError || job.attempts >= MAX_ATTEMPTS)
    return finishJobs(db, clientDialect(db), [job.id], { status: "dead", lastError: message }, now);
  await db.webhookJob.updateMany({
    where: { id: job.id },
    data: { status: "pending", lastError: message, lockedUntil: null, runAt: new Date(now.getTime() + backoffMs(job.attempts)) },
  });
}

interface Prepared {
  job: ClaimedJob;
  handler: TopicHandler;
  body: unknown;
}

type PreparedOrder = Prepared & { event: OrderEvent };

/** Order jobs, applied together in one ledger transaction that also marks them done. */
async function processOrderJobs(db: Db, jobs: PreparedOrder[], now: () => Date): Promise<void> {
  const run = (list: PreparedOrder[]) =>
    withLedger(
      db,
      async (ledger) => {
        const work = list.map((p) => ({ shopId: p.job.shopId, event: p.event, actor: `webhook:${p.job.webhookId}` }));
        await applyOrderEvents(ledger, work, now());
        await finishJobs(
          ledger.tx,
          ledger.dialect,
          list.map((p) => p.job.id),
          { status: "done", lastError: null },
          now(),
        );
        // The jobs are marked done in this transaction: if a crash loses it, they are still pending.
      },
      { durable: false },
    );
  try {
    await run(jobs);
    Atomics.add(threadSignals, JOBS_DONE, jobs.length);
  } catch (error) {
    if (jobs.length === 1) return failJob(db, jobs[0]!.job, error, now());
    // One bad job must not hold up the others: each is tried alone, and only the failing one retries.
    for (const p of jobs) {
      try {
        await run([p]);
        Atomics.add(threadSignals, JOBS_DONE, 1);
      } catch (alone) {
        await failJob(db, p.job, alone, now());
      }
    }
  }
}

async function processOtherJob(db: Db, p: Prepared, now: () => Date): Promise<void> {
  try {
    await p.handler.process(db, p.job.shopId, p.body, `webhook:${p.job.webhookId}`);
    await finishJobs(db, clientDialect(db), [p.job.id], { status: "done", lastError: null }, now());
    Atomics.add(threadSignals, JOBS_DONE, 1);
  } catch (error) {
    await failJob(db, p.job, error, now());
  }
}

/**
 * Processes claimed jobs in their claim order: runs of order jobs are applied in chunks of one
 * transaction each; other topics one by one.
 */
/** Jobs claimed but not started go back to the queue at once (a stopping process), their attempt not counted. */
async function releaseJobs(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.webhookJob.updateMany({
    where: { id: { in: ids }, status: "processing" },
    data: { status: "pending", lockedUntil: null, attempts: { decrement: 1 } },
  });
}

export async function processJobs(
  db: Db,
  jobs: ClaimedJob[],
  now = () => new Date(),
  pace?: () => Promise<boolean>,
  chunk = new ChunkSize(TX_TARGET_MS[clientDialect(db)]),
  stopping: () => boolean = () => false,
): Promise<void> {
  const shopIds = [...new Set(jobs.map((j) => j.shopId))];
  const shops = new Map(
    (await db.shop.findMany({ where: { id: { in: shopIds } }, select: { id: true, uninstalledAt: true } })).map((s) => [s.id, s]),
  );
  const skipped: number[] = [];
  const dead: Array<[number, string]> = [];
  let run: PreparedOrder[] = [];
  const flush = async () => {
    for (let i = 0; i < run.length;) {
      const doorBusy = pace ? await pace() : true;
      const part = run.slice(i, i + chunk.size);
      const started = performance.now();
      await processOrderJobs(db, part, now);
      chunk.observe(part.length, performance.now() - started, doorBusy);
      i += part.length;
    }
    run = [];
  };
  for (const [index, job] of jobs.entries()) {
    if (stopping()) {
      await flush();
      await releaseJobs(
        db,
        jobs.slice(index).map((j) => j.id),
      );
      break;
    }
    const handler = TOPIC_HANDLERS.get(job.topic);
    if (!handler || job.payload === null) {
      dead.push([job.id, "no handler or no payload"]);
      continue;
    }
    const shop = shops.get(job.shopId);
    if (!shop || (shop.uninstalledAt && !handler.afterUninstall)) {
      skipped.push(job.id);
      continue;
    }
    let body: unknown;
    let event: OrderEvent | undefined;
    try {
      body = JSON.parse(job.payload);
      event = handler.orderEvent?.(body); // an unusable body is a dead letter at once
    } catch (error) {
      dead.push([job.id, failureText(error)]);
      continue;
    }
    if (event) {
      run.push({ job, handler, body, event });
      continue;
    }
    await flush();
    await pace?.();
    await processOtherJob(db, { job, handler, body }, now);
  }
  await flush();
  await finishJobs(db, clientDialect(db), skipped, { status: "skipped", lastError: "shop not installed" }, now());
  for (const [id, lastError] of dead) await finishJobs(db, clientDialect(db), [id], { status: "dead", lastError }, now());
}

/** One job (tests and the admin's retry). */
export function processJob(db: Db, job: ClaimedJob, now = () => new Date()): Promise<void> {
  return processJobs(db, [job], now);
}

/**
 * Since when this thread's batch loops have been draining a backlog (from a claim that came back
 * full until one comes back with less than a quarter of a batch), or null. The integrations'
 * channels give way meanwhile (ADR 0016).
 */
let backlogSince: number | null = null;
/** How long this thread has been draining a backlog (0: none). */
export function inboxBacklogMs(now = Date.now()): number {
  return backlogSince === null ? 0 : now - backlogSince;
}

/**
 * Jobs pending or processing (due by `dueBy`, when given), with the arrivals not yet moved into
 * the inbox on SQLite: the backlog figure of the logs, the metrics and tests.
 */
export async function openJobs(db: Db, dueBy?: Date): Promise<number> {
  // Arrivals first: a move copies into WebhookJob before it deletes, so a row not among the
  // arrivals counted now is in WebhookJob when that is counted next (the other order could miss
  // a row moved between the two counts).
  const arrivals = arrivalsWaiting(db).count;
  const jobs = await db.webhookJob.count({
    where: { status: { in: ["pending", "processing"] }, ...(dueBy ? { runAt: { lte: dueBy } } : {}) },
  });
  return arrivals + jobs;
}

export interface Worker {
  kick(): void;
  stop(): Promise<void>;
  /** resolves when nothing is pending or processing (tests and the demo) */
  idle(): Promise<void>;
}

export interface WorkerOptions {
  loops?: number;
  pollMs?: number;
  batch?: number;
  /** awaited before each job: lets the job thread give way while webhooks are arriving */
  /** pauses if webhooks arrived since the last call, and says whether they did */
  pace?: () => Promise<boolean>;
  /** more periodic jobs: [interval in ms, job] */
  periodic?: Array<[number, () => Promise<unknown>]>;
}

export function startWorker(db: Db, dialect: Dialect, options: WorkerOptions = {}): Worker {
  // PostgreSQL: batches in parallel, as many as the machine has cores (up to 4). More loops than
  // cores only queue behind each other's round trips: 4 loops on 2 cores drained slower than 2.
  const loops = options.loops ?? (dialect === "postgresql" ? Math.min(4, Math.max(1, availableParallelism())) : 1);
  const pollMs = options.pollMs ?? 1000;
  const batch = options.batch ?? 200;
  let running = true;
  const sleepers = new Set<() => void>();
  const wakeAll = () => [...sleepers].forEach((wake) => wake());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });

  const loop = async () => {
    const cursor: ClaimCursor = { shop: "" };
    const chunk = new ChunkSize(TX_TARGET_MS[dialect]);
    while (running) {
      let jobs: ClaimedJob[] = [];
      try {
        jobs = await claimJobs(db, dialect, batch, new Date(), cursor);
        // A backlog from a full claim until the claims come back nearly empty: its last partial
        // claims are still the backlog (integrations starting on them slowed its tail on SQLite).
        if (jobs.length >= batch) backlogSince ??= Date.now();
        else if (jobs.length < batch / 4) backlogSince = null;
        await processJobs(db, jobs, undefined, options.pace, chunk, () => !running);
      } catch (error) {
        log("warn", "worker loop failed", { error: errorText(error) });
      }
      if (jobs.length < batch && running) await sleep(pollMs);
    }
  };

  // A line a minute while there is work: what this process did, for logs without a metrics scraper.
  let reported = Atomics.load(threadSignals, JOBS_DONE);
  const report = async () => {
    const done = Atomics.load(threadSignals, JOBS_DONE);
    if (done === reported) return;
    const backlog = await openJobs(db);
    log("info", "jobs", { processed: done - reported, perSecond: Math.round((done - reported) / 60), backlog });
    reported = done;
  };
  const periodic: Array<[number, () => Promise<unknown>]> = [
    [60_000, report],
    [60_000, () => releaseDuePoints(db)],
    // Tier values a window moved past, or a program that measures tiers another way now.
    [60_000, () => refreshDueTierValues(db)],
    [5_000, () => reclaimExpiredLeases(db)],
    [3_600_000, () => expireInactivePoints(db)],
    ...(options.periodic ?? []),
  ];
  // Runs in flight are awaited on stop, so none is cut off by the database closing under it.
  const inFlight = new Set<Promise<unknown>>();
  const timers = periodic.map(([every, job]) =>
    setInterval(() => {
      if (!running) return;
      const run: Promise<unknown> = job()
        .catch((e) => log("warn", "periodic job failed", { error: errorText(e) }))
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
    }, every),
  );
  timers.forEach((t) => t.unref());
  // Jobs a killed process left behind are taken again at once, not only when the timer comes.
  const running$ = Array.from({ length: loops }, (_, i) =>
    i === 0
      ? reclaimExpiredLeases(db)
          .catch(() => 0)
          .then(loop)
      : loop(),
  );

  return {
    kick: wakeAll,
    async stop() {
      running = false;
      timers.forEach(clearInterval);
      wakeAll();
      await Promise.all(running$);
      await Promise.all(inFlight);
      closeArrivals(db);
    },
    async idle() {
      for (;;) {
        const open = await openJobs(db, new Date());
        if (open === 0) return;
        wakeAll();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
