// Counters shared between the server thread and the job thread (SharedArrayBuffer, passed to the
// job thread as workerData.threadSignals):
//   DOOR_ACTIVITY   webhooks stored so far (the job thread paces itself while Shopify is sending)
//   JOBS_DONE       jobs this process processed (metrics)
//   JOBS_FAILED     jobs that failed an attempt here (metrics)
import { isMainThread, workerData } from "node:worker_threads";

export const DOOR_ACTIVITY = 0;
export const JOBS_DONE = 1;
export const JOBS_FAILED = 2;

export const threadSignals = new Int32Array(
  !isMainThread && workerData?.threadSignals instanceof SharedArrayBuffer ? workerData.threadSignals : new SharedArrayBuffer(12),
);

/**
 * For the job thread: if webhooks arrived since the last call, pause briefly so the server thread
 * gets the CPU to answer them. Processing is deferred work; answering Shopify is not. Answers
 * whether they did.
 */
export function doorPacer(pauseMs = 2): () => Promise<boolean> {
  let seen = Atomics.load(threadSignals, DOOR_ACTIVITY);
  return async () => {
    const now = Atomics.load(threadSignals, DOOR_ACTIVITY);
    if (now === seen) return false;
    seen = now;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return true;
  };
}
