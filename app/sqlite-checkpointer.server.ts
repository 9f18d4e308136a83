// SQLite in WAL mode appends every commit to the -wal file; a checkpoint copies those pages back
// into the database file and fsyncs it. Left to `wal_autocheckpoint`, the checkpoint runs inside
// whichever COMMIT crosses the threshold, on that connection's thread: the job thread's, so the
// order drain waited on the disk (measured on a 10,000-order drain: 32 ms per COMMIT on average
// with autocheckpoints, 3.5 ms without; 549 → 863 orders/s). Here a thread of its own, with its own
// connection, checkpoints PASSIVE (it never blocks a writer or a reader) a few times a second, and
// the connections that serve HTTP and run jobs never checkpoint (ADR 0020).
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** The thread's code: CommonJS, evaluated (no file of its own in the build). */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
// The first file is the one reported; the others (the webhook arrivals) are checkpointed alike.
const conns = workerData.files.map((file) => new Database(file, { timeout: 0 }));
let stopped = false;
let timer = null;
function checkpointOne(conn, report) {
  try {
    // [busy, frames in the WAL, frames copied back]; busy when another checkpoint (an erasure's
    // TRUNCATE) holds the checkpoint lock: the next turn tries again.
    const [row] = conn.pragma("wal_checkpoint(PASSIVE)");
    if (report) parentPort.postMessage({ busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    // SQLITE_BUSY: another connection holds a lock a checkpoint needs for a moment (a TRUNCATE
    // checkpoint, a schema change); like busy above, a skipped turn. Anything else is an error.
    if (error && error.code === "SQLITE_BUSY") parentPort.postMessage({ busy: 1 });
    else parentPort.postMessage({ error: String(error && error.message || error) });
  }
}
function checkpoint() {
  conns.forEach((conn, i) => checkpointOne(conn, i === 0));
}
function turn() {
  if (stopped) return;
  checkpoint();
  timer = setTimeout(turn, workerData.everyMs);
}
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  stopped = true;
  clearTimeout(timer);
  checkpoint();
  conns.forEach((conn) => conn.close());
  parentPort.close();
});
turn();
`;

export interface CheckpointReport {
  busy?: number;
  /** frames in the WAL when the checkpoint ran */
  log?: number;
  /** frames of those copied back into the database file */
  checkpointed?: number;
  error?: string;
}

export interface Checkpointer {
  /** the last checkpoint that ran (a busy or failed turn tells nothing of the WAL), for /metrics and tests */
  last(): CheckpointReport | null;
  /** one last checkpoint, then the thread ends */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `files` (SQLite databases in WAL mode) every `everyMs`; the first file's
 * checkpoints are the ones reported.
 */
export function startCheckpointer(
  files: readonly string[],
  everyMs = 250,
  onReport?: (r: CheckpointReport) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const thread = new Worker(SOURCE, { eval: true, workerData: { files, driver, everyMs } });
  thread.unref(); // never what keeps a process alive
  let last: CheckpointReport | null = null;
  thread.on("message", (report: CheckpointReport) => {
    if (report.log !== undefined) last = report;
    onReport?.(report);
  });
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  return {
    last: () => last,
    async stop() {
      thread.postMessage("stop");
      await exited;
    },
  };
}
