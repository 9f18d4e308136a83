// Starts the app's production server as Shopify's stand-in needs it: with the emulator's fetch
// redirect loaded first, and the emulator's App Bridge and admin origin. Used by the tests, the
// demo and the benchmark.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { serverEnv } from "../../scripts/server-flags.mjs";

const root = path.resolve(import.meta.dirname, "../..");

/** The tests', demo's and benchmark's LOYALTY_SECRET_KEY (public: never use it for a real shop). */
export const TEST_SECRET_KEY = "loyalty-club-test-secret-key-0123456789abcdef";

export interface AppServerSettings {
  port: number;
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  emulatorUrl: string;
}

export function appServerEnv(s: AppServerSettings): Record<string, string> {
  return {
    NODE_ENV: "production",
    PORT: String(s.port),
    DATABASE_URL: s.databaseUrl,
    SHOPIFY_API_KEY: s.apiKey,
    SHOPIFY_API_SECRET: s.apiSecret,
    LOYALTY_SECRET_KEY: TEST_SECRET_KEY,
    SHOPIFY_APP_URL: s.appUrl,
    SCOPES: "read_customers,read_orders,write_discounts",
    STORE_EMULATOR_URL: s.emulatorUrl,
    // The two stand-ins below are refused in production unless this says it is the offline demo.
    LOYALTY_DEMO: "1",
    APP_BRIDGE_URL: `${s.emulatorUrl}/app-bridge.js`,
    FRAME_ANCESTORS_EXTRA: `${s.emulatorUrl} ${s.emulatorUrl.replace("127.0.0.1", "localhost")}`,
  };
}

export interface AppServer {
  child: ChildProcess;
  /** everything the server printed, stdout and stderr as they came */
  output(): string;
  /** what it printed on stdout */
  stdout(): string;
  /** what it printed on stderr: console.error and console.warn, uncaught exceptions */
  stderr(): string;
  /** resolves once the process has exited and everything it printed has been read */
  closed: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnAppServer(env: Record<string, string>, options: { showErrors?: boolean } = {}): Promise<AppServer> {
  const child = spawn(process.execPath, ["--import", path.join(root, "tests/emulator/intercept.mjs"), "server.mjs"], {
    cwd: root,
    env: serverEnv({ ...process.env, ...env }),
    stdio: ["ignore", "pipe", options.showErrors ? "inherit" : "pipe"],
  });
  let out = "";
  let stdout = "";
  let err = "";
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.stdout!.on("data", (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
    err += d;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // a server that never came up is not left running
      reject(new Error(`server did not start:\n${out}`));
    }, 20_000);
    child.stdout!.on("data", () => {
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => err,
    closed,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await closed;
    },
  };
}
