// `npm run demo` when one of its ports is taken (another demo running): a clear message, a non-zero
// exit, and nothing left running.
import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/app";

const root = path.resolve(import.meta.dirname, "../..");

describe("the demo's ports", () => {
  it("says which port is taken and starts nothing", async () => {
    const taken = net.createServer();
    const takenPort = await freePort();
    await new Promise<void>((resolve) => taken.listen(takenPort, "127.0.0.1", resolve));
    const appPort = await freePort();
    try {
      const demo = spawn(process.execPath, ["scripts/demo.mjs"], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(appPort),
          EMULATOR_PORT: String(takenPort),
          STOREFRONT_PORT: String(await freePort()),
          DATABASE_URL: `file:${path.join(os.tmpdir(), `lc-demo-ports-${process.pid}.sqlite`)}`,
          DEMO_SKIP_BUILD: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      demo.stdout!.on("data", (d) => (output += d));
      demo.stderr!.on("data", (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => demo.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain(`port ${takenPort} is in use: is another demo running?`);
      expect(output).toContain("EMULATOR_PORT");
      // The app was never started: its port is still free.
      await new Promise<void>((resolve, reject) => {
        const probe = net.createServer().once("error", reject);
        probe.listen(appPort, () => probe.close(() => resolve()));
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
