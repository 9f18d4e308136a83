// The check that fails a test when an app server printed an error (server-errors.ts), against
// real child processes that print what a server might.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { AppServer } from "../emulator/app-process.ts";
import { checkServerErrors, expectServerErrors, messagesOf, watchServer } from "./server-errors.ts";

/** A process that runs `script` and then waits to be stopped, watched as an app server is. */
async function fakeServer(script: string): Promise<AppServer> {
  const child = spawn(process.execPath, ["-e", `${script}; setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stdout = "";
  let stderr = "";
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.stdout.on("data", (d) => ((out += d), (stdout += d)));
  child.stderr.on("data", (d) => ((out += d), (stderr += d)));
  // Every script prints "ready" last; what it wrote before is then in the pipes (writes to a
  // pipe are synchronous), as a server's output is by the time it has answered a request.
  await new Promise<void>((resolve) => child.stdout.on("data", () => stdout.includes("ready") && resolve()));
  const server: AppServer = {
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    closed,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await closed;
    },
  };
  return watchServer(server, "fake server");
}

const check = () => checkServerErrors("in this check", { endsTest: true });

describe("the app-server error check", () => {
  it("reads a message with its continuation lines as one", () => {
    const stderr = [
      "[redeem] rd_1: shopify_unavailable: Shopify did not answer (Shopify internal error:",
      "{",
      '  "networkStatusCode": 503',
      "})",
      "Error: boom",
      "    at f (file:///app/x.js:1:2)",
      "",
      "[jobs] next",
    ].join("\n");
    expect(messagesOf(stderr)).toEqual([
      '[redeem] rd_1: shopify_unavailable: Shopify did not answer (Shopify internal error:\n{\n  "networkStatusCode": 503\n})',
      "Error: boom\n    at f (file:///app/x.js:1:2)",
      "[jobs] next",
    ]);
  });

  it("fails on anything on stderr the test did not announce, and passes what it did", async () => {
    const server = await fakeServer(`console.warn("[worker] job 7 failed: boom"); console.log("ready")`);
    try {
      await expect(check()).rejects.toThrow(/printed an error in this check[^]*\[fake server\] \[worker\] job 7 failed: boom/);
      // Read once, reported once.
      await expect(check()).resolves.toBeUndefined();
    } finally {
      await server.stop();
    }
    const announced = await fakeServer(`console.error("[proxy] database unreachable"); console.log("ready")`);
    try {
      expectServerErrors(/^\[proxy\] database unreachable$/);
      await expect(check()).resolves.toBeUndefined();
    } finally {
      await announced.stop();
    }
  });

  it("fails when an announced error never comes", async () => {
    const quiet = await fakeServer(`console.log("ready")`);
    try {
      expectServerErrors(/never printed/);
      await expect(check()).rejects.toThrow(/never printed what the test expected: \/never printed\//);
    } finally {
      await quiet.stop();
    }
  });

  it("fails on a stack trace or a Prisma error on stdout, not on ordinary lines", async () => {
    const server = await fakeServer(
      `console.log("Loyalty Club listening on http://localhost:1");` +
        `console.log(new Error("thrown").stack);` +
        `console.log("PrismaClientKnownRequestError: Unique constraint failed");` +
        `console.log("ready")`,
    );
    try {
      const failure = await check().then(
        () => "passed",
        (e: Error) => e.message,
      );
      expect(failure).toMatch(/2 errors/);
      expect(failure).toContain("Error: thrown\n    at ");
      expect(failure).toContain("PrismaClientKnownRequestError");
      expect(failure).not.toContain("listening on");
    } finally {
      await server.stop();
    }
  });

  it("fails when a server exits by itself, and not when it is stopped", async () => {
    const crashing = await fakeServer(`console.log("ready"); setTimeout(() => process.exit(3), 10)`);
    await crashing.closed;
    await expect(check()).rejects.toThrow(/\[fake server\] the server exited unexpectedly \(code 3\)/);
    const stopped = await fakeServer(`console.log("ready")`);
    await stopped.stop("SIGKILL");
    await expect(check()).resolves.toBeUndefined();
  });
});
