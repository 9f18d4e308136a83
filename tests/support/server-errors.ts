// An error the app server prints must fail a test, not only scroll past. The servers a test file
// starts (startApp, tests/support/app.ts) are watched: after every test, and once more after the
// file's last hook, whatever they printed since the last look is read (tests/setup.ts calls
// checkServerErrors), and an error the test did not announce fails that test (or the file).
//
// What counts as an error: every message on stderr (console.error and console.warn alike; Node
// prints uncaught exceptions and unhandled rejections there, server.mjs its "[webhook]"/"[proxy]"
// 503s, Prisma its errors), and on stdout a stack frame or a Prisma error; and a server that exits
// with a failure without being asked to stop. A server that is working prints nothing on stderr,
// so the rule has no list of tolerated noise: a test that provokes a message on purpose says so
// with `app.expectServerErrors(/pattern/)` — for that test when called inside it, for the whole
// file when called in beforeAll — and the message must then appear (unless `{ required: false }`).
import type { AppServer } from "../emulator/app-process.ts";

interface Watched {
  label: string;
  server: AppServer;
  stdoutRead: number;
  stderrRead: number;
  stopping: boolean;
  exitProblem: string | null;
  exitReported: boolean;
}

interface Expectation {
  pattern: RegExp;
  scope: "test" | "file";
  required: boolean;
  seen: number;
}

const watched: Watched[] = [];
let expectations: Expectation[] = [];
let inTest = false;

/** Starts watching a server's output; its stop() marks the exit that follows as asked for. */
export function watchServer<T extends AppServer>(server: T, label: string): T {
  const w: Watched = {
    label,
    server,
    stdoutRead: 0,
    stderrRead: 0,
    stopping: false,
    exitProblem: null,
    exitReported: false,
  };
  server.child.once("exit", (code, signal) => {
    // SIGTERM from a test (door-limits) ends with 0; anything else unasked is a crash.
    if (!w.stopping && code !== 0) w.exitProblem = `exited unexpectedly (${code === null ? signal : `code ${code}`})`;
  });
  watched.push(w);
  const stop = server.stop.bind(server);
  return Object.assign(server, {
    stop: (signal?: NodeJS.Signals) => {
      w.stopping = true;
      return stop(signal);
    },
  });
}

/**
 * Declares that the app server will print a message matching `pattern` (checked against the whole
 * message, continuation lines included). Inside a test it holds for that test; outside (beforeAll)
 * for the rest of the file.
 */
export function expectServerErrors(pattern: RegExp, options: { required?: boolean } = {}): void {
  expectations.push({ pattern, scope: inTest ? "test" : "file", required: options.required ?? true, seen: 0 });
}

/**
 * Messages: a line at the margin starts one; indented lines (stack frames, pretty-printed JSON)
 * and lines that only close a bracket continue it; an empty line ends it.
 */
export function messagesOf(text: string): string[] {
  const messages: string[] = [];
  let open = false;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      open = false;
      continue;
    }
    const continues = /^\s/.test(line) || /^[{}[\]()]+[,;]?$/.test(line);
    if (continues && open) messages[messages.length - 1] += `\n${line}`;
    else messages.push(line);
    open = true;
  }
  return messages.map((m) => m.trimEnd());
}

const STDOUT_ERROR = [
  /^\s+at \S.*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m, // a stack frame
  /Prisma\w*Error|Invalid `\w+\.\w+\(\)` invocation|prisma:error/,
  /^(Uncaught|Unhandled)\b/im,
];

/** The complete lines of `text` from `from` on; the offset after them (a partial last line waits). */
function completeLines(text: string, from: number, all: boolean): [string, number] {
  const end = all ? text.length : text.lastIndexOf("\n") + 1;
  return end > from ? [text.slice(from, end), end] : ["", from];
}

function readNew(final: boolean): Array<{ label: string; message: string }> {
  const found: Array<{ label: string; message: string }> = [];
  for (const w of watched) {
    const exited = w.server.child.exitCode !== null || w.server.child.signalCode !== null;
    const [err, errEnd] = completeLines(w.server.stderr(), w.stderrRead, final && exited);
    w.stderrRead = errEnd;
    for (const message of messagesOf(err)) found.push({ label: w.label, message });
    const [out, outEnd] = completeLines(w.server.stdout(), w.stdoutRead, final && exited);
    w.stdoutRead = outEnd;
    for (const message of messagesOf(out)) if (STDOUT_ERROR.some((p) => p.test(message))) found.push({ label: w.label, message });
    if (w.exitProblem && !w.exitReported) {
      w.exitReported = true;
      found.push({ label: w.label, message: `the server ${w.exitProblem}` });
    }
  }
  return found;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads what the watched servers printed since the last check and throws if any of it is an
 * error nobody announced, or if an announced one never came. `when` says where in the file the
 * output was printed; `final` waits for stopped servers' output to be read to the end.
 */
export async function checkServerErrors(when: string, options: { final?: boolean; endsTest?: boolean } = {}) {
  const final = options.final ?? false;
  // Output the server wrote before the test's last request answered may still be in the pipe.
  await turn();
  await turn();
  if (final) await Promise.all(watched.filter((w) => w.stopping || w.server.child.exitCode !== null).map((w) => w.server.closed));
  const unexpected: string[] = [];
  const consume = () => {
    for (const { label, message } of readNew(final)) {
      const match = expectations.find((e) => e.pattern.test(message));
      if (match) match.seen++;
      else unexpected.push(`[${label}] ${message}`);
    }
  };
  consume();
  const due = expectations.filter((e) => e.required && (options.endsTest ? e.scope === "test" : final));
  // A message from the job thread reaches the pipe a moment after the job's row says done.
  for (const deadline = Date.now() + 2_000; due.some((e) => e.seen === 0) && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    consume();
  }
  const missing = due.filter((e) => e.seen === 0).map((e) => `${e.pattern}`);
  if (options.endsTest) expectations = expectations.filter((e) => e.scope === "file");
  if (unexpected.length || missing.length) {
    const parts = [];
    if (unexpected.length)
      parts.push(
        `the app server printed ${unexpected.length === 1 ? "an error" : `${unexpected.length} errors`} ${when} ` +
          `(if the test provokes it on purpose, declare it with app.expectServerErrors(/…/)):\n${unexpected.join("\n")}`,
      );
    if (missing.length) parts.push(`the app server never printed what the test expected: ${missing.join(", ")}`);
    throw new Error(parts.join("\n"));
  }
}

export function testStarted() {
  inTest = true;
}

export function testEnded() {
  inTest = false;
}
