// What an operator asks the app: is it alive (GET /healthz), should it get traffic (GET /readyz:
// the database answers and it is not shutting down), and how is the work going (GET /metrics, in
// Prometheus' text format: inbox backlog and its age, jobs processed and failed, dead letters,
// memory). Metrics hold counts only; they are served to loopback callers, or to anyone with
// LOYALTY_METRICS_TOKEN as a bearer token (docs/operations.md).
import { timingSafeEqual } from "node:crypto";
import type { Db } from "./db.server";
import { arrivalsWaiting } from "./webhooks/arrivals.server";
import { DOOR_ACTIVITY, JOBS_DONE, JOBS_FAILED, threadSignals } from "./thread-signals.server";

export interface OpsRequest {
  path: string;
  authorization: string | undefined;
  remoteAddress: string | undefined;
  shuttingDown: boolean;
}

export interface OpsAnswer {
  status: number;
  contentType: string;
  body: string;
}

const json = (status: number, value: unknown): OpsAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(value),
});

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Metrics are for the operator: a loopback caller, or the bearer of LOYALTY_METRICS_TOKEN. */
export function mayReadMetrics(authorization: string | undefined, remoteAddress: string | undefined, token: string | undefined) {
  if (token) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "");
    const wanted = Buffer.from(token);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  return LOOPBACK.has(remoteAddress ?? "");
}

async function inboxFigures(db: Db) {
  // SQLite: webhooks stored by the door and not yet moved into the inbox wait too (arrivals.server.ts),
  // counted first (see openJobs).
  const arrivals = arrivalsWaiting(db);
  const [open, dead, oldest] = await Promise.all([
    db.webhookJob.count({ where: { status: { in: ["pending", "processing"] } } }),
    db.webhookJob.count({ where: { status: "dead" } }),
    db.webhookJob.findFirst({ where: { status: "pending" }, orderBy: { id: "asc" }, select: { receivedAt: true } }),
  ]);
  const since = Math.min(oldest?.receivedAt.getTime() ?? Infinity, arrivals.oldest?.getTime() ?? Infinity);
  return {
    open: open + arrivals.count,
    dead,
    oldestSeconds: Number.isFinite(since) ? Math.max(0, (Date.now() - since) / 1000) : 0,
  };
}

/** SQLite: the WAL as the checkpointer thread last found it (frames in it, frames copied back). */
export interface WalFigures {
  log: number;
  checkpointed: number;
}

export function metricsText(
  figures: Awaited<ReturnType<typeof inboxFigures>>,
  rssBytes: number,
  wal: WalFigures | null = null,
): string {
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: number) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${Number.isFinite(value) ? value : 0}`);
  metric(
    "loyalty_inbox_backlog",
    "gauge",
    "Webhook jobs waiting or being processed (all processes; on SQLite with the webhooks not yet moved into the inbox).",
    figures.open,
  );
  metric(
    "loyalty_inbox_oldest_pending_seconds",
    "gauge",
    "Age of the oldest job still waiting.",
    Math.round(figures.oldestSeconds * 1000) / 1000,
  );
  metric("loyalty_dead_letters", "gauge", "Jobs kept as dead letters.", figures.dead);
  metric(
    "loyalty_webhooks_stored_total",
    "counter",
    "Webhooks this process stored in the inbox.",
    Atomics.load(threadSignals, DOOR_ACTIVITY),
  );
  metric("loyalty_jobs_processed_total", "counter", "Jobs this process processed.", Atomics.load(threadSignals, JOBS_DONE));
  metric(
    "loyalty_jobs_failed_total",
    "counter",
    "Job attempts that failed in this process.",
    Atomics.load(threadSignals, JOBS_FAILED),
  );
  metric("loyalty_process_resident_bytes", "gauge", "Resident memory of this process.", rssBytes);
  if (wal) {
    metric("loyalty_sqlite_wal_frames", "gauge", "Pages in SQLite's write-ahead log at the last checkpoint.", wal.log);
    metric(
      "loyalty_sqlite_wal_uncopied_frames",
      "gauge",
      "Pages of those the last checkpoint could not copy back yet.",
      Math.max(0, wal.log - wal.checkpointed),
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function handleOps(db: Db, req: OpsRequest, wal: () => WalFigures | null = () => null): Promise<OpsAnswer> {
  if (req.path === "/healthz") return json(200, { status: "alive" });
  if (req.path === "/readyz") {
    if (req.shuttingDown) return json(503, { status: "stopping" });
    try {
      await db.$queryRawUnsafe("SELECT 1");
      return json(200, { status: "ready" });
    } catch {
      return json(503, { status: "database_unavailable" });
    }
  }
  if (req.path === "/metrics") {
    if (!mayReadMetrics(req.authorization, req.remoteAddress, process.env.LOYALTY_METRICS_TOKEN)) {
      return json(401, { error: "unauthorized" });
    }
    try {
      return {
        status: 200,
        contentType: "text/plain; version=0.0.4",
        body: metricsText(await inboxFigures(db), process.memoryUsage.rss(), wal()),
      };
    } catch {
      return json(503, { error: "database_unavailable" });
    }
  }
  return json(404, { error: "not_found" });
}
