// `npm run demo` as a user runs it (scripts/demo.mjs, a fresh SQLite database, the build already
// made), on ports chosen here so it runs beside a demo on 3000/3100/3200; resolves once it says
// it is up, with the addresses it printed. Used by the Web Vitals benchmark (scripts/bench/vitals.mjs)
// and the end-to-end tests that run the demo.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { removeSqliteDatabase } from "../../app/sqlite-files.ts";
import { freePort } from "../emulator/ports.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface Demo {
  child: ChildProcess;
  dbFile: string;
  /** the emulated admin's page for the app, e.g. http://127.0.0.1:…/store/demo-outfitters/apps/loyalty */
  adminUrl: string;
  /** the public program (GET /proxy/program, signed as Shopify signs it) */
  programUrl: string;
  /** the storefront API through the app proxy, signed (/proxy/me for the top customer) */
  proxyUrl: string;
  /** the storefront's origin (the theme app extension's pages) */
  storefrontUrl: string;
  /** the customer the demo's storefront links sign in as (the member with the largest balance) */
  topCustomerId: string;
  /** everything the demo printed so far */
  output(): string;
  /**
   * Resolves once the demo's background build of the checkout and account extensions (the Shopify
   * CLI, a child process that outlives "Press Ctrl-C" by tens of seconds) has ended: timings taken
   * before then share the CPU with it.
   */
  backgroundBuildDone(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDemo({ name = "demo", timeoutMs = 240_000 } = {}): Promise<Demo> {
  const dbFile = path.join(os.tmpdir(), `lc-${name}-${process.pid}.sqlite`);
  const [port, emulatorPort, storefrontPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ["scripts/demo.mjs"], {
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
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    removeSqliteDatabase(dbFile);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not come up:\n${output}`)), timeoutMs);
      child.stdout!.on("data", (d: Buffer) => {
        output += d;
        if (output.includes("Press Ctrl-C")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on("data", (d: Buffer) => (output += d));
      child.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    dbFile,
    adminUrl: /Admin \(embedded.*?(http\S+)/.exec(output)![1]!,
    programUrl: /Public program:\s+(http\S+)/.exec(output)![1]!,
    proxyUrl: /Storefront API through the app proxy:\s+(http\S+)/.exec(output)![1]!,
    storefrontUrl: new URL(/Storefront \(theme app extension\):\s+(http\S+)/.exec(output)![1]!).origin,
    topCustomerId: /\/me\?customer=(\d+)/.exec(output)![1]!,
    output: () => output,
    backgroundBuildDone: async (timeoutMs = 300_000) => {
      const started = Date.now();
      while (cliChildren(child.pid!).length > 0) {
        if (Date.now() - started > timeoutMs) throw new Error("the demo's extension build did not end");
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop,
  };
}

/** The Shopify CLI processes the process `parent` started (Linux /proc). */
function cliChildren(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("@shopify/cli")) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}
