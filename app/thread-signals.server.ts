// Counters shared between the server thread and the job thread (SharedArrayBuffer, passed to the
// job thread as workerData.threadSignals):
//   URGENT_WRITERS  inbox writes waiting for SQLite's write lock (the job thread steps aside)
//   DOOR_ACTIVITY   webhooks stored so far (the job thread paces itself while Shopify is sending)
//   JOBS_DONE       jobs this process processed (metrics)
//   JOBS_FAILED     jobs that failed an attempt here (metrics)
import { isMainThread, workerData } from "node:worker_threads";

export const URGENT_WRITERS = 0;
export const DOOR_ACTIVITY = 1;
export const JOBS_DONE = 2;
export const JOBS_FAILED = 3;

export const threadSignals = new Int32Array(
  !isMainThread && workerData?.threadSignals instanceof SharedArrayBuffer ? workerData.threadSignals : new SharedArrayBuffer(16),
);

/**
 * For the job thread: if webhooks arrived since the last call, pause briefly so the server thread
 * gets the CPU to answer them. Processing is deferred work; answering Shopify is not. Answers
 * whether they did (or an inbox write is waiting for SQLite's lock).
 */
export function doorPacer(pauseMs = 2): () => Promise<boolean> {
  let seen = Atomics.load(threadSignals, DOOR_ACTIVITY);
  return async () => {
    const now = Atomics.load(threadSignals, DOOR_ACTIVITY);
    if (now === seen) return Atomics.load(threadSignals, URGENT_WRITERS) > 0;
    seen = now;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return true;
  };
}
