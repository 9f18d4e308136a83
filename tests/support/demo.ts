// `npm run demo` as a user runs it, for the end-to-end tests: every port free and chosen here (so
// a suite runs beside a demo on 3000, 3100, 3200), a database of its own, and the addresses the
// demo prints once it is up.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { freePort } from "./app";

const root = path.resolve(import.meta.dirname, "../..");

export interface Demo {
  /** the demo's SQLite file, to check what the pages did */
  dbFile: string;
  adminUrl: string;
  proxyUrl: string;
  programUrl: string;
  /** the storefront's origin */
  storefrontUrl: string;
  stop(): Promise<void>;
}

export async function startDemo(name: string): Promise<Demo> {
  const dbFile = path.join(os.tmpdir(), `lc-e2e-${name}-${process.pid}.sqlite`);
  const [port, emulatorPort, storefrontPort] = [await freePort(), await freePort(), await freePort()];
  const demo = spawn(process.execPath, ["scripts/demo.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      STOREFRONT_PORT: String(storefrontPort),
      DATABASE_URL: `file:${dbFile}`,
      DEMO_SKIP_BUILD: "1",
      SHOPIFY_APP_URL: `http://localhost:${port}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not come up:\n${output}`)), 240_000);
    demo.stdout!.on("data", (d: Buffer) => {
      output += d;
      if (output.includes("Press Ctrl-C")) {
        clearTimeout(timer);
        resolve();
      }
    });
    demo.stderr!.on("data", (d) => (output += d));
    demo.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  const printed = (pattern: RegExp) => pattern.exec(output)![1]!;
  return {
    dbFile,
    adminUrl: printed(/Admin \(embedded.*?(http\S+)/),
    proxyUrl: printed(/Storefront API through the app proxy:\s+(http\S+)/),
    programUrl: printed(/Public program:\s+(http\S+)/),
    storefrontUrl: new URL(printed(/Storefront \(theme app extension\):\s+(http\S+)/)).origin,
    async stop() {
      if (demo.exitCode !== null) return;
      const exited = new Promise((r) => demo.once("exit", r));
      demo.kill("SIGTERM");
      await exited;
    },
  };
}
