// What server.mjs needs besides Remix: the webhook door, the storefront API behind the app proxy,
// and the job thread that processes the inbox. Processing runs on its own thread (with its own database connection) so that the CPU
// it takes never delays answering Shopify or shoppers. Exported from entry.server, so the job
// thread runs the same build as the server.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker as Thread, workerData } from "node:worker_threads";
import db, { databaseUrl, dialect, ready, sqliteFile } from "./db.server";
import { startCheckpointer, type Checkpointer, type CheckpointReport } from "./sqlite-checkpointer.server";
import { DOOR_ACTIVITY, doorPacer, threadSignals } from "./thread-signals.server";
import { createInboxWriter, type InboxWriter } from "./webhooks/inbox.server";
import { arrivalsFile } from "./sqlite-files";
import { ingestWebhook, type RawWebhook } from "./webhooks/ingest.server";
import { awardYearlyBonuses, giveBirthdayGifts } from "./models/bonuses.server";
import { handleProxy as handleProxyRequest, type ProxyRequest } from "./proxy/handler.server";
import { handleExtensionApi as handleExtensionRequest, type ExtensionRequest } from "./proxy/extension-api.server";
import { settleStaleRedemptions } from "./models/redemptions.server";
import { reconcileDueShops } from "./models/reconcile.server";
import { runTierTagJobs } from "./models/tier-tags.server";
import { syncExcludedProductsForShops } from "./models/products.server";
import { deliverFlowTriggers } from "./models/flow-triggers.server";
import { syncCustomerMetafields } from "./models/customer-metafields.server";
import { remindExpiringPoints } from "./models/expiry-reminders.server";
import { deliverWebhooks } from "./models/webhook-endpoints.server";
import { webhookSender } from "./integrations/webhook-sender.server";
import { adminGraphqlFor } from "./shopify/admin.server";
import { handleOps, type OpsRequest } from "./ops.server";
import { inboxBacklogMs, startWorker, type Worker, type WorkerOptions } from "./webhooks/worker.server";
import { log } from "~/log.server";

/** A periodic job that never runs twice at once in this process (a slow pass outlasts its interval). */
function single(job: () => Promise<unknown>): () => Promise<unknown> {
  let running: Promise<unknown> | null = null;
  return () => (running ??= job().finally(() => (running = null)));
}

/** The longest the integrations wait for a backlog of orders to drain before taking a turn anyway. */
const GIVE_WAY_MAX_MS = 60_000;
/**
 * An integrations channel that gives way to crediting points: while this thread drains a backlog
 * of the inbox (inboxBacklogMs), its passes wait, at most GIVE_WAY_MAX_MS between two; the
 * outbox holds everything meanwhile and the channel catches up as soon as the backlog is gone.
 * A pass under way stops early (its `giveWay`) once a backlog appears.
 */
function afterOrders(job: (giveWay: () => boolean) => Promise<unknown>): () => Promise<unknown> {
  let lastPass = Date.now();
  return single(async () => {
    const backlog = inboxBacklogMs() > 0;
    if (backlog && Date.now() - lastPass < GIVE_WAY_MAX_MS) return;
    lastPass = Date.now();
    // A turn taken despite a backlog runs its course (nothing waits forever); others stop once one appears.
    return job(backlog ? () => false : () => inboxBacklogMs() > 0);
  });
}

/** `LOYALTY_INTEGRATIONS=off`: this process does not deliver the outbox (others do; its events are still written). */
const integrations = process.env.LOYALTY_INTEGRATIONS !== "off";

const workerOptions: WorkerOptions = {
  periodic: [
    ...(integrations
      ? ([
          // The outbox's events to Shopify Flow: every second, so a trigger fires within seconds (ADR 0016).
          [1_000, afterOrders((giveWay) => deliverFlowTriggers(db, adminGraphqlFor, { giveWay }))],
          // Members' $app:loyalty metafields: written within seconds of a change, a burst coalesced.
          [2_000, afterOrders((giveWay) => syncCustomerMetafields(db, adminGraphqlFor, { giveWay }))],
          // The merchant's webhook endpoints: new events fanned out, due deliveries sent (retries included).
          [1_000, afterOrders((giveWay) => deliverWebhooks(db, webhookSender(), { giveWay }))],
        ] satisfies Array<[number, () => Promise<unknown>]>)
      : []),
    // "Points expiring" reminders (once per member per expiry date): the sweep is cheap, hourly.
    [3_600_000, single(() => remindExpiringPoints(db))],
    [60_000, () => settleStaleRedemptions(db, adminGraphqlFor)],
    [3_600_000, () => awardYearlyBonuses(db)],
    [3_600_000, () => giveBirthdayGifts(db, adminGraphqlFor)],
    // Tier tags on Shopify customers: the queue every 30 s, and an hourly sweep that queues members
    // whose tier moved otherwise (points earned from orders).
    [30_000, () => runTierTagJobs(db, adminGraphqlFor, false)],
    [3_600_000, () => runTierTagJobs(db, adminGraphqlFor, true)],
    // Products the program excludes by tag: listed again for shops whose excluded tags changed.
    [30_000, single(() => syncExcludedProductsForShops(db, adminGraphqlFor))],
    // Daily per shop (each call runs the shops whose last run is a day old).
    [10 * 60_000, () => reconcileDueShops(db, adminGraphqlFor)],
    [3_600_000, () => import("./models/retention.server").then((m) => m.expireDeadLetterPayloads(db))],
    // Analytics: fold the triggers' deltas into the quarter-hour slots (reads are exact either way).
    [60_000, () => import("./models/analytics.server").then((m) => m.foldAnalytics(db))],
    // The weekly summary event of each shop's last full week (recorded once; hourly finds a new week soon after it ends).
    [3_600_000, () => import("./models/analytics-summary.server").then((m) => m.recordWeeklySummaries(db))],
  ],
};

