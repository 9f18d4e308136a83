// Node flags for the app server (npm start, and the tests', demo's and benchmark's servers). V8
// grows a heap lazily up to a share of the machine's memory; bounds keep a flash sale's garbage
// from taking the process past what a small instance has (the job thread has its own bound,
// LOYALTY_JOB_HEAP_MB). A NODE_OPTIONS that sets a heap size itself wins.
export const SERVER_HEAP_FLAGS = "--max-old-space-size=112 --max-semi-space-size=4";

export function serverNodeOptions(current = "") {
  return /--max-old-space-size/.test(current) ? current : `${SERVER_HEAP_FLAGS} ${current}`.trim();
}
