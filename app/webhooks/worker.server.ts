// Processes the inbox. Jobs are claimed with a lease (SKIP LOCKED on PostgreSQL, so several app
// servers never take the same job); a job whose process died is taken again once its lease
// runs out. Failures retry with exponential backoff; after MAX_ATTEMPTS, or at once for a body
// that cannot be used, the job is kept as a dead letter, visible in the admin.
import type { Db, Dialect } from "~/db.server";
import { releaseDuePoints } from "~/models/ledger.server";
import { expireInactivePoints } from "~/models/expiry.server";
import { PayloadError } from "./payloads";
import { TOPICS } from "./topics.server";

export const MAX_ATTEMPTS = 8;
const LEASE_MS = 30_000;

interface ClaimedJob {
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

export async function claimJobs(db: Db, dialect: Dialect, limit: number, now = new Date()): Promise<ClaimedJob[]> {
  const lease = new Date(now.getTime() + LEASE_MS);
  // Two spellings of one statement: PostgreSQL skips rows another server has locked.
  const rows =
    dialect === "postgresql"
      ? await db.$queryRaw<Array<Record<string, unknown>>>`
          UPDATE "WebhookJob" SET "status" = 'processing', "attempts" = "attempts" + 1, "lockedUntil" = ${lease}
          WHERE "id" IN (
            SELECT "id" FROM "WebhookJob"
            WHERE ("status" = 'pending' AND "runAt" <= ${now}) OR ("status" = 'processing' AND "lockedUntil" < ${now})
            ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED
          )
          RETURNING "id", "shopId", "topic", "webhookId", "payload", "attempts"`
      : await db.$queryRaw<Array<Record<string, unknown>>>`
          UPDATE "WebhookJob" SET "status" = 'processing', "attempts" = "attempts" + 1, "lockedUntil" = ${lease}
          WHERE "id" IN (
            SELECT "id" FROM "WebhookJob"
            WHERE ("status" = 'pending' AND "runAt" <= ${now}) OR ("status" = 'processing' AND "lockedUntil" < ${now})
            ORDER BY "id" LIMIT ${limit}
          )
          RETURNING "id", "shopId", "topic", "webhookId", "payload", "attempts"`;
  return rows
    .map((r) => ({
      id: Number(r.id),
      shopId: String(r.shopId),
      topic: String(r.topic),
      webhookId: String(r.webhookId),
      payload: (r.payload as string | null) ?? null,
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

export async function processJob(db: Db, job: ClaimedJob, now = () => new Date()): Promise<void> {
  const handler = TOPICS[job.topic];
  const finish = (status: string, lastError: string | null) =>
    db.webhookJob.update({
      where: { id: job.id },
      data: { status, lastError, processedAt: now(), lockedUntil: null, ...(status === "dead" ? {} : { payload: null }) },
    });
  try {
    if (!handler || job.payload === null) return void (await finish("dead", "no handler or no payload"));
    const shop = await db.shop.findUnique({ where: { id: job.shopId } });
    if (!shop || (shop.uninstalledAt && !handler.afterUninstall)) return void (await finish("skipped", "shop not installed"));
    await handler.process(db, job.shopId, JSON.parse(job.payload), `webhook:${job.webhookId}`);
    await finish("done", null);
  } catch (error) {
    const message = error instanceof Error ? error.message.slice(0, 500) : String(error);
    if (error instanceof PayloadError || job.attempts >= MAX_ATTEMPTS) {
      await finish("dead", message);
      return;
    }
    await db.webhookJob.update({
      where: { id: job.id },
      data: {
        status: "pending",
        lastError: message,
        lockedUntil: null,
        runAt: new Date(now().getTime() + backoffMs(job.attempts)),
      },
    });
  }
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
  pace?: () => Promise<void>;
  /** more periodic jobs: [interval in ms, job] */
  periodic?: Array<[number, () => Promise<unknown>]>;
}

export function startWorker(db: Db, dialect: Dialect, options: WorkerOptions = {}): Worker {
  const loops = options.loops ?? (dialect === "postgresql" ? 4 : 1);
  const pollMs = options.pollMs ?? 1000;
  const batch = options.batch ?? 32;
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
    while (running) {
      let jobs: ClaimedJob[] = [];
      try {
        jobs = await claimJobs(db, dialect, batch);
        for (const job of jobs) {
          await options.pace?.();
          await processJob(db, job);
        }
      } catch (error) {
        console.warn(`[worker] ${error instanceof Error ? error.message : error}`);
      }
      if (jobs.length < batch && running) await sleep(pollMs);
    }
  };

  const periodic: Array<[number, () => Promise<unknown>]> = [
    [60_000, () => releaseDuePoints(db)],
    [3_600_000, () => expireInactivePoints(db)],
    ...(options.periodic ?? []),
  ];
  const timers = periodic.map(([every, job]) =>
    setInterval(() => void job().catch((e) => console.warn(`[periodic] ${e.message}`)), every),
  );
  timers.forEach((t) => t.unref());
  const running$ = Array.from({ length: loops }, loop);

  return {
    kick: wakeAll,
    async stop() {
      running = false;
      timers.forEach(clearInterval);
      wakeAll();
      await Promise.all(running$);
    },
    async idle() {
      for (;;) {
        const open = await db.webhookJob.count({
          where: { status: { in: ["pending", "processing"] }, runAt: { lte: new Date() } },
        });
        if (open === 0) return;
        wakeAll();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