const JOBS_ROLE = "loyalty-jobs";

/**
 * The job thread runs the build's jobs bundle (build/server/jobs.mjs: this module and what it
 * imports, without the admin's React and Polaris, tens of MB less per process), or the server
 * build itself where there is none.
 */
function jobsFile(serverBuild: string): string {
  const bundle = path.join(path.dirname(serverBuild), "jobs.mjs");
  return existsSync(bundle) ? bundle : serverBuild;
}
const JOB_HEAP_MB = Number(process.env.LOYALTY_JOB_HEAP_MB ?? 96);
let inbox: InboxWriter | null = null;
let checkpointer: Checkpointer | null = null;
let checkpointError: string | undefined;
let busyTurns = 0;
/** A busy turn is normal; 40 in a row (10 s without a checkpoint while the WAL grows) is worth a line. */
const BUSY_TURNS_WORTH_A_WARNING = 40;
function reportCheckpoint(report: CheckpointReport) {
  if (report.error && report.error !== checkpointError) log("warn", "WAL checkpoint failed", { error: report.error });
  checkpointError = report.error;
  busyTurns = report.busy ? busyTurns + 1 : 0;
  if (busyTurns === BUSY_TURNS_WORTH_A_WARNING)
    log("warn", "WAL checkpoint busy", { turns: busyTurns, note: "another connection keeps a lock the checkpoint needs" });
}
let kick: () => void = () => {};

export async function startBackground(options: { worker?: boolean } = {}) {
  const file = fileURLToPath(import.meta.url);
  const jobThread = options.worker !== false && !/\.tsx?$/.test(file);
  await ready();
  inbox ??= createInboxWriter(db, dialect, databaseUrl);
  // SQLite: checkpoints on a thread of their own, never inside a request's or a batch's COMMIT;
  // started once ready() has put the database in WAL mode (which takes an exclusive lock) and
  // the inbox writer has created the arrivals file.
  checkpointer ??=
    dialect === "sqlite"
      ? startCheckpointer([sqliteFile(databaseUrl), arrivalsFile(sqliteFile(databaseUrl))], 250, reportCheckpoint)
      : null;
  let stopJobs = async () => {};
  if (options.worker !== false) {
    if (!jobThread) {
      // Dev server (sources through Vite): no build to start a thread from; run in-process.
      const worker = startWorker(db, dialect, workerOptions);
      kick = worker.kick;
      stopJobs = worker.stop;
    } else {
      let thread: Thread;
      let stopping = false;
      const spawn = () => {
        thread = new Thread(jobsFile(file), {
          workerData: { role: JOBS_ROLE, threadSignals: threadSignals.buffer },
          // V8 grows a heap lazily up to a share of the machine's memory; a bound keeps a flash
          // sale's garbage from taking the process past what a small instance has (ADR 0010).
          resourceLimits: { maxOldGenerationSizeMb: JOB_HEAP_MB, maxYoungGenerationSizeMb: 16 },
        });
        thread.on("error", (error) => log("error", "job thread failed", { error: error.message }));
        thread.on("exit", (code) => {
          if (!stopping) setTimeout(spawn, code === 0 ? 0 : 1000).unref();
        });
      };
      spawn();
      kick = () => thread.postMessage("kick");
      stopJobs = async () => {
        stopping = true;
        const exited = new Promise((resolve) => thread.once("exit", resolve));
        thread.postMessage("stop");
        await exited;
      };
    }
  }
  return {
    stop: async () => {
      await stopJobs();
      await inbox?.close();
      inbox = null;
      await checkpointer?.stop();
      checkpointer = null;
      await db.$disconnect();
    },
  };
}

export function handleOperations(req: OpsRequest) {
  return handleOps(db, req, () => {
    const last = checkpointer?.last();
    return last?.log === undefined ? null : { log: last.log, checkpointed: last.checkpointed ?? 0 };
  });
}

export function handleProxy(req: ProxyRequest) {
  return handleProxyRequest({ db, secret: process.env.SHOPIFY_API_SECRET ?? "", adminGraphqlFor }, req);
}

export function handleExtensionApi(req: ExtensionRequest) {
  return handleExtensionRequest(
    {
      db,
      secret: process.env.SHOPIFY_API_SECRET ?? "",
      apiKey: process.env.SHOPIFY_API_KEY ?? "",
      appUrl: process.env.SHOPIFY_APP_URL ?? "",
      adminGraphqlFor,
    },
    req,
  );
}

export function handleWebhook(raw: RawWebhook) {
  if (!inbox) throw new Error("startBackground() first");
  return ingestWebhook(db, inbox, raw, process.env.SHOPIFY_API_SECRET ?? "", () => {
    Atomics.add(threadSignals, DOOR_ACTIVITY, 1);
    kick();
  });
}

async function runJobsThread() {
  await ready(); // the main thread's checkpointer thread checkpoints
  const worker: Worker = startWorker(db, dialect, { ...workerOptions, pace: doorPacer() });
  parentPort!.on("message", async (message) => {
    if (message === "kick") worker.kick();
    if (message === "stop") {
      await worker.stop();
      await db.$disconnect();
      process.exit(0);
    }
  });
}

if (!isMainThread && workerData?.role === JOBS_ROLE) void runJobsThread();
